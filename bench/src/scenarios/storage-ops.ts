/**
 * The same workloads on every storage tier: put/get/head/delete of each object size at each concurrency,
 * list of N keys with and without a delimiter, and a mixed 80/20 read/write run. The raw `node:fs` tier is
 * the baseline of every group.
 */
import type { BenchContext, Scenario } from '../context.ts';
import { measure } from '../measure.ts';
import type { Measurement } from '../measure.ts';
import { payload, sizeLabel } from '../payload.ts';
import type { ScenarioGroup } from '../report-types.ts';
import type { BenchTier } from '../tiers/tier.ts';
import { tierFactories } from '../tiers/factories.ts';

const BASELINE = 'raw node:fs';

/**
 * Keys an operation cycles over, so reads hit a warm working set like a real service: 32 small objects, fewer
 * large ones (at most 256 MiB per size, so the memory tier and the page cache stay sane with 64 MiB objects).
 */
const workingSet = (size: number) => Math.max(2, Math.min(32, Math.floor((256 * 1024 * 1024) / size)));

/** Concurrency 64 only for small objects: 64 × 64 MiB in flight measures the allocator, not the tier. */
const levelsFor = (ctx: BenchContext, size: number) => ctx.concurrency.filter((c) => c <= 16 || size <= 64 * 1024);

async function measureTier(ctx: BenchContext, tier: BenchTier, out: Map<string, Measurement[]>): Promise<void> {
  const add = (m: Measurement) => {
    const id = `${m.scenario} · c${m.concurrency}`;
    out.set(id, [...(out.get(id) ?? []), m]);
  };
  for (const size of ctx.sizes) {
    const data = payload(size, size);
    const label = sizeLabel(size);
    const set = workingSet(size);
    const key = (i: number) => `bench/${label.replace(' ', '')}/${i % set}`;
    for (let i = 0; i < set; i++) await tier.put(key(i), data);
    for (const c of levelsFor(ctx, size)) {
      const plan = ctx.plan(size, c);
      add(await measure(`get ${label}`, tier.name, size, plan, (i) => tier.get(key(i))));
      add(await measure(`put ${label}`, tier.name, size, plan, (i) => tier.put(key(i), data)));
      add(await measure(`head ${label}`, tier.name, 0, plan, (i) => tier.head(key(i))));
      ctx.progress(`${tier.name} ${label} c${c}`);
    }
    for (let i = 0; i < set; i++) await tier.delete(key(i));
  }
  // delete: each op deletes a key written just before the timed round (bounded by the plan's op count).
  const small = payload(4096, 7);
  for (const c of ctx.concurrency) {
    const plan = ctx.plan(4096, c);
    const total = plan.warmup + plan.ops * plan.repeats;
    for (let i = 0; i < total; i++) await tier.put(`del/${i}`, small);
    add(await measure('delete 4 KiB', tier.name, 0, plan, (i) => tier.delete(`del/${i}`)));
    // mixed 80/20: reads of the warm set, writes overwrite it.
    const mixSet = workingSet(4096);
    for (let i = 0; i < mixSet; i++) await tier.put(`mix/${i}`, small);
    add(await measure('mixed 80/20 4 KiB', tier.name, 4096, plan, (i) => (i % 5 === 4 ? tier.put(`mix/${i % mixSet}`, small) : tier.get(`mix/${i % mixSet}`))));
    ctx.progress(`${tier.name} delete/mixed c${c}`);
  }
  // list: N keys spread over 100 "directories"; with a delimiter the listing returns the directories.
  const tiny = payload(16, 3);
  const n = ctx.listKeys;
  for (let i = 0; i < n; i++) await tier.put(`list/d${String(i % 100).padStart(3, '0')}/k${String(i).padStart(6, '0')}`, tiny);
  const listPlan = { ...ctx.plan(0, 1), ops: ctx.mode === 'smoke' ? 2 : 10, warmup: 1 };
  add(await measure(`list ${n} keys`, tier.name, 0, listPlan, () => tier.list('list/')));
  add(await measure(`list ${n} keys, delimiter /`, tier.name, 0, listPlan, () => tier.list('list/', '/')));
  ctx.progress(`${tier.name} list`);
}

export const storageOps: Scenario = {
  name: 'storage',
  steps: (ctx) => tierFactories.length * (ctx.sizes.reduce((n, size) => n + levelsFor(ctx, size).length, 0) + ctx.concurrency.length + 1),
  async run(ctx) {
    const out = new Map<string, Measurement[]>();
    for (const factory of tierFactories) {
      const tier = await factory.create(ctx).catch((e: Error) => {
        ctx.skip(`storage tier ${factory.name}`, e.message);
        return undefined;
      });
      if (!tier) continue;
      try {
        await measureTier(ctx, tier, out);
      } finally {
        await tier.close();
      }
    }
    return [...out.entries()].map(([id, measurements]): ScenarioGroup => ({
      id: `storage-${id.replace(/[^a-z0-9]+/gi, '-')}`,
      title: id,
      baselineTier: measurements.some((m) => m.tier === BASELINE) ? BASELINE : undefined,
      measurements,
    }));
  },
};
