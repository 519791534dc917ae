/**
 * The scale scenario end to end at 10^2 and 10^3 objects (`--smoke --only=scale`): every backend — the file,
 * block and memory adapters in their child processes and the object server over HTTP — yields GET, HEAD and
 * both list rows at both sizes, with sane figures (latencies ordered, RSS of a live process, the block
 * adapter's key limit reached at its last size), and RESULTS.md carries the growth section.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../src/cli.ts';
import type { BenchReport } from '../src/report-types.ts';
import { scaleSeries } from '../src/scale/growth.ts';
import { SCALE_OPS } from '../src/scale/scale-curve.ts';

const out = mkdtempSync(join(tmpdir(), 'strata-bench-scale-'));
let report: BenchReport;

beforeAll(async () => {
  const { BENCH_SCALE_SIZES: _sizes, BENCH_SCALE_MAX: _max, ...env } = process.env;
  report = await runBench(['--smoke', '--only=scale'], { ...env, BENCH_OUT: out });
}, 300_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const BACKENDS = ['file adapter', 'block adapter', 'memory adapter', 'object server (file)'];

describe('bench --smoke --only=scale', () => {
  it('measures every operation on every backend at 10^2 and 10^3 objects', () => {
    expect(report.skipped).toEqual([]);
    const rows = report.groups.flatMap((g) => g.measurements);
    for (const scenario of Object.values(SCALE_OPS)) {
      for (const backend of BACKENDS) {
        const sizes = rows.filter((m) => m.scenario === scenario && m.extra?.backend === backend).map((m) => m.extra?.objects);
        expect(sizes, `${scenario} on ${backend}`).toEqual([100, 1_000]);
      }
    }
    for (const m of rows) {
      const what = `${m.scenario} on ${m.tier}`;
      expect(m.latency.count, what).toBeGreaterThan(0);
      expect(m.latency.p50, what).toBeGreaterThan(0);
      expect(m.latency.p99, what).toBeGreaterThanOrEqual(m.latency.p50);
      expect(m.opsPerSec.median, what).toBeGreaterThan(0);
      // A live Node process holding a store: tens of MB, not zero, not gigabytes.
      expect(Number(m.extra?.rssMB), what).toBeGreaterThan(20);
      expect(Number(m.extra?.rssMB), what).toBeLessThan(2_000);
    }
    const blockTop = rows.find((m) => m.extra?.backend === 'block adapter' && m.extra?.objects === 1_000);
    expect(blockTop?.extra?.keyLimit).toMatch(/NoSpace\/KeyLimit/);
  });

  it('states the growth between the sizes in RESULTS.md', () => {
    const md = readFileSync(join(out, 'RESULTS.md'), 'utf8');
    expect(md).toContain('## Scale: cost as the store grows');
    for (const s of scaleSeries(report.groups)) {
      expect(s.steps).toHaveLength(1);
      expect(Number.isFinite(s.steps[0]!.p50), `${s.op} on ${s.backend}`).toBe(true);
      expect(md).toContain(`- ${s.op} p50 grows`);
    }
    // backend | empty store | 10^2 | 10^3 | growth | added per object (the server has no empty-store figure).
    for (const backend of BACKENDS) {
      expect(md).toMatch(new RegExp(`\\| ${backend.replace(/[()]/g, '\\$&')} \\| ([\\d.]+|–) \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+× \\(10\\^2→10\\^3\\) \\| (-?\\d+ B|–) \\|`));
    }
  });
});
