/**
 * The same workloads on every storage tier: put/get/head/delete of each object size at each concurrency,
 * list of N keys with and without a delimiter, and a mixed 80/20 read/write run. The raw `node:fs` tier is
 * the baseline of every group.
 *
 * The comparison is interleaved: every tier is created up front, and each measurement (an operation at a size
 * and a concurrency) runs the tiers in turns of short rounds — raw, memory, file, …, then the next round in
 * another order — so drift on a shared machine (another process's burst, a page-cache flush, thermal or CPU
 * quota changes) hits every tier alike instead of whichever tier happened to run at that moment. The plan's
 * operations per repeat are split into up to {@link MAX_SLICES} rounds; ops/s is the median round with min–max
 * and the latency percentiles cover every operation of every round. A tier that fails mid-run (a crashed
 * server) is reported as skipped and the others go on.
 *
 * `BENCH_STORAGE_TIERS` (comma-separated tier names, e.g. `file adapter`) limits the run to those tiers; the
 * raw baseline always runs.
 */
import { performance } from 'node:perf_hooks';
import type { BenchContext, Scenario } from '../context.ts';
import type { Measurement, MeasurePlan } from '../measure.ts';
import { payload, sizeLabel } from '../payload.ts';
import type { ScenarioGroup } from '../report-types.ts';
import { cdf, spread, summarize } from '../stats.ts';
import type { BenchTier } from '../tiers/tier.ts';
import { tierFactories } from '../tiers/factories.ts';
import type { TierFactory } from '../tiers/factories.ts';

const BASELINE = 'raw node:fs';
/** A repeat is split into at most this many interleaved rounds per tier. */
const MAX_SLICES = 8;
/** …of at least this many operations (and twice the concurrency), so a round is not all ramp-up. */
const MIN_ROUND_OPS = 25;

/**
 * Keys an operation cycles over, so reads hit a warm working set like a real service: 32 small objects, fewer
 * large ones (at most 256 MiB per size, so the memory tier and the page cache stay sane with 64 MiB objects).
 */
const workingSet = (size: number) => Math.max(2, Math.min(32, Math.floor((256 * 1024 * 1024) / size)));

/** Concurrency 64 only for small objects: 64 × 64 MiB in flight measures the allocator, not the tier. */
const levelsFor = (ctx: BenchContext, size: number) => ctx.concurrency.filter((c) => c <= 16 || size <= 64 * 1024);

/** The tiers selected by BENCH_STORAGE_TIERS (all when unset); the baseline always runs. */
function selectedFactories(env: NodeJS.ProcessEnv = process.env): TierFactory[] {
  const names = env.BENCH_STORAGE_TIERS?.split(',').map((s) => s.trim()).filter(Boolean);
  return names?.length ? tierFactories.filter((f) => f.name === BASELINE || names.includes(f.name)) : tierFactories;
}

/** The tiers of a run; one that fails is dropped (and reported as skipped) so the others go on. */
class Tiers {
  live: BenchTier[] = [];
  readonly ctx: BenchContext;

  constructor(ctx: BenchContext) {
    this.ctx = ctx;
  }

  fail(tier: BenchTier, e: unknown): void {
    this.live = this.live.filter((t) => t !== tier);
    this.ctx.skip(`storage tier ${tier.name}`, `failed mid-run: ${e instanceof Error ? e.message : String(e)}`);
    void tier.close().catch(() => undefined);
  }

  /** Runs `fn` on every live tier in turn (setup work: puts of a working set). */
  async each(fn: (tier: BenchTier) => Promise<unknown>): Promise<void> {
    for (const tier of [...this.live]) await fn(tier).catch((e: unknown) => this.fail(tier, e));
  }
}

/** Runs up to `count` operations with `concurrency` workers, recording each latency in ms; returns how many ran. */
async function runRound(count: number, concurrency: number, maxMs: number, op: () => Promise<unknown>, samples: number[] | undefined): Promise<number> {
  const deadline = performance.now() + maxMs;
  let started = 0;
  let finished = 0;
  const worker = async () => {
    while (started < count && performance.now() < deadline) {
      started++;
      const t0 = performance.now();
      await op();
      samples?.push(performance.now() - t0);
      finished++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return finished;
}

/**
 * Measures `op` on every live tier, interleaved (see the module doc): a warm-up per tier, then
 * `repeats × slices` rounds per tier, the tiers taking turns round by round in a rotating, alternating order.
 */
async function interleaved(
  tiers: Tiers,
  scenario: string,
  bytesPerOp: number,
  plan: MeasurePlan,
  op: (tier: BenchTier, i: number) => Promise<unknown>,
): Promise<Measurement[]> {
  const slices = Math.max(1, Math.min(MAX_SLICES, Math.floor(plan.ops / Math.max(MIN_ROUND_OPS, 2 * plan.concurrency))));
  const roundOps = Math.ceil(plan.ops / slices);
  const roundMs = plan.maxMs / slices;
  const state = new Map(tiers.live.map((t) => [t, { next: 0, samples: [] as number[], rates: [] as number[] }]));
  const run = async (tier: BenchTier, count: number, concurrency: number, maxMs: number, timed: boolean) => {
    const s = state.get(tier);
    if (!s || !tiers.live.includes(tier)) return;
    try {
      const started = performance.now();
      const done = await runRound(count, concurrency, maxMs, () => op(tier, s.next++), timed ? s.samples : undefined);
      if (timed) s.rates.push(done / ((performance.now() - started) / 1000));
    } catch (e) {
      tiers.fail(tier, e);
    }
  };
  for (const tier of [...tiers.live]) await run(tier, plan.warmup, Math.min(plan.concurrency, Math.max(1, plan.warmup)), plan.maxMs, false);
  const order = [...tiers.live];
  for (let r = 0; r < plan.repeats * slices; r++) {
    // Round r starts at tier r mod n, and every other pass runs backwards: no tier always follows the same one.
    const turn = order.map((_, k) => order[(k + r) % order.length] as BenchTier);
    if (Math.floor(r / order.length) % 2 === 1) turn.reverse();
    for (const tier of turn) await run(tier, roundOps, plan.concurrency, roundMs, true);
  }
  const measurements: Measurement[] = [];
  const base = tiers.live.find((t) => t.name === BASELINE);
  const baseRates = base ? state.get(base)?.rates : undefined;
  for (const tier of tiers.live) {
    const s = state.get(tier);
    if (!s || s.rates.length === 0) continue;
    const opsPerSec = spread(s.rates);
    const extra: Record<string, number | string> = { rounds: s.rates.length };
    // The ratio to the baseline round by round (rounds r of both ran back to back), median: the figure least
    // disturbed by a neighbour's load.
    if (tier !== base && baseRates?.length === s.rates.length) {
      extra.pairedVsRaw = `${spread(s.rates.map((v, r) => v / (baseRates[r] as number))).median.toFixed(2)}×`;
    }
    const mb = (v: number) => (v * bytesPerOp) / (1024 * 1024);
    measurements.push({
      scenario,
      tier: tier.name,
      concurrency: plan.concurrency,
      bytesPerOp,
      latency: summarize(s.samples),
      opsPerSec,
      mbPerSec: { median: mb(opsPerSec.median), min: mb(opsPerSec.min), max: mb(opsPerSec.max) },
      cdf: cdf(s.samples),
      extra,
    });
  }
  return measurements;
}

/** The workloads at one object size, on the live tiers: a working set put, then get/put/head at each level. */
async function measureSize(ctx: BenchContext, tiers: Tiers, size: number, add: (ms: Measurement[]) => void): Promise<void> {
  const data = payload(size, size);
  const label = sizeLabel(size);
  const set = workingSet(size);
  const key = (i: number) => `bench/${label.replace(' ', '')}/${i % set}`;
  await tiers.each(async (tier) => {
    for (let i = 0; i < set; i++) await tier.put(key(i), data);
  });
  for (const c of levelsFor(ctx, size)) {
    const plan = ctx.plan(size, c);
    add(await interleaved(tiers, `get ${label}`, size, plan, (tier, i) => tier.get(key(i))));
    add(await interleaved(tiers, `put ${label}`, size, plan, (tier, i) => tier.put(key(i), data)));
    add(await interleaved(tiers, `head ${label}`, 0, plan, (tier, i) => tier.head(key(i))));
    ctx.progress(`${label} c${c}`);
  }
  await tiers.each(async (tier) => {
    for (let i = 0; i < set; i++) await tier.delete(key(i));
  });
}

async function measureAll(ctx: BenchContext, tiers: Tiers, out: Map<string, Measurement[]>): Promise<void> {
  const add = (ms: Measurement[]) => {
    for (const m of ms) {
      const id = `${m.scenario} · c${m.concurrency}`;
      out.set(id, [...(out.get(id) ?? []), m]);
    }
  };
  for (const size of ctx.sizes) {
    // Tiers bounded below this size sit it out (and say why); the others keep their turns. A tier that fails
    // during the size leaves `tiers.live`; the ones sitting out come back, in their place.
    const before = tiers.live;
    const sitOut = before.filter((t) => t.maxObject !== undefined && t.maxObject.bytes < size);
    for (const t of sitOut) ctx.skip(`storage tier ${t.name}, ${sizeLabel(size)}`, t.maxObject!.reason);
    tiers.live = before.filter((t) => !sitOut.includes(t));
    try {
      await measureSize(ctx, tiers, size, add);
    } finally {
      const stillLive = tiers.live;
      tiers.live = before.filter((t) => sitOut.includes(t) || stillLive.includes(t));
    }
  }
  // delete: each op deletes a key written before the timed rounds (bounded by the plan's op count).
  const small = payload(4096, 7);
  const mixSet = workingSet(4096);
  for (const c of ctx.concurrency) {
    const plan = ctx.plan(4096, c);
    const total = plan.warmup + plan.ops * plan.repeats;
    await tiers.each(async (tier) => {
      for (let i = 0; i < total; i++) await tier.put(`del/${i}`, small);
    });
    add(await interleaved(tiers, 'delete 4 KiB', 0, plan, (tier, i) => tier.delete(`del/${i}`)));
    // mixed 80/20: reads of the warm set, writes overwrite it.
    await tiers.each(async (tier) => {
      for (let i = 0; i < mixSet; i++) await tier.put(`mix/${i}`, small);
    });
    add(
      await interleaved(tiers, 'mixed 80/20 4 KiB', 4096, plan, (tier, i) =>
        i % 5 === 4 ? tier.put(`mix/${i % mixSet}`, small) : tier.get(`mix/${i % mixSet}`),
      ),
    );
    ctx.progress(`delete/mixed c${c}`);
  }
  // list: N keys spread over 100 "directories"; with a delimiter the listing returns the directories.
  const tiny = payload(16, 3);
  const n = ctx.listKeys;
  await tiers.each(async (tier) => {
    for (let i = 0; i < n; i++) await tier.put(`list/d${String(i % 100).padStart(3, '0')}/k${String(i).padStart(6, '0')}`, tiny);
  });
  const listPlan = { ...ctx.plan(0, 1), ops: ctx.mode === 'smoke' ? 2 : 10, warmup: 1 };
  add(await interleaved(tiers, `list ${n} keys`, 0, listPlan, (tier) => tier.list('list/')));
  add(await interleaved(tiers, `list ${n} keys, delimiter /`, 0, listPlan, (tier) => tier.list('list/', '/')));
  ctx.progress('list');
}

export const storageOps: Scenario = {
  name: 'storage',
  steps: (ctx) => ctx.sizes.reduce((n, size) => n + levelsFor(ctx, size).length, 0) + ctx.concurrency.length + 1,
  async run(ctx) {
    const out = new Map<string, Measurement[]>();
    const tiers = new Tiers(ctx);
    try {
      for (const factory of selectedFactories()) {
        const tier = await factory.create(ctx).catch((e: Error) => {
          ctx.skip(`storage tier ${factory.name}`, e.message);
          return undefined;
        });
        if (tier) tiers.live.push(tier);
      }
      await measureAll(ctx, tiers, out);
    } finally {
      for (const tier of tiers.live) await tier.close();
    }
    return [...out.entries()].map(([id, measurements]): ScenarioGroup => ({
      id: `storage-${id.replace(/[^a-z0-9]+/gi, '-')}`,
      title: id,
      baselineTier: measurements.some((m) => m.tier === BASELINE) ? BASELINE : undefined,
      measurements,
    }));
  },
};
