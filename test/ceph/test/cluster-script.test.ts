/**
 * scripts/ceph/cluster.mjs itself: a start that fails half-way stops every daemon it started and keeps their
 * logs; a cluster whose owner is killed (SIGKILL, no cleanup) is taken down by its watchdog; `stop` leaves no
 * daemon behind. Daemons are found by the cluster's `ceph.conf` on their command line, as the script finds them.
 * These start clusters of their own, beside the one the global setup started (each on its own ports).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { startCephCluster } from '../../../scripts/ceph/cluster.mjs';

const SCRIPT = fileURLToPath(new URL('../../../scripts/ceph/cluster.mjs', import.meta.url));

/** The pids of live processes whose command line names `conf`. */
function processesOf(conf: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z') && readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(conf);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe.skipIf(skipWithout('ceph'))('scripts/ceph/cluster.mjs', () => {
  it('stops every daemon it started, by pid, and removes its directory', async () => {
    const cluster = await startCephCluster({ manager: false });
    expect(Object.keys(cluster.pids)).toEqual(['mon.a', 'osd.0', 'client.rgw.r']);
    // The daemons, and the watchdog that would kill them if this process died.
    const running = processesOf(cluster.conf);
    expect(running).toEqual(expect.arrayContaining(Object.values(cluster.pids)));
    expect(running).toHaveLength(Object.keys(cluster.pids).length + 1);
    await cluster.stop();
    expect(processesOf(cluster.conf)).toEqual([]);
    expect(existsSync(cluster.dir)).toBe(false);
  }, 60_000);

  it('a start that fails half-way stops what it started and keeps the logs', async () => {
    // The monitor is up by then, the OSD not yet: the deadline falls in the middle of the start-up.
    const error = await startCephCluster({ timeoutMs: 600 }).then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(/^Ceph cluster did not start within 600 ms/);
    const kept = /logs kept in (\S+)/.exec(error?.message ?? '')?.[1];
    expect(kept && readdirSync(kept)).toEqual(expect.arrayContaining(['ceph.conf', 'mon.a.log']));
    const conf = readFileSync(`${kept}/ceph.conf`, 'utf8');
    const dir = /mon data = (\S+)\/mon/.exec(conf)?.[1] ?? '';
    expect(processesOf(`${dir}/ceph.conf`)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    if (kept) rmSync(kept, { recursive: true, force: true });
  }, 30_000);

  it('a cluster whose owner is killed is taken down by its watchdog', async () => {
    const owner = spawn(process.execPath, ['-e', `import(${JSON.stringify(SCRIPT)}).then(async (m) => { const c = await m.startCephCluster({ manager: false }); console.log(c.conf); setInterval(() => {}, 1000); })`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const conf = await new Promise<string>((resolve, reject) => {
      let out = '';
      owner.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      owner.once('exit', (code) => reject(new Error(`owner exited ${code} before the cluster was up`)));
    });
    expect(processesOf(conf).length).toBeGreaterThanOrEqual(3);
    owner.kill('SIGKILL');
    for (let i = 0; i < 100 && processesOf(conf).length > 0; i++) await sleep(100);
    expect(processesOf(conf)).toEqual([]);
    for (let i = 0; i < 50 && existsSync(conf); i++) await sleep(100);
    expect(existsSync(conf)).toBe(false);
  }, 60_000);
});
