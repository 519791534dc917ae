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
 * until they are written.
 */
import type { PageLayout } from './layout.ts';
import type { PageMedium } from './types.ts';

/** One guard page in memory. */
export interface GuardPage {
  readonly buf: Buffer;
  readonly view: DataView;
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
  /** Their views, by group too: a read needs only the view, and one pointer less to chase is one cache miss less. */
  readonly #viewByGroup: (DataView | undefined)[] = [];
  readonly #dirty = new Set<number>();
  readonly #loading = new Map<number, Promise<GuardPage>>();

  constructor(medium: PageMedium, layout: PageLayout, maxBytes: number) {
    this.#medium = medium;
    this.#layout = layout;
    this.#maxPages = Math.max(16, Math.floor(maxBytes / layout.pageSize));
  }

  /** The guard page of `group` when it is in memory (the hot path: no promise). */
  cached(group: number): GuardPage | undefined {
    return this.#byGroup[group];
  }

  /** The view of the guard page of `group` when it is in memory (the read hot path). */
  cachedView(group: number): DataView | undefined {
    return this.#viewByGroup[group];
  }

  /** The guard page of `group`, read from the medium if it is not in memory. */
  get(group: number): GuardPage | Promise<GuardPage> {
    return this.#byGroup[group] ?? this.#load(group);
  }

  /** Marks `page` (the table's page of `group`) changed; it stays in memory until {@link writeDirty} writes it. */
  markDirty(group: number, page: GuardPage): void {
    if (page.dirty) return;
    page.dirty = true;
    this.#dirty.add(group);
  }

  /** Writes every dirty guard page to the medium (no sync: the caller syncs after). */
  async writeDirty(): Promise<void> {
    for (const group of [...this.#dirty]) {
      const page = this.#pages.get(group);
      this.#dirty.delete(group);
      if (page === undefined) continue;
      page.dirty = false;
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
    const buf = Buffer.allocUnsafeSlow(this.#layout.pageSize);
    const pending = this.#medium.read(this.#layout.guardPageOffset(group), buf);
    if (pending === undefined) return this.#install(group, buf);
    const done = pending.then(() => this.#install(group, buf));
    this.#loading.set(group, done);
    void done.finally(() => this.#loading.delete(group)).catch(() => {});
    return done;
  }

  #install(group: number, buf: Buffer): GuardPage {
    // Another load of this group may have finished first (a write may already have changed it): keep that one.
    const kept = this.#pages.get(group);
    if (kept !== undefined) return kept;
    const page = { buf, view: new DataView(buf.buffer, buf.byteOffset, buf.length), dirty: false };
    this.#pages.set(group, page);
    this.#byGroup[group] = page;
    this.#viewByGroup[group] = page.view;
    this.#evict(group);
    return page;
  }

  /**
   * Drops clean guard pages, oldest loaded first, while more than the limit are in memory; never `keep` (the
   * one just loaded). A page dropped while a read still holds it stays valid for that read (clean means equal
   * to the medium); writes change a guard only on a page they have just found in the table, synchronously,
   * and mark it dirty in the same step, so no change is made to a dropped page.
   */
  #evict(keep?: number): void {
    if (this.#pages.size <= this.#maxPages) return;
    for (const [group, page] of this.#pages) {
      if (this.#pages.size <= this.#maxPages) break;
      if (group !== keep && !page.dirty) {
        this.#pages.delete(group);
        this.#byGroup[group] = undefined;
        this.#viewByGroup[group] = undefined;
      }
    }
  }
}
