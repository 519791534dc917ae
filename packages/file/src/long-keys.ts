/**
 * The ordered index of the keys that cannot be plain paths (key-mapping.ts, "Keys that cannot be paths"). Their
 * files sit in a flat hashed area, so a listing cannot find them by walking the tree; the adapter keeps their
 * keys sorted in memory, loaded at open from the area (each file holds its key), changed by every put and
 * delete under the key's mutex, and merged into listings in UTF-8 byte order. Such keys are expected to be
 * rare (deep or heavily escaped keys): the index costs about the keys' own bytes of memory.
 */
import * as fsp from 'node:fs/promises';
import { compareKeys } from '@strata/storage';
import type { ScanOptions } from '@strata/storage';
import type { FileCore } from './core.ts';
import { LONG_KEYS_DIR, hashedKeyPath } from './key-mapping.ts';
import { readInfoAt } from './object-read.ts';
import { errnoOf } from './to-storage-error.ts';

/** The sorted set of hashed keys. */
export class LongKeys {
  /** Sorted by {@link compareKeys}. */
  #keys: string[] = [];

  /** Number of keys (tests and diagnostics). */
  get size(): number {
    return this.#keys.length;
  }

  /** Index of the first key that sorts after `key` (`inclusive`: at or after). */
  #bound(key: string, inclusive: boolean): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareKeys(this.#keys[mid] as string, key);
      if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds `key` (idempotent). */
  add(key: string): void {
    const i = this.#bound(key, true);
    if (this.#keys[i] !== key) this.#keys.splice(i, 0, key);
  }

  /** Removes `key` (idempotent). */
  remove(key: string): void {
    const i = this.#bound(key, true);
    if (this.#keys[i] === key) this.#keys.splice(i, 1);
  }

  /** True when `key` is in the index. */
  has(key: string): boolean {
    return this.#keys[this.#bound(key, true)] === key;
  }

  /**
   * The keys a scan with `options` wants, in order. Each step searches again from the last key it yielded,
   * so puts and deletes while a listing is paused never skip or repeat a key.
   */
  *scan({ prefix, startAfter, skipDescendants }: ScanOptions): Generator<string> {
    let after = startAfter !== undefined && compareKeys(startAfter, prefix) >= 0 ? startAfter : undefined;
    let i = after === undefined ? this.#bound(prefix, true) : this.#bound(after, false);
    for (;;) {
      let key = this.#keys[i];
      if (key === undefined || !key.startsWith(prefix)) return;
      if (skipDescendants && startAfter !== undefined && key.startsWith(startAfter)) {
        // Every key under startAfter sorts right after it: jump past the whole run at once.
        while (key !== undefined && key.startsWith(startAfter)) key = this.#keys[++i];
        if (key === undefined || !key.startsWith(prefix)) return;
      }
      yield key;
      after = key;
      i = this.#bound(after, false);
    }
  }
}

/**
 * Fills `core.longKeys` from the hashed area at open. A file whose stored key does not hash to its name (planted
 * by hand, or damaged) is not an object and is left alone.
 */
export async function loadLongKeys(core: FileCore): Promise<void> {
  let buckets: string[];
  try {
    buckets = await fsp.readdir(core.abs(LONG_KEYS_DIR));
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return;
    throw e;
  }
  for (const bucket of buckets) {
    const dir = `${LONG_KEYS_DIR}/${bucket}`;
    const names = await fsp.readdir(core.abs(dir)).catch(() => [] as string[]);
    await Promise.all(
      names.map(async (name) => {
        const info = await readInfoAt(core, '', core.abs(`${dir}/${name}`));
        if (info && hashedKeyPath(info.key).rel === `${dir}/${name}`) core.longKeys.add(info.key);
      }),
    );
  }
}
