/**
 * One backend's curve: fill the store to the first size, measure GET, HEAD and the two list pages, extend the
 * same store to the next size, measure again, and so on. Every read checks its answer (16 bytes back, a page
 * of exactly the keys that follow), so a curve of fast wrong answers cannot pass for a fast store.
 *
 * Time is bounded by `deadline`: before extending, the fill rate of the last step predicts the next one, and a
 * step that would not finish in time ends the curve with a reason instead (the sizes reached are kept); a fill
 * overtaken by the deadline stops too. Measuring rounds are bounded by the plan's `maxMs`.
 */
import { performance } from 'node:perf_hooks';
import { measure } from '../measure.ts';
import type { Measurement } from '../measure.ts';
import { objectsLabel } from './growth.ts';
import { keyWidth, OBJECT_BYTES, PAGE_KEYS, randomStartAfter, scaleKey, seededRandom } from './scale-plan.ts';
import type { ScaleTarget } from './scale-target.ts';

/** How much to measure at each size. */
export interface CurvePlan {
  /** GET and HEAD operations per timed round. */
  ops: number;
  /** List pages per timed round (a page costs far more than a GET). */
  listOps: number;
  repeats: number;
  warmup: number;
  /** A timed round stops after this long. */
  maxMs: number;
  /** Puts in flight while filling. */
  fillConcurrency: number;
}

/** The scenario names of the curve's operations, in report order. */
export const SCALE_OPS = {
  get: 'scale GET',
  head: 'scale HEAD',
  listRandom: 'scale list 1000 keys from a random start-after',
  listFirst: 'scale list first 1000 keys',
} as const;

/** What a curve needs. */
export interface CurveOptions {
  /** The backend's name in the report (`file adapter`, `object server (file)`). */
  backend: string;
  target: ScaleTarget;
  /** Ascending store sizes. */
  sizes: number[];
  plan: CurvePlan;
  /** Epoch milliseconds by which the curve must end. */
  deadline: number;
  /** Called after each size's four rows; `note` says what else that size showed (e.g. the key limit). */
  atSize?: (objects: number) => Promise<Record<string, string> | undefined>;
  progress?: (label: string) => void;
}

/** The rows of a curve, and why it stopped early if it did. */
export interface CurveResult {
  measurements: Measurement[];
  stopped?: string;
}

/** Puts objects `from`…`to - 1` with `concurrency` workers; returns how many went in before the deadline. */
async function fill(target: ScaleTarget, from: number, to: number, width: number, concurrency: number, deadline: number): Promise<number> {
  const data = Buffer.alloc(OBJECT_BYTES, 0x61);
  let next = from;
  let done = 0;
  const worker = async () => {
    while (next < to && Date.now() < deadline) {
      const i = next++;
      await target.put(scaleKey(i, width), data);
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return done;
}

/** Resident set size after a collection when `--expose-gc` allows one, so the figure is the store's, not garbage. */
function settledRss(target: ScaleTarget): number {
  (globalThis as { gc?: () => void }).gc?.();
  return target.rssMB();
}

/** Runs the curve (see the module doc). */
export async function runCurve(options: CurveOptions): Promise<CurveResult> {
  const { backend, target, sizes, plan, deadline } = options;
  const width = keyWidth(sizes.at(-1) ?? 1);
  const measurements: Measurement[] = [];
  let held = 0;
  let rate = 0;
  // The process with the store open and empty: what the objects add is measured against it. NaN when the
  // store's process does not run yet (the object server starts after its first fill).
  const emptyRssMB = Number(settledRss(target).toFixed(1));
  for (const objects of sizes) {
    const remainingS = (deadline - Date.now()) / 1000;
    if (rate > 0 && (objects - held) / rate > remainingS) {
      return { measurements, stopped: `filling to ${objectsLabel(objects)} objects would take ~${Math.round((objects - held) / rate)} s at ${Math.round(rate)} puts/s; ${Math.max(0, Math.round(remainingS))} s of the time budget left` };
    }
    await target.beforeFill?.();
    const started = performance.now();
    const added = await fill(target, held, objects, width, plan.fillConcurrency, deadline);
    const fillSeconds = (performance.now() - started) / 1000;
    await target.afterFill?.();
    rate = added / Math.max(fillSeconds, 1e-3);
    held += added;
    if (held < objects) return { measurements, stopped: `the time budget ran out while filling to ${objectsLabel(objects)} objects (${held.toLocaleString('en-US')} in)` };
    const random = seededRandom(objects);
    const rowPlan = { ops: plan.ops, repeats: plan.repeats, warmup: plan.warmup, concurrency: 1, maxMs: plan.maxMs };
    const listPlan = { ...rowPlan, ops: plan.listOps, warmup: Math.min(plan.warmup, 2) };
    const tier = `${backend} @ ${objectsLabel(objects)}`;
    const rows = [
      await measure(SCALE_OPS.get, tier, OBJECT_BYTES, rowPlan, async () => {
        const n = await target.get(scaleKey(Math.floor(random() * objects), width));
        if (n !== OBJECT_BYTES) throw new Error(`${backend}: GET returned ${n} bytes, not ${OBJECT_BYTES}`);
      }),
      await measure(SCALE_OPS.head, tier, 0, rowPlan, () => target.head(scaleKey(Math.floor(random() * objects), width))),
      await measure(SCALE_OPS.listRandom, tier, 0, listPlan, async () => {
        const { index, expected } = randomStartAfter(objects, random);
        const n = await target.listPage(scaleKey(index, width));
        if (n !== expected) throw new Error(`${backend}: a page after object ${index} of ${objects} held ${n} keys, not ${expected}`);
      }),
      await measure(SCALE_OPS.listFirst, tier, 0, listPlan, async () => {
        const n = await target.listPage();
        if (n !== Math.min(PAGE_KEYS, objects)) throw new Error(`${backend}: the first page of ${objects} objects held ${n} keys`);
      }),
    ];
    const notes = (await options.atSize?.(objects)) ?? {};
    const rssMB = Number(settledRss(target).toFixed(1));
    const heap = target.heapMB?.();
    for (const m of rows) {
      m.extra = {
        backend,
        objects,
        rssMB,
        ...(Number.isFinite(emptyRssMB) ? { emptyRssMB } : {}),
        ...(heap === undefined ? {} : { heapMB: Number(heap.toFixed(1)) }),
        fillPerSec: Math.round(rate),
        ...notes,
      };
      measurements.push(m);
    }
    options.progress?.(tier);
  }
  return { measurements };
}
