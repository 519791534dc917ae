/**
 * The scale curve: how GET, HEAD and a 1,000-key list page (ListObjectsV2 `max-keys` 1000 from a random
 * `start-after`, and the first page) cost as a store grows from 10^4 to 10^5 to 10^6 objects — on the storage
 * contract of the file, block and memory adapters, and on the object server over the file backend (10^4 and
 * 10^5, S3 reads through the AWS SDK; server-target.ts) — with the RSS of the process holding the store at each size. A point says how
 * fast; the curve says whether it stays fast. The report states the growth per 10× objects (report-scale.ts).
 *
 * Each backend's store is filled once (16-byte objects, many puts in flight) and extended from one size to the
 * next; each in-process backend runs in a child process of its own (scale-child.ts) so its RSS is its own, and
 * the object server is its own process already. `--scale-max N` (or BENCH_SCALE_MAX) cuts the curve at N;
 * `--quick` stops at 10^5; BENCH_SCALE_SIZES lists sizes; BENCH_SCALE_BACKENDS picks backends (`file,block,
 * memory,server`); BENCH_SCALE_BUDGET_S bounds each backend's time (a curve that would overrun ends early,
 * with the reason in "Not run here").
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext, BenchMode, Scenario } from '../context.ts';
import type { Measurement } from '../measure.ts';
import type { ScenarioGroup } from '../report-types.ts';
import { runCurve, SCALE_OPS } from '../scale/scale-curve.ts';
import type { CurvePlan, CurveResult } from '../scale/scale-curve.ts';
import { BLOCK_DEFAULT_MAX_KEYS, scaleSizes, SERVER_MAX_OBJECTS } from '../scale/scale-plan.ts';
import { serverTarget } from '../scale/server-target.ts';
import { runScaleChild } from '../scale/run-scale-child.ts';
import type { InProcessBackend } from '../scale/run-scale-child.ts';

/** The object-server backend's name in the report. */
export const SCALE_SERVER_BACKEND = 'object server (file)';

const IN_PROCESS: Array<{ backend: InProcessBackend; name: string }> = [
  { backend: 'file', name: 'file adapter' },
  { backend: 'block', name: 'block adapter' },
  { backend: 'memory', name: 'memory adapter' },
];

/** Whether BENCH_SCALE_BACKENDS (comma-separated: file, block, memory, server) selects `backend`; all when unset. */
function selected(backend: string): boolean {
  const names = process.env.BENCH_SCALE_BACKENDS?.split(',').map((s) => s.trim()).filter(Boolean);
  return !names?.length || names.includes(backend);
}

/** Measuring effort per size, by mode. */
export function scalePlan(mode: BenchMode): CurvePlan {
  const by = <T>(smoke: T, quick: T, full: T) => (mode === 'smoke' ? smoke : mode === 'quick' ? quick : full);
  return {
    ops: by(100, 1_000, 3_000),
    listOps: by(10, 40, 150),
    repeats: by(1, 2, 3),
    warmup: by(5, 50, 100),
    maxMs: by(250, 1_000, 2_000),
    fillConcurrency: 128,
  };
}

/** Seconds each backend's curve may take (BENCH_SCALE_BUDGET_S). */
function budgetSeconds(mode: BenchMode): number {
  const set = Number(process.env.BENCH_SCALE_BUDGET_S);
  return set > 0 ? set : mode === 'smoke' ? 60 : mode === 'quick' ? 300 : 1_500;
}

/** The sizes each backend reaches: all for the adapters, the block adapter up to its key limit, the server to 10^5. */
function sizesFor(ctx: BenchContext) {
  const all = scaleSizes(ctx.mode, ctx.scaleMax);
  return {
    all,
    block: all.filter((n) => n <= BLOCK_DEFAULT_MAX_KEYS),
    server: all.filter((n) => n <= SERVER_MAX_OBJECTS),
  };
}

async function serverCurve(ctx: BenchContext, sizes: number[], deadline: number): Promise<CurveResult> {
  const data = join(ctx.dir, 'scale-server');
  mkdirSync(data, { recursive: true });
  const plan = scalePlan(ctx.mode);
  const target = await serverTarget(data, 'scale', 8);
  try {
    return await runCurve({ backend: SCALE_SERVER_BACKEND, target, sizes, plan, deadline, progress: ctx.progress });
  } finally {
    await target.close();
  }
}

/** One group per operation, each holding every backend's rows at every size. */
function groupsOf(measurements: Measurement[]): ScenarioGroup[] {
  return Object.values(SCALE_OPS)
    .map((scenario) => ({
      id: `scale-${scenario.replace(/^scale /, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`,
      title: `${scenario} (16-byte objects, concurrency 1)`,
      measurements: measurements.filter((m) => m.scenario === scenario),
    }))
    .filter((g) => g.measurements.length > 0);
}

export const scaleScenario: Scenario = {
  name: 'scale',
  steps: (ctx) => {
    const s = sizesFor(ctx);
    const count = (backend: string, sizes: number[]) => (selected(backend) ? sizes.length : 0);
    return count('file', s.all) + count('block', s.block) + count('memory', s.all) + count('server', s.server);
  },
  async run(ctx) {
    const sizes = sizesFor(ctx);
    const budgetMs = budgetSeconds(ctx.mode) * 1000;
    const measurements: Measurement[] = [];
    // A backend that fails (a wrong answer, a crashed child or server) is reported and the others go on.
    const keep = async (name: string, curve: () => Promise<CurveResult>) => {
      try {
        const result = await curve();
        measurements.push(...result.measurements);
        if (result.stopped) ctx.skip(`scale ${name}`, result.stopped);
      } catch (e) {
        ctx.skip(`scale ${name}`, `failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    for (const { backend, name } of IN_PROCESS.filter((b) => selected(b.backend))) {
      const backendSizes = backend === 'block' ? sizes.block : sizes.all;
      if (backendSizes.length < sizes.all.length) {
        ctx.skip(`scale ${name}`, `sizes above its key limit (maxKeys ${BLOCK_DEFAULT_MAX_KEYS.toLocaleString('en-US')}) not measured`);
      }
      if (backendSizes.length === 0) continue;
      const dir = join(ctx.dir, `scale-${backend}`);
      mkdirSync(dir, { recursive: true });
      const plan = scalePlan(ctx.mode);
      await keep(name, () => runScaleChild({ backend, name, dir, sizes: backendSizes, plan, deadline: Date.now() + budgetMs }, ctx.progress));
    }
    if (selected('server') && sizes.server.length > 0) await keep(SCALE_SERVER_BACKEND, () => serverCurve(ctx, sizes.server, Date.now() + budgetMs));
    return groupsOf(measurements);
  },
};
