/**
 * The memory adapter's ordered key index: a sorted array of keys in UTF-8 byte order ({@link compareKeys}),
 * kept sorted by binary-search insertion. Scans locate their position by binary search at every step, so
 * concurrent inserts and deletes during a scan never skip or repeat a key.
 */
import { compareKeys } from '../keys.ts';

/** A sorted set of keys in UTF-8 byte order. */
export class SortedKeys {
  #keys: string[] = [];

  /** Number of keys. */
  get size(): number {
    return this.#keys.length;
  }

  /** Index of the first key for which `before(key)` is false (`before` must be monotone: true…true false…). */
  #partition(before: (key: string) => boolean): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.#keys[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds `key` (no-op when present). */
  add(key: string): void {
    const i = this.#partition((k) => compareKeys(k, key) < 0);
    if (this.#keys[i] !== key) this.#keys.splice(i, 0, key);
  }

  /** Removes `key` (no-op when absent). */
  remove(key: string): void {
    const i = this.#partition((k) => compareKeys(k, key) < 0);
    if (this.#keys[i] === key) this.#keys.splice(i, 1);
  }

  /**
   * The first key strictly after `after` (past every key starting with `after` when `skipDescendants`) and at
   * or after `prefix`, or undefined. Keys starting with a string form one contiguous run right after it in
   * byte order, which makes the skip a single binary search.
   */
  next(prefix: string, after: string | undefined, skipDescendants: boolean): string | undefined {
    let i = this.#partition((k) => compareKeys(k, prefix) < 0);
    if (after !== undefined) {
      const j = skipDescendants
        ? this.#partition((k) => compareKeys(k, after) <= 0 || k.startsWith(after))
        : this.#partition((k) => compareKeys(k, after) <= 0);
      i = Math.max(i, j);
    }
    const key = this.#keys[i];
    return key !== undefined && key.startsWith(prefix) ? key : undefined;
  }

  /** Iterates keys in order from a position, re-locating after each step (safe under concurrent changes). */
  *from(prefix: string, after: string | undefined, skipDescendants: boolean): Generator<string> {
    let key = this.next(prefix, after, skipDescendants);
    while (key !== undefined) {
      yield key;
      key = this.next(prefix, key, false);
    }
  }
}
