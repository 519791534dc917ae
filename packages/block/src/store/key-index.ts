/**
 * The ordered in-memory key index: a sorted array of keys (UTF-8 byte order via `compareKeys`) beside a Map.
 * Lookups are O(1), ordered scans O(log n) to start; inserts and deletes are O(n) array splices, which is fine
 * up to the documented key limit (about a million keys: a splice then moves a few MB).
 */
import { compareKeys } from '@strata/storage';

/** Index of the first element of sorted `keys` for which `before(key)` is false. */
export function lowerBound(keys: readonly string[], before: (key: string) => boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(keys[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A Map whose keys are also kept in UTF-8 byte order. */
export class KeyIndex<V> {
  readonly #map = new Map<string, V>();
  readonly #keys: string[] = [];

  get size(): number {
    return this.#map.size;
  }

  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  set(key: string, value: V): void {
    if (!this.#map.has(key)) {
      const i = lowerBound(this.#keys, (k) => compareKeys(k, key) < 0);
      this.#keys.splice(i, 0, key);
    }
    this.#map.set(key, value);
  }

  delete(key: string): boolean {
    if (!this.#map.delete(key)) return false;
    const i = lowerBound(this.#keys, (k) => compareKeys(k, key) < 0);
    this.#keys.splice(i, 1);
    return true;
  }

  /** The keys in order (a live view: do not mutate). */
  keys(): readonly string[] {
    return this.#keys;
  }

  values(): IterableIterator<V> {
    return this.#map.values();
  }

  /**
   * The first key after `after` (strictly) that starts with `prefix`, or undefined. With `skipDescendants`,
   * keys that start with `after` are skipped too. Re-searches each call so the index may change between calls.
   */
  next(prefix: string, after: string | undefined, skipDescendants = false): string | undefined {
    let i: number;
    if (after === undefined || compareKeys(after, prefix) < 0) {
      i = lowerBound(this.#keys, (k) => compareKeys(k, prefix) < 0);
    } else if (skipDescendants) {
      // Keys that start with `after` sort right after it, so "≤ after or a descendant" is a prefix of the array.
      i = lowerBound(this.#keys, (k) => compareKeys(k, after) <= 0 || k.startsWith(after));
    } else {
      i = lowerBound(this.#keys, (k) => compareKeys(k, after) <= 0);
    }
    const k = this.#keys[i];
    return k !== undefined && k.startsWith(prefix) ? k : undefined;
  }
}
