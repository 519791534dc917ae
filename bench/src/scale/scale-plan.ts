/**
 * What a scale run measures: the store sizes (objects held) of the curve, the key of object `i`, and the
 * random start-after of a list page. Sizes grow by powers of ten so each step of the curve is "10× objects";
 * the store is filled once and extended from one size to the next, never refilled.
 *
 * Keys are `scale/<index without its last three digits>/<last three digits>`, zero-padded: 1,000 keys per
 * "directory" at every size, so a bigger store has more directories, not bigger ones, and the UTF-8 order of
 * the keys is their numeric order (a list page from `key(j)` holds `key(j + 1)` … `key(j + 1000)`).
 */
import type { BenchMode } from '../context.ts';

/** Keys per ListObjectsV2 page: the S3 maximum of `max-keys` (ListObjectsV2, "MaxKeys … up to 1,000"). */
export const PAGE_KEYS = 1000;

/** Bytes per object: small, so a fill of 10^6 objects measures the index, not the disk's bandwidth. */
export const OBJECT_BYTES = 16;

/** The largest store the object-server rows reach (HTTP fills are slower, and the curve is the adapters'). */
export const SERVER_MAX_OBJECTS = 100_000;

/** The block adapter's documented default `maxKeys` (packages/block README, "Limits"): its curve stops there. */
export const BLOCK_DEFAULT_MAX_KEYS = 1_000_000;

/** The sizes of the curve per mode: 10^4, 10^5, 10^6 (full); 10^4, 10^5 (quick); 10^2, 10^3 (smoke). */
export function scaleSizes(mode: BenchMode, scaleMax?: number, env: NodeJS.ProcessEnv = process.env): number[] {
  const listed = env.BENCH_SCALE_SIZES?.split(',').map((s) => Number(s.trim())).filter((n) => Number.isSafeInteger(n) && n > 0);
  const base = listed?.length ? [...new Set(listed)].sort((a, b) => a - b) : mode === 'smoke' ? [100, 1_000] : mode === 'quick' ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  if (scaleMax === undefined) return base;
  // `--scale-max N` cuts the curve at N; an N that is not on it becomes its last point.
  const kept = base.filter((n) => n <= scaleMax);
  return kept.at(-1) === scaleMax ? kept : [...kept, scaleMax];
}

/** Digits of the zero-padded index (7 up to 10^7 objects, more beyond). */
export function keyWidth(maxObjects: number): number {
  return Math.max(7, String(Math.max(0, maxObjects - 1)).length);
}

/** The key of object `i` (see the module doc for the layout). */
export function scaleKey(i: number, width: number): string {
  const digits = String(i).padStart(width, '0');
  return `scale/${digits.slice(0, width - 3)}/${digits.slice(width - 3)}`;
}

/** A small seeded generator (mulberry32), so two runs read the same keys in the same order. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random start-after within a store of `objects` keys, and how many keys its page must hold: the index is
 * drawn so a full page follows whenever the store has more than a page of keys (in a smaller store, anywhere).
 */
export function randomStartAfter(objects: number, random: () => number): { index: number; expected: number } {
  const span = objects > PAGE_KEYS ? objects - PAGE_KEYS : objects;
  const index = Math.min(objects - 1, Math.floor(random() * span));
  return { index, expected: Math.min(PAGE_KEYS, objects - 1 - index) };
}
