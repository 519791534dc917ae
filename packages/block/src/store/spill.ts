/**
 * Staged objects: a small object (above `inlineMax`, up to `journalInlineMax`) is committed with its bytes
 * inside its journal record, so its put costs ONE flush — the journal's — instead of two (data pages, then
 * the record that names them). The record is the object's only durable copy until the next checkpoint, which
 * moves ("spills") every staged object to fresh data pages before it publishes the index: the spilled pages
 * are written here, made durable by the checkpoint's flush, and only then does the superblock flip drop the
 * journal records. A crash before the flip recovers the previous checkpoint plus the journal — the staged
 * objects again, whole — and the spill pages, never referenced durably, are free again.
 *
 * This is redo logging of small writes, as SQLite's WAL (the page image lives in the log until a checkpoint
 * copies it back) and ext4's `data=journal` do; it trades a second write of small objects for a flush.
 * Memory: staged bytes live in the index only until the next checkpoint, which runs when the journal is half
 * full — so they are bounded by half the journal ring.
 */
import type { PageDevice } from '../device/types.ts';
import type { Allocator, Run } from './allocator.ts';
import type { Extent, StoredObject } from './records.ts';
import type { StoreState } from './state.ts';

/** At most this many bytes are staged for one device write. */
const CHUNK_BYTES = 1 << 20;

/** The default `journalInlineMax`: four pages, but at most an eighth of the journal ring (a batch must fit it). */
export function defaultJournalInlineMax(pageSize: number, journalPages: number): number {
  return Math.min(4 * pageSize, Math.floor((journalPages * pageSize) / 8));
}

/** Staged objects moved to data pages: their new versions (with extents), and the runs they occupy. */
export interface Spill {
  objects: Map<string, StoredObject>;
  runs: Run[];
}

/**
 * The bytes of objects staged by a put of this process, beside the base64 text their record carries: spilling
 * one ahead then needs no decode of that text and no copy into a page buffer (more than half of its cost at
 * 4 KiB, measured in-process). Weak: an entry goes with its object. Objects replayed from the journal have none and are decoded.
 */
const stagedBytes = new WeakMap<StoredObject, Buffer>();

/** Remembers `bytes` (never changed afterwards) as the content of staged object `o`, for {@link SpillAhead}. */
export function keepStagedBytes(o: StoredObject, bytes: Buffer): void {
  stagedBytes.set(o, bytes);
}

/** True when `o` lives in its journal record only and must move to pages at the next checkpoint. */
export function isStaged(o: StoredObject, inlineMax: number): boolean {
  return o.inline !== undefined && o.size > inlineMax;
}

/**
 * Writes every staged object to freshly allocated pages (not flushed: the checkpoint flushes before its flip).
 * Returns undefined when nothing is staged or too few pages are free (after `ensureFree`, which may grow the
 * device) — the objects then stay inline in the
 * checkpoint, which is always correct, only larger. On a device error the pages are freed and it rethrows.
 */
export async function spillStaged(
  device: PageDevice,
  alloc: Allocator,
  state: StoreState,
  inlineMax: number,
  tag: number,
  ensureFree: (pages: number) => Promise<boolean> = async (n) => alloc.freePages >= n,
  ahead?: SpillAhead,
): Promise<Spill | undefined> {
  const spill: Spill = { objects: new Map(), runs: [] };
  const staged: StoredObject[] = [];
  try {
    for (const o of state.objects.values()) {
      if (!isStaged(o, inlineMax)) continue;
      // Already written ahead: take its pages as they are.
      const extents = await ahead?.take(o);
      if (!extents) {
        staged.push(o);
        continue;
      }
      for (const e of extents) spill.runs.push([e[0], e[1]]);
      const moved: StoredObject = { ...o, extents };
      delete moved.inline;
      spill.objects.set(o.key, moved);
    }
  } catch (e) {
    for (const r of spill.runs) alloc.free(r[0], r[1]);
    throw e;
  }
  if (staged.length === 0) return spill.objects.size > 0 ? spill : undefined;
  const ps = device.pageSize;
  const need = staged.reduce((n, o) => n + Math.ceil(o.size / ps), 0);
  if (!(await ensureFree(need).catch(() => false))) {
    if (spill.objects.size > 0) return spill;
    return undefined;
  }

  const chunkPages = Math.max(1, Math.floor(CHUNK_BYTES / ps));
  let left = need;
  let run: Run | undefined;
  let buf = Buffer.alloc(0);
  let used = 0;
  const writeRun = async () => {
    if (run && used > 0) await device.write(run[0], buf.subarray(0, used * ps), tag);
  };
  try {
    for (const o of staged) {
      const bytes = Buffer.from(o.inline!, 'base64');
      const extents: Extent[] = [];
      let off = 0;
      while (off < bytes.length) {
        if (!run || used === run[1]) {
          await writeRun();
          run = alloc.allocate(Math.min(left, chunkPages));
          if (!run) throw new Error('spill: the allocator ran out of pages it reported free');
          spill.runs.push(run);
          left -= run[1];
          buf = Buffer.alloc(run[1] * ps);
          used = 0;
        }
        // Every object starts on a page boundary; one that straddles two runs gets two extents, the first full.
        const pages = Math.min(run[1] - used, Math.ceil((bytes.length - off) / ps));
        const n = Math.min(pages * ps, bytes.length - off);
        bytes.copy(buf, used * ps, off, off + n);
        extents.push([run[0] + used, pages, n, tag]);
        used += pages;
        off += n;
      }
      const moved: StoredObject = { ...o, extents };
      delete moved.inline;
      spill.objects.set(o.key, moved);
    }
    await writeRun();
  } catch (e) {
    for (const r of spill.runs) alloc.free(r[0], r[1]);
    throw e;
  }
  return spill;
}

interface Ahead {
  extents: Extent[];
  /** Settles when the pages are written: undefined, or the write's error. */
  done: Promise<unknown>;
}

/**
 * Spilling ahead: as soon as a staged object is committed its bytes start on their way to fresh data pages —
 * written, never flushed, referenced by nothing durable — so the checkpoint finds them there and its one
 * flush carries little, instead of stalling every commit behind megabytes of spill. The writes reach the disk
 * with the journal flushes in between (one file), spreading the cost. An object overwritten or deleted first
 * gives its pages back once their write has finished (a page must not have two writes in flight).
 */
export class SpillAhead {
  readonly #device: PageDevice;
  readonly #alloc: Allocator;
  readonly #tag: () => number;
  readonly #entries = new Map<StoredObject, Ahead>();
  #pages = 0;

  constructor(device: PageDevice, alloc: Allocator, tag: () => number) {
    this.#device = device;
    this.#alloc = alloc;
    this.#tag = tag;
  }

  /** Pages allocated to objects spilled ahead (not yet referenced by the index). */
  get pages(): number {
    return this.#pages;
  }

  /** Starts writing committed staged object `o` to fresh pages; skipped when pages are short (the checkpoint spills it). */
  start(o: StoredObject): void {
    const ps = this.#device.pageSize;
    const need = Math.ceil(o.size / ps);
    if (this.#entries.has(o) || this.#alloc.freePages < need * 2) return;
    const bytes = stagedBytes.get(o) ?? Buffer.from(o.inline!, 'base64');
    stagedBytes.delete(o);
    const tag = this.#tag();
    const extents: Extent[] = [];
    const writes: Promise<void>[] = [];
    let off = 0;
    while (off < bytes.length) {
      const run = this.#alloc.allocate(Math.ceil((bytes.length - off) / ps))!;
      const n = Math.min(run[1] * ps, bytes.length - off);
      // Whole pages are written as they are; a partial last page is padded with zeroes in a copy.
      const whole = n === run[1] * ps;
      const buf = whole ? bytes.subarray(off, off + n) : Buffer.alloc(run[1] * ps);
      if (!whole) bytes.copy(buf, 0, off, off + n);
      extents.push([run[0], run[1], n, tag]);
      writes.push(this.#device.write(run[0], buf, tag));
      off += n;
    }
    this.#pages += need;
    this.#entries.set(o, { extents, done: Promise.all(writes).then(() => undefined, (e: unknown) => e ?? new Error('spill write failed')) });
  }

  /** `o` left the index before a checkpoint: its pages return once written. */
  drop(o: StoredObject): void {
    const e = this.#entries.get(o);
    if (!e) return;
    this.#entries.delete(o);
    void e.done.then(() => {
      this.#alloc.freeExtents(e.extents);
      this.#pages -= e.extents.reduce((n, x) => n + x[1], 0);
    });
  }

  /** Hands over `o`'s written extents (the caller now owns the pages), or undefined when it was not spilled ahead. */
  async take(o: StoredObject): Promise<Extent[] | undefined> {
    const e = this.#entries.get(o);
    if (!e) return undefined;
    this.#entries.delete(o);
    this.#pages -= e.extents.reduce((n, x) => n + x[1], 0);
    const failed = await e.done;
    if (failed !== undefined) {
      this.#alloc.freeExtents(e.extents);
      throw failed;
    }
    return e.extents;
  }

  /** Waits for every write in flight (before close). */
  async settle(): Promise<void> {
    await Promise.all([...this.#entries.values()].map((e) => e.done));
  }
}
