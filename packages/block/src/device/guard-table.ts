/**
 * The page device's guard pages in memory. Every read checks its page against the guard, so guards must not
 * cost a second pread: a guard page is read once and kept, and writes update the guard in memory and mark its
 * page dirty. Dirty guard pages reach the medium at the next flush, before its sync (so "every write
 * completed before a flush is durable when it returns" holds for data and guard together), and at close.
 *
 * What a crash does to this: a page written since the last flush may survive with its old guard, so it reads
 * as `Corrupted` (or as its old bytes, if the write was lost too) — never as wrong bytes. Unflushed writes
 * were never promised, and the block store never reads a page no durable record references (its crash
 * harness checks exactly this). A torn guard page cannot damage a durable guard: guards are 32 bytes,
 * sector-aligned, and a flushed guard has the same bytes in the old and the new guard page.
 *
 * Memory: 32 bytes per page of the device that has been touched (0.78 % of the data at 4 KiB pages). Clean
 * guard pages beyond `maxBytes` are dropped, oldest loaded first, and read again when needed; dirty ones stay
 * until they are written. Guard pages live in slots of shared slabs (`guard-slabs.ts`), and a dropped page's
 * slot is reused by the next page loaded.
 */
import { toStorageError } from '../errors.ts';
import { GuardSlabs } from './guard-slabs.ts';
import type { PageLayout } from './layout.ts';
import type { PageMedium } from './types.ts';

/** One guard page in memory. */
export interface GuardPage {
  readonly buf: Buffer;
  readonly view: DataView;
  /** Its slot in the table's slabs (see `guard-slabs.ts`). */
  readonly slot: number;
  /** Changed since it was last written (mirrors the table's dirty set; a flag is cheaper to test per write). */
  dirty: boolean;
}

/** The guard pages of one device (see the module doc). */
export class GuardTable {
  readonly #medium: PageMedium;
  readonly #layout: PageLayout;
  readonly #maxPages: number;
  /** The pages in memory, in the order they were loaded (the eviction order). */
  readonly #pages = new Map<number, GuardPage>();
  /** The same pages indexed by group: an array index is cheaper than a `Map` lookup on every read and write. */
  readonly #byGroup: (GuardPage | undefined)[] = [];
  /**
   * The hot paths' way to a guard, by group: the view of the slab holding the group's guard page, the page's
   * offset in it, and whether it is dirty (mirroring `GuardPage.dirty`). A one-page read or write then reads no
   * per-page object: slab views are few and stay in the CPU cache, so its one likely cache miss is the guard.
   */
  readonly #slabViewByGroup: (DataView | undefined)[] = [];
  readonly #baseByGroup: number[] = [];
  readonly #dirtyByGroup: boolean[] = [];
  readonly #slabs: GuardSlabs;
  readonly #dirty = new Set<number>();
  readonly #loading = new Map<number, Promise<GuardPage>>();

  /** The guard pages of a device of `pageCount` pages (it may grow) on `medium`, at most `maxBytes` of clean ones. */
  constructor(medium: PageMedium, layout: PageLayout, maxBytes: number, pageCount: number) {
    this.#medium = medium;
    this.#layout = layout;
    this.#maxPages = Math.max(16, Math.floor(maxBytes / layout.pageSize));
    this.#slabs = new GuardSlabs(layout.pageSize, Math.min(this.#maxPages, pageCount / layout.perGroup));
  }

  /** The guard page of `group` when it is in memory (the hot path: no promise). */
  cached(group: number): GuardPage | undefined {
    return this.#byGroup[group];
  }

  /**
   * The view of the slab holding `group`'s guard page when it is in memory (the one-page hot paths); the page
   * starts at {@link slabBase} in it. Valid until the next `await`: a dropped page's slot is reused.
   */
  slabView(group: number): DataView | undefined {
    return this.#slabViewByGroup[group];
  }

  /** The byte offset of `group`'s guard page in its {@link slabView} (only while it is in memory). */
  slabBase(group: number): number {
    return this.#baseByGroup[group]!;
  }

  /** {@link markDirty} for the table's page of `group` (in memory), without reading the page object unless it was clean. */
  markGroupDirty(group: number): void {
    if (this.#dirtyByGroup[group] === true) return;
    this.markDirty(group, this.#byGroup[group]!);
  }

  /** The guard page of `group`, read from the medium if it is not in memory. */
  get(group: number): GuardPage | Promise<GuardPage> {
    return this.#byGroup[group] ?? this.#load(group);
  }

  /**
   * The guard page of `group` as the table holds it now, read from the medium first if needed; a failed read is
   * a `StorageError` of `op`. After an await the page may already have been dropped again (clean pages are), so
   * it looks again until the page it has is the table's: a change is never made to a page the table no longer holds.
   */
  async current(group: number, op: string): Promise<GuardPage> {
    try {
      for (;;) {
        const got = this.get(group);
        const page = got instanceof Promise ? await got : got;
        if (this.#byGroup[group] === page) return page;
      }
    } catch (e) {
      throw toStorageError(e, op);
    }
  }

  /** Marks `page` (the table's page of `group`) changed; it stays in memory until {@link writeDirty} writes it. */
  markDirty(group: number, page: GuardPage): void {
    if (page.dirty) return;
    page.dirty = true;
    if (this.#byGroup[group] === page) this.#dirtyByGroup[group] = true;
    this.#dirty.add(group);
  }

  /** Writes every dirty guard page to the medium (no sync: the caller syncs after). */
  async writeDirty(): Promise<void> {
    for (const group of [...this.#dirty]) {
      const page = this.#pages.get(group);
      this.#dirty.delete(group);
      if (page === undefined) continue;
      page.dirty = false;
      this.#dirtyByGroup[group] = false;
      // A snapshot: a write completing while an asynchronous medium call is pending must not tear this one.
      const snapshot = Buffer.from(page.buf);
      try {
        const pending = this.#medium.write(this.#layout.guardPageOffset(group), snapshot);
        if (pending !== undefined) await pending;
      } catch (e) {
        this.markDirty(group, page);
        throw e;
      }
    }
    this.#evict();
  }

  /**
   * Reads `group`'s guard page. On a synchronous medium (memory, a small pread) the page is in memory when this
   * returns, without a promise; concurrent loads of one group share one read.
   */
  #load(group: number): GuardPage | Promise<GuardPage> {
    const inFlight = this.#loading.get(group);
    if (inFlight !== undefined) return inFlight;
    const slot = this.#slabs.take();
    const buf = this.#slabs.buffer(slot);
    let pending: Promise<void> | undefined;
    try {
      pending = this.#medium.read(this.#layout.guardPageOffset(group), buf);
    } catch (e) {
      this.#slabs.release(slot);
      throw e;
    }
    if (pending === undefined) return this.#install(group, slot, buf);
    const done = pending.then(
      () => this.#install(group, slot, buf),
      (e: unknown) => {
        this.#slabs.release(slot);
        throw e;
      },
    );
    this.#loading.set(group, done);
    void done.finally(() => this.#loading.delete(group)).catch(() => {});
    return done;
  }

  #install(group: number, slot: number, buf: Buffer): GuardPage {
    // Another load of this group may have finished first (a write may already have changed it): keep that one.
    const kept = this.#pages.get(group);
    if (kept !== undefined) {
      this.#slabs.release(slot);
      return kept;
    }
    const page = { buf, view: new DataView(buf.buffer, buf.byteOffset, buf.length), slot, dirty: false };
    this.#pages.set(group, page);
    this.#byGroup[group] = page;
    this.#slabViewByGroup[group] = this.#slabs.view(slot);
    this.#baseByGroup[group] = this.#slabs.base(slot);
    this.#dirtyByGroup[group] = false;
    this.#evict(group);
    return page;
  }

  /**
   * Drops clean guard pages, oldest loaded first, while more than the limit are in memory; never `keep` (the
   * one just loaded). A dropped page's slot is reused by the next load, so nothing may hold a guard page across
   * an `await`: reads look their guard page up again after waiting for the medium, and writes change a guard
   * only on a page they have just found in the table, synchronously, and mark it dirty in the same step, so
   * no change is made to a dropped page.
   */
  #evict(keep?: number): void {
    if (this.#pages.size <= this.#maxPages) return;
    for (const [group, page] of this.#pages) {
      if (this.#pages.size <= this.#maxPages) break;
      if (group !== keep && !page.dirty) {
        this.#pages.delete(group);
        this.#byGroup[group] = undefined;
        this.#slabViewByGroup[group] = undefined;
        this.#dirtyByGroup[group] = false;
        this.#slabs.release(page.slot);
      }
    }
  }
}
