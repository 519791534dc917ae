/**
 * The page device's operations (opened by `page-device.ts`): page-aligned data with 32-byte guards in guard
 * pages (layout in `layout.ts`, guard encoding in `guard-codec.ts`, guard pages in memory in `guard-table.ts`).
 * This class checks arguments, counts and times operations, and runs the one-page fast paths itself; reads and
 * writes of several pages (or whose guard page must be loaded first) go through `page-runs.ts`.
 *
 * What a 4 KiB operation costs beyond the raw pread/pwrite of the page (the bench compares the two; measured on a
 * page-cache hit in the bench's `device` scenario): the xxh64 of the page (≈ 0.3 µs, about half of a cached
 * 4 KiB pread on this machine — the floor of the comparison, shown in the bench as "pread + xxh64"), a guard
 * looked up in memory (a cache miss, on random pages: the guards of a 64 MiB device span 512 KiB; reached
 * through the view of its slab, so the guard's bytes are the only miss, see `guard-slabs.ts`), one promise
 * (the device is asynchronous), and for `read(p)` without `into`, a carve of a slab for the caller's buffer.
 * The transfer itself is the same single aligned pread/pwrite as the raw one: straight into the caller's buffer
 * on reads and straight from it on writes, nothing copied. Stats and timing stay off that path (no clock reads
 * unless timing is asked for). A one-page read or write whose guard page is in memory runs as straight-line
 * code that settles without an `await` (an `async` body that may await costs more per call even when it does
 * not), so on a synchronous medium it is the pread/pwrite, the xxh64 and a few field reads and writes of the
 * guard.
 */
import { StorageError } from '@strata/storage';
import type { Hash64, Hash64Halves } from '../hash.ts';
import { corrupted, toStorageError } from '../errors.ts';
import { GuardCodec } from './guard-codec.ts';
import type { GuardPage } from './guard-table.ts';
import { GuardTable } from './guard-table.ts';
import { rewriteHeader } from './header.ts';
import { GUARD_BYTES, PageLayout } from './layout.ts';
import { clearRuns, readRuns, writeRuns } from './page-runs.ts';
import type { PageRunContext } from './page-runs.ts';
import type { LatencyProfile } from './latency.ts';
import { operationDelay, realClock } from './latency.ts';
import type { PageDeviceOptions } from './page-device.ts';
import { CARVED_MAX_BYTES, ReadSlabs } from './read-slabs.ts';
import { countRead, countWrite, createStats, recordLatency, snapshotStats } from './stats.ts';
import type { Clock, DeviceStats, PageDevice, PageMedium, ReadOptions } from './types.ts';

const TWO32 = 2 ** 32;
/** What a single-page write that completed synchronously returns: one settled promise, shared (it holds no value). */
const SETTLED: Promise<void> = Promise.resolve();
/** What a single-page read returns to say its result is still pending (see `#readOne`); never handed out. */
const PENDING: Buffer = Buffer.alloc(0);

/** The page device on a formatted medium of `pageCount` pages; `openPageDevice` reads or writes the header. */
export class GuardedPageDevice implements PageDevice {
  readonly pageSize: number;
  #pageCount: number;
  readonly #layout: PageLayout;
  readonly #medium: PageMedium;
  readonly #hash: Hash64;
  readonly #codec: GuardCodec;
  readonly #guards: GuardTable;
  readonly #stats = createStats();
  readonly #clock: Clock;
  readonly #latency: LatencyProfile | undefined;
  /** Whether operations are timed at all (latency histograms or an emulated medium); see {@link PageDeviceOptions.timing}. */
  readonly #timed: boolean;
  /** Data pages per group (see `layout.ts`), kept here for the single-page paths. */
  readonly #perGroup: number;
  /** What the general paths (`page-runs.ts`) use of this device. */
  readonly #runs: PageRunContext;
  #lastPage = 0;
  #closed = false;

  constructor(medium: PageMedium, hash: Hash64, pageHash: Hash64Halves, pageSize: number, pageCount: number, options: PageDeviceOptions) {
    this.#medium = medium;
    this.#hash = hash;
    this.pageSize = pageSize;
    this.#pageCount = pageCount;
    this.#layout = new PageLayout(pageSize);
    this.#codec = new GuardCodec(pageHash);
    this.#guards = new GuardTable(medium, this.#layout, options.guardCacheBytes ?? 32 * 1024 * 1024, pageCount);
    this.#clock = options.clock ?? realClock;
    this.#latency = options.latency;
    this.#timed = options.latency !== undefined || options.timing === true;
    this.#perGroup = this.#layout.perGroup;
    this.#runs = {
      pageSize,
      layout: this.#layout,
      codec: this.#codec,
      guards: this.#guards,
      medium,
      corrupt: (page, problem) => this.#corrupt(page, problem),
    };
  }

  /** Buffers for reads that return new memory (`read-slabs.ts`). */
  readonly #slabs = new ReadSlabs();

  get pageCount(): number {
    return this.#pageCount;
  }

  #check(page: number, count: number, op: string): void {
    if (this.#closed) throw new StorageError('Unavailable', 'The page device is closed', { op, retryable: false });
    if (!Number.isSafeInteger(page) || !Number.isSafeInteger(count) || page < 0 || count < 0 || page + count > this.#pageCount) {
      throw new StorageError('InvalidArgument', `Pages ${page}..${page + count - 1} are outside the device (0..${this.#pageCount - 1})`, { op });
    }
  }

  /**
   * Makes the operation that started at `t0` last the profile's time: the real I/O already spent counts
   * towards it, so an emulated medium is as slow as the profile says, not the profile plus the host's disk.
   */
  async #emulate(kind: 'read' | 'write' | 'flush', page: number, count: number, t0: number): Promise<void> {
    if (!this.#latency) return;
    const ms = operationDelay(this.#latency, kind, page, count, this.#lastPage, this.#pageCount);
    if (kind !== 'flush') this.#lastPage = page + count;
    const left = ms - (this.#clock.now() - t0);
    if (left > 0) await this.#clock.sleep(left);
  }

  /**
   * Per page: the guard from memory, one pread of the page straight into the result, one xxh64 and the guard
   * checks. Pages of one group are read with one pread; a lone unwritten page reads as zeros without one, except
   * on the one-page fast path, which reads the page before it looks at the guard (see {@link readOne}).
   *
   * One page whose guard page is in memory, on an untimed device, takes {@link readOne}: straight-line code that
   * settles without an `await` when the medium is synchronous. Everything else (and every bad argument, so its
   * error is raised in one place) takes {@link readRun}.
   */
  read(page: number, count = 1, options?: ReadOptions): Promise<Buffer> {
    if (count === 1 && !this.#timed) {
      try {
        const got = this.#readOne(page, options);
        if (got === PENDING) return this.#takePending();
        if (got !== undefined) return this.#settled(got);
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return this.#readRun(page, count, options);
  }

  /** The last buffer a one-page read settled with, and the settled promise of it. */
  #lastOut: Buffer | undefined;
  #lastSettled: Promise<Buffer> | undefined;

  /**
   * A settled promise of `out`. Settling a promise with a `Buffer` looks up `then` along the buffer's prototype
   * chain (a thenable check, ECMA-262 "Promise Resolve Functions"), which costs about as much as the promise
   * itself; reads into one reused buffer (the `pread` pattern) get the same settled promise each time instead:
   * its value is that same buffer, whichever read it came from.
   */
  #settled(out: Buffer): Promise<Buffer> {
    let settled = this.#lastSettled;
    if (out !== this.#lastOut || settled === undefined) {
      settled = Promise.resolve(out);
      this.#lastOut = out;
      this.#lastSettled = settled;
    }
    return settled;
  }

  /** The read {@link readOne} left pending on an asynchronous medium (it returned `PENDING`). */
  #pending: Promise<Buffer> | undefined;

  #takePending(): Promise<Buffer> {
    const p = this.#pending!;
    this.#pending = undefined;
    return p;
  }

  /**
   * One page: the result, or `PENDING` when the medium answered asynchronously (the promise of the result is
   * then in `#pending`), or undefined (before any I/O) when the general path must take it: the guard page is
   * not in memory, or an argument is bad. A sentinel rather than a returned promise, because telling a promise
   * from a `Buffer` (`instanceof`) walks the buffer's prototype chain on every read.
   */
  #readOne(page: number, options: ReadOptions | undefined): Buffer | undefined {
    if (this.#closed || !(page >= 0 && page < this.#pageCount) || !Number.isInteger(page)) return undefined;
    const group = Math.floor(page / this.#perGroup);
    const view = this.#guards.slabView(group);
    if (view === undefined) return undefined;
    const ps = this.pageSize;
    const into = options?.into;
    let out: Buffer;
    if (into === undefined) out = this.#slabs.carve(ps);
    else if (into.length === ps) out = into;
    else if (into.length > ps) out = into.subarray(0, ps);
    else return undefined;
    const at = this.#guards.slabBase(group) + (page - group * this.#perGroup) * GUARD_BYTES;
    const expectTag = options?.expectTag;
    // The page is read before its guard is looked at. The guard is 32 bytes at a random place among the guard
    // pages, seldom in the CPU cache on a random read: looked at after the pread, its cache miss can overlap with
    // the xxh64 of the page; looked at before, it is waited for in full, in front of the system call (measured
    // on random 4 KiB reads from the page cache: 3–8 % more reads per second this way). The price: a lone
    // unwritten page costs a pread here, whose bytes are then replaced by zeros; the general path
    // ({@link readRun}) still reads no unwritten page alone.
    let pending: Promise<void> | undefined;
    try {
      pending = this.#medium.read(this.#layout.dataOffset(page), out);
    } catch (e) {
      throw toStorageError(e, 'read');
    }
    if (pending !== undefined) {
      this.#pending = this.#checkAfter(pending, out, page, expectTag);
      return PENDING;
    }
    return this.#checkOne(view, at, out, page, expectTag);
  }

  /**
   * {@link readOne} on an asynchronous medium: the guard page is looked up again after the wait (while the read
   * was pending it may have been dropped from the table and its memory reused for another group).
   */
  async #checkAfter(pending: Promise<void>, out: Buffer, page: number, expectTag: number | undefined): Promise<Buffer> {
    const { guards, at } = await this.#guardAfter(pending, page, 'read');
    return this.#checkOne(guards.view, at, out, page, expectTag);
  }

  /**
   * Waits for a single-page I/O on an asynchronous medium, then looks the page's guard up again: while the I/O
   * was pending its guard page may have been dropped from the table and its memory reused for another group.
   */
  async #guardAfter(pending: Promise<void>, page: number, op: 'read' | 'write'): Promise<{ guards: GuardPage; group: number; at: number }> {
    try {
      await pending;
    } catch (e) {
      throw toStorageError(e, op);
    }
    const group = Math.floor(page / this.#perGroup);
    const guards = this.#guards.cached(group) ?? (await this.#guards.current(group, op));
    return { guards, group, at: (page - group * this.#perGroup) * GUARD_BYTES };
  }

  /**
   * Checks one page read by {@link readOne} against its guard: a written guard must match the bytes read; an
   * unwritten one must be all zeros, and the page then reads as zeros whatever the medium held. Counts the read
   * and returns the page.
   */
  #checkOne(view: DataView, at: number, out: Buffer, page: number, expectTag: number | undefined): Buffer {
    const codec = this.#codec;
    let problem: string | undefined;
    if (codec.isWritten(view, at)) problem = codec.verify(view, at, out, page, expectTag);
    else {
      problem = codec.checkUnwritten(view, at, expectTag);
      out.fill(0);
    }
    if (problem !== undefined) this.#corrupt(page, problem);
    countRead(this.#stats, 1, out.length);
    return out;
  }

  #corrupt(page: number, problem: string): never {
    this.#stats.corruptPages++;
    throw corrupted(`Page ${page}: ${problem}`);
  }

  /** Any read: pages in runs of one group, each run one pread (`page-runs.ts`; see {@link read}). */
  async #readRun(page: number, count: number, options: ReadOptions | undefined): Promise<Buffer> {
    this.#check(page, count, 'read');
    const ps = this.pageSize;
    const bytes = count * ps;
    const into = options?.into;
    if (into !== undefined && into.length < bytes) {
      throw new StorageError('InvalidArgument', `Read of ${count} pages into a buffer of ${into.length} bytes (needs ${bytes})`, { op: 'read' });
    }
    const t0 = this.#timed ? this.#clock.now() : 0;
    const out = into !== undefined ? (into.length === bytes ? into : into.subarray(0, bytes)) : bytes <= CARVED_MAX_BYTES ? this.#slabs.carve(bytes) : Buffer.allocUnsafe(bytes);
    await readRuns(this.#runs, page, count, out, options?.expectTag);
    if (this.#latency) await this.#emulate('read', page, count, t0);
    countRead(this.#stats, count, bytes);
    if (this.#timed) recordLatency(this.#stats.latency.read, this.#clock.now() - t0);
    return out;
  }

  /**
   * One pwrite per group straight from `data` (it must not change until the write resolves), then the guards
   * in memory; they reach the medium at the next flush. Until then a crash may leave the page reading as
   * `Corrupted` (see `guard-table.ts`).
   *
   * One page whose guard page is in memory, on an untimed device, takes {@link writeOne} (no `await` on a
   * synchronous medium); everything else, bad arguments included, {@link writeRun}.
   */
  write(page: number, data: Uint8Array, tag = 0): Promise<void> {
    if (data.length === this.pageSize && !this.#timed) {
      try {
        const got = this.#writeOne(page, data, tag);
        if (got !== undefined) return got;
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return this.#writeRun(page, data, tag);
  }

  /**
   * One page: a settled promise when the medium wrote synchronously, a pending one otherwise, or undefined
   * (before any I/O) when the general path must take it: the guard page is not in memory, or an argument is bad.
   */
  #writeOne(page: number, data: Uint8Array, tag: number): Promise<void> | undefined {
    if (this.#closed || !(page >= 0 && page < this.#pageCount) || !Number.isInteger(page)) return undefined;
    const perGroup = this.#perGroup;
    const group = Math.floor(page / perGroup);
    const guards = this.#guards;
    const view = guards.slabView(group);
    if (view === undefined) return undefined;
    let pending: Promise<void> | undefined;
    try {
      // `dataOffset` inline (see `layout.ts`): the header, the group's guard pages and the pages before it.
      pending = this.#medium.write((page + group + 2) * this.pageSize, data);
    } catch (e) {
      throw toStorageError(e, 'write');
    }
    if (pending !== undefined) return this.#stampAfter(pending, page, data, tag);
    // The guard page was in memory before the pwrite and nothing has awaited since: it is still the table's.
    // `>>> 0` is `tag % 2^32` as the guard stores it; a tag below 2^32 (the usual case) needs no division.
    const tagLo = tag >>> 0;
    this.#codec.stamp(view, guards.slabBase(group) + (page - group * perGroup) * GUARD_BYTES, data, page, tagLo, tag === tagLo ? 0 : Math.floor(tag / TWO32));
    guards.markGroupDirty(group);
    countWrite(this.#stats, 1, data.length);
    return SETTLED;
  }

  /** {@link writeOne} on an asynchronous medium: the guard page is looked up again after the wait. */
  async #stampAfter(pending: Promise<void>, page: number, data: Uint8Array, tag: number): Promise<void> {
    const { guards, group, at } = await this.#guardAfter(pending, page, 'write');
    // `>>> 0` is `tag % 2^32` as the guard stores it (an unsigned 32-bit field), without a float remainder.
    this.#codec.stamp(guards.view, at, data, page, tag >>> 0, Math.floor(tag / TWO32));
    this.#guards.markDirty(group, guards);
    countWrite(this.#stats, 1, data.length);
  }

  /** Any write: pages in runs of one group, each run one pwrite (`page-runs.ts`; see {@link write}). */
  async #writeRun(page: number, data: Uint8Array, tag: number): Promise<void> {
    const ps = this.pageSize;
    if (data.length % ps !== 0) throw new StorageError('InvalidArgument', `Write of ${data.length} bytes is not a multiple of the page size ${ps}`);
    const count = data.length / ps;
    this.#check(page, count, 'write');
    const t0 = this.#timed ? this.#clock.now() : 0;
    await writeRuns(this.#runs, page, data, tag >>> 0, Math.floor(tag / TWO32));
    if (this.#latency) await this.#emulate('write', page, count, t0);
    countWrite(this.#stats, count, data.length);
    if (this.#timed) recordLatency(this.#stats.latency.write, this.#clock.now() - t0);
  }

  /** Writes the dirty guard pages, then syncs the medium: data and guards written before the call are durable. */
  async flush(): Promise<void> {
    this.#check(0, 0, 'flush');
    const t0 = this.#timed ? this.#clock.now() : 0;
    try {
      await this.#guards.writeDirty();
      await this.#medium.sync();
    } catch (e) {
      throw toStorageError(e, 'flush');
    }
    if (this.#latency) await this.#emulate('flush', 0, 0, t0);
    this.#stats.flushes++;
    if (this.#timed) recordLatency(this.#stats.latency.flush, this.#clock.now() - t0);
  }

  async discard(page: number, count: number): Promise<void> {
    await this.writeZeroes(page, count);
    this.#stats.discards++;
  }

  /** Marks the pages unwritten: only their guards change (an unwritten page reads as zeros without a pread). */
  async writeZeroes(page: number, count: number): Promise<void> {
    this.#check(page, count, 'writeZeroes');
    await clearRuns(this.#runs, page, count);
  }

  async grow(newCount: number): Promise<void> {
    this.#check(0, 0, 'grow');
    if (!Number.isSafeInteger(newCount) || newCount <= this.#pageCount) return;
    await this.#medium.resize(this.#layout.mediumBytes(newCount));
    await rewriteHeader(this.#medium, { pageSize: this.pageSize, pageCount: newCount }, this.#hash);
    this.#pageCount = newCount;
  }

  stats(): DeviceStats {
    return snapshotStats(this.#stats);
  }

  /**
   * Writes the dirty guard pages (no sync: a close is not a flush, but the image then reads back as written
   * when reopened after a clean shutdown) and closes the medium.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#guards.writeDirty();
    } catch (e) {
      throw toStorageError(e, 'close');
    } finally {
      await this.#medium.close();
    }
  }
}
