/**
 * The Ceph RGW tier of the storage scenario: skipped with the reason when the Ceph tools are missing; with them,
 * a real single-node cluster answering the tier's operations through `@strata/s3`, stopped by pid when the tier
 * closes and — through the cluster's watchdog — when the bench process is interrupted (ctrl-c). The report
 * explains what the tier's rows include, only when it has rows, and no goal reads them.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import type { BenchContext } from '../src/context.ts';
import { evaluateGoals } from '../src/goals.ts';
import type { Measurement } from '../src/measure.ts';
import { renderMarkdown } from '../src/report-md.ts';
import type { BenchReport } from '../src/report-types.ts';
import { storageOps } from '../src/scenarios/storage-ops.ts';
import { systemInfo } from '../src/system.ts';
import { CEPH_RGW_COST_NOTE, CEPH_RGW_TIER, createCephRgwTier } from '../src/tiers/ceph-rgw.ts';

const OWNER = fileURLToPath(new URL('./fixtures/ceph-tier-owner.ts', import.meta.url));
const BENCH = dirname(dirname(OWNER));
const scratch = mkdtempSync(join(tmpdir(), 'strata-bench-ceph-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Pids of live processes whose command line names `conf`: the cluster's daemons and its watchdog. */
function daemonsOf(conf: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(conf);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Polls until no process names `conf`, or `ms` pass; returns the survivors. */
async function daemonsGone(conf: string, ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (daemonsOf(conf).length > 0 && Date.now() < deadline) await sleep(100);
  return daemonsOf(conf);
}

/** A one-row measurement, as the storage scenario records it. */
const row = (scenario: string, tier: string, opsPerSec: number): Measurement => ({
  scenario,
  tier,
  concurrency: 1,
  bytesPerOp: 4096,
  latency: { count: 10, mean: 1, p50: 1, p90: 1, p99: 1, max: 1 },
  opsPerSec: { median: opsPerSec, min: opsPerSec, max: opsPerSec },
  mbPerSec: { median: 0, min: 0, max: 0 },
  cdf: [],
});

describe('the Ceph RGW tier without the Ceph tools', () => {
  it('refuses to start, naming the missing tools and the install line', async () => {
    await expect(createCephRgwTier({ path: '/nonexistent' })).rejects.toThrow(/^Ceph tools missing on PATH: ceph-mon, ceph-mgr, ceph-osd, radosgw, radosgw-admin, ceph \(install: apt-get install/);
  });

  it('is listed as skipped, with that reason, by the storage scenario, which measures the others', async () => {
    const skipped: Array<{ scenario: string; reason: string }> = [];
    const ctx: BenchContext = {
      mode: 'smoke', dir: scratch, sizes: [4096], concurrency: [1], listKeys: 5, httpSeconds: 1, largeBytes: 4096,
      plan: (_bytes, concurrency) => ({ ops: 4, repeats: 1, warmup: 1, concurrency, maxMs: 200 }),
      progress: () => undefined,
      skip: (scenario, reason) => skipped.push({ scenario, reason }),
    };
    const saved = { PATH: process.env.PATH, BENCH_STORAGE_TIERS: process.env.BENCH_STORAGE_TIERS };
    // Only this tier (and the raw baseline, which always runs), with the Ceph tools out of reach.
    process.env.PATH = join(scratch, 'no-tools');
    process.env.BENCH_STORAGE_TIERS = CEPH_RGW_TIER;
    try {
      const groups = await storageOps.run(ctx);
      expect(skipped).toEqual([{ scenario: `storage tier ${CEPH_RGW_TIER}`, reason: expect.stringMatching(/^Ceph tools missing on PATH: /) }]);
      expect(new Set(groups.flatMap((g) => g.measurements.map((m) => m.tier)))).toEqual(new Set(['raw node:fs']));
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

describe('the report with Ceph rows', () => {
  const report = (tiers: string[]): BenchReport => ({
    system: systemInfo(scratch),
    mode: 'quick',
    command: 'pnpm bench --quick --only=storage',
    groups: [{ id: 'storage-get-4-KiB-c1', title: 'get 4 KiB · c1', baselineTier: 'raw node:fs', measurements: tiers.map((t, i) => row('get 4 KiB', t, 1000 - i * 100)) }],
    goals: [],
    skipped: [],
  });

  it('shows the tier beside the others with the paragraph on what RGW in front of RADOS costs, only when it ran', () => {
    const withCeph = renderMarkdown(report(['raw node:fs', 'file adapter', CEPH_RGW_TIER]));
    expect(withCeph).toContain(CEPH_RGW_COST_NOTE);
    expect(withCeph).toMatch(/^\| s3 adapter → Ceph RGW \| 1 \| .* \| 0\.80× \|/m);
    expect(withCeph.indexOf(CEPH_RGW_COST_NOTE)).toBeLessThan(withCeph.indexOf('### get 4 KiB · c1'));
    expect(renderMarkdown(report(['raw node:fs', 'file adapter']))).not.toContain(CEPH_RGW_COST_NOTE);
  });

  it('leaves the goals to the tiers they name: a Ceph row is never read as the file adapter', () => {
    const goal = (tiers: string[]) => evaluateGoals(report(tiers)).find((g) => g.goal === 'file adapter 4 KiB get vs raw readFile');
    expect(goal(['raw node:fs', CEPH_RGW_TIER])?.measured).toBeNull();
    expect(goal(['raw node:fs', 'file adapter', CEPH_RGW_TIER])?.measured).toBeCloseTo(0.9);
  });
});

describe.skipIf(skipWithout('ceph'))('the Ceph RGW tier on a real cluster', () => {
  it('answers every operation through @strata/s3 and stops its daemons by pid when closed', async () => {
    const tier = await createCephRgwTier();
    const pids = Object.values(tier.pids);
    try {
      expect(tier.name).toBe(CEPH_RGW_TIER);
      // The daemons, and the cluster's watchdog (its command line names the conf too).
      expect(daemonsOf(tier.conf)).toEqual(expect.arrayContaining(pids));
      await tier.put('t/a', Buffer.alloc(5000, 1));
      await tier.put('t/b/c', Buffer.alloc(10, 2));
      expect(await tier.get('t/a')).toBe(5000);
      await tier.head('t/b/c');
      expect(await tier.list('t/')).toBe(2);
      expect(await tier.list('t/', '/')).toBe(2); // t/a and the prefix t/b/
      await tier.delete('t/a');
      await expect(tier.head('t/a')).rejects.toMatchObject({ code: 'NotFound' });
    } finally {
      await tier.close();
    }
    expect(await daemonsGone(tier.conf, 5_000)).toEqual([]);
    expect(existsSync(dirname(tier.conf))).toBe(false);
  }, 120_000);

  it('is stopped by pid when the bench process is interrupted (ctrl-c), with no close()', async () => {
    const owner = spawn(process.execPath, ['--conditions=@strata/source', '--import', 'tsx', OWNER], { cwd: BENCH, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    owner.stdout.on('data', (b: Buffer) => (out += b.toString()));
    owner.stderr.on('data', (b: Buffer) => (out += b.toString()));
    // Killed in any case, so a failed assertion does not leave the owner — and through it the cluster — running.
    try {
      const held = await new Promise<{ pids: number[]; conf: string }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the owner printed nothing within 90 s:\n${out}`)), 90_000);
        owner.stdout.on('data', () => {
          const line = /^\{.*\}$/m.exec(out)?.[0];
          if (line) {
            clearTimeout(timer);
            resolve(JSON.parse(line) as { pids: number[]; conf: string });
          }
        });
        owner.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`the owner exited with ${code}:\n${out}`));
        });
      });
      expect(daemonsOf(held.conf)).toEqual(expect.arrayContaining(held.pids));
      owner.kill('SIGINT');
      expect(await daemonsGone(held.conf, 10_000)).toEqual([]);
      expect(existsSync(dirname(held.conf))).toBe(false);
    } finally {
      if (owner.exitCode === null && owner.signalCode === null) owner.kill('SIGKILL');
    }
  }, 120_000);
});
