/**
 * The page allocator: a sorted list of free runs [start, length]. It is not persisted — at open it is rebuilt
 * as the complement of every page the recovered index and checkpoint reference (as LMDB rebuilds nothing and
 * littlefs scans its tree), so it can never disagree with the durable state. Freed pages come back here only
 * once the record that freed them is durable (and no reader still holds them).
 */
import type { Extent } from './records.ts';

/** A free run of pages. */
export type Run = [start: number, length: number];

/** The free-run allocator of the data area. */
export class Allocator {
  #free: Run[] = [];
  #freePages = 0;

  /** Starts with every page of [start, end) free except `used` runs (any order, may repeat). */
  static fromUsed(start: number, end: number, used: Iterable<Run>): Allocator {
    const a = new Allocator();
    const sorted = [...used].filter((r) => r[1] > 0).sort((x, y) => x[0] - y[0]);
    let at = start;
    for (const [s, n] of sorted) {
      if (s > at) a.#push(at, s - at);
      at = Math.max(at, s + n);
    }
    if (end > at) a.#push(at, end - at);
    return a;
  }

  #push(start: number, length: number): void {
    this.#free.push([start, length]);
    this.#freePages += length;
  }

  /** Pages currently free. */
  get freePages(): number {
    return this.#freePages;
  }

  /** A copy of the free runs, sorted by start. */
  runs(): Run[] {
    return this.#free.map((r) => [r[0], r[1]]);
  }

  /**
   * Allocates up to `max` contiguous pages: the first run that fits whole, else the largest run (the caller
   * loops). Returns undefined when nothing is free.
   */
  allocate(max: number): Run | undefined {
    let best = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const r = this.#free[i]!;
      if (r[1] >= max) {
        best = i;
        break;
      }
      if (best < 0 || r[1] > this.#free[best]![1]) best = i;
    }
    if (best < 0) return undefined;
    const r = this.#free[best]!;
    const n = Math.min(max, r[1]);
    const got: Run = [r[0], n];
    if (n === r[1]) this.#free.splice(best, 1);
    else {
      r[0] += n;
      r[1] -= n;
    }
    this.#freePages -= n;
    return got;
  }

  /** Returns a run to the free list, merging neighbours. Throws on a double free (a bug, never ignored). */
  free(start: number, length: number): void {
    if (length <= 0) return;
    const list = this.#free;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]![0] < start) lo = mid + 1;
      else hi = mid;
    }
    const prev = list[lo - 1];
    const next = list[lo];
    if ((prev && prev[0] + prev[1] > start) || (next && start + length > next[0])) {
      throw new Error(`allocator: double free of pages ${start}+${length}`);
    }
    this.#freePages += length;
    if (prev && prev[0] + prev[1] === start) {
      prev[1] += length;
      if (next && prev[0] + prev[1] === next[0]) {
        prev[1] += next[1];
        list.splice(lo, 1);
      }
      return;
    }
    if (next && start + length === next[0]) {
      next[0] = start;
      next[1] += length;
      return;
    }
    list.splice(lo, 0, [start, length]);
  }

  /** Frees the pages of extents. */
  freeExtents(extents: Iterable<Extent>): void {
    for (const e of extents) this.free(e[0], e[1]);
  }
}
