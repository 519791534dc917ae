/**
 * The page device over a medium. Layout: slot 0 is the header region; page p lives in slot p + 1 at byte
 * offset (p + 1) × slotSize. A slot is the payload followed by a 32-byte trailer:
 *
 *   [payload: pageSize][page u64][tag u64][flags u32][reserved u32][xxh64 of everything before it]
 *
 * A slot whose trailer and payload are all zeros is "unwritten" (fresh, discarded or zeroed) and reads as
 * zeros with tag 0. Multi-page reads and writes are one medium call (one pread/pwrite) over one buffer: no
 * per-page allocation, which keeps the device within reach of raw pread/pwrite throughput.
 *
 * What a 4 KiB operation costs beyond the raw pread/pwrite of the page (issue 4; measured on a page-cache hit,
 * see the bench's `device` scenario): the slot is 4128 bytes, so it spans two file-system pages instead of one
 * (≈ +0.15 µs per read, +0.45 µs per random write); the xxh64 of the slot (≈ 0.3 µs); one more promise (the
 * device is asynchronous); and for `read(p)` without `into`, fresh memory for the caller's buffer
 * (≈ 0.3–0.5 µs). Everything else — stats, timing, trailer encoding — is kept off that path or to a few loads
 * and stores: no clock reads unless timing is asked for, no `bigint` arithmetic, reused slot buffers.
 */
import { StorageError } from '@strata/storage';
import type { Hash64 } from '../hash.ts';
import { loadHash64 } from '../hash.ts';
import { corrupted, toStorageError } from '../errors.ts';
import { decodeHeaderRegion, encodeHeader, encodeHeaderRegion, HEADER_COPY_OFFSETS } from './header.ts';
import type { LatencyProfile } from './latency.ts';
import { operationDelay, realClock } from './latency.ts';
import { SlotBufferPool } from './slot-buffers.ts';
import { SlotCodec, viewOf } from './slot-codec.ts';
import { createStats, recordLatency, snapshotStats } from './stats.ts';
import type { Clock, DeviceStats, PageDevice, PageMedium, ReadOptions } from './types.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MIN_PAGE_SIZE, SLOT_TRAILER } from './types.ts';

const TWO32 = 2 ** 32;

/** Options of {@link openSlotDevice}. */
export interface SlotDeviceOptions {
  /** Format the medium with this geometry (it must be empty) instead of reading its header. */
  create?: { pageSize?: number; pageCount: number };
  /** Emulated media latency. @default none */
  latency?: LatencyProfile;
  /** Time source for latency and stats. @default the real clock */
  clock?: Clock;
  /**
   * Time every operation into the latency histograms of {@link PageDevice.stats}. Off by default: it costs two
   * clock reads and a histogram update per operation (≈ 0.1 µs, several percent of a page-cache pread — issue
   * 4 compares the device with raw pread). The operation, page and byte counters are kept either way, and a
   * device with an emulated latency profile always times (it needs the clock anyway).
   * @default false
   */
  timing?: boolean;
}

/** Throws `InvalidArgument` unless `pageSize` is a power of two in 512..65536. */
export function assertPageSize(pageSize: number): void {
  if (!Number.isInteger(pageSize) || pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE || (pageSize & (pageSize - 1)) !== 0) {
    throw new StorageError('InvalidArgument', `pageSize must be a power of two from ${MIN_PAGE_SIZE} to ${MAX_PAGE_SIZE}, got ${pageSize}`);
  }
}

/** Opens (or formats) a page device on `medium`. */
export async function openSlotDevice(medium: PageMedium, options: SlotDeviceOptions = {}): Promise<PageDevice> {
  const hash = await loadHash64();
  let pageSize: number;
  let pageCount: number;
  if (options.create) {
    pageSize = options.create.pageSize ?? DEFAULT_PAGE_SIZE;
    assertPageSize(pageSize);
    pageCount = options.create.pageCount;
    if (!Number.isSafeInteger(pageCount) || pageCount < 1) throw new StorageError('InvalidArgument', `pageCount must be a positive integer, got ${pageCount}`);
    const slot = pageSize + SLOT_TRAILER;
    await medium.write(0, encodeHeaderRegion({ pageSize, pageCount }, slot, hash));
    await medium.resize(slot * (pageCount + 1));
    await medium.sync();
  } else {
    const first = Buffer.alloc(MIN_PAGE_SIZE);
    await medium.read(0, first);
    ({ pageSize, pageCount } = decodeHeaderRegion(first, hash));
    assertPageSize(pageSize);
  }
  return new SlotDevice(medium, hash, pageSize, pageCount, options);
}

class SlotDevice implements PageDevice {
  readonly pageSize: number;
  #pageCount: number;
  readonly #slot: number;
  readonly #medium: PageMedium;
  readonly #hash: Hash64;
  readonly #codec: SlotCodec;
  readonly #stats = createStats();
  readonly #clock: Clock;
  readonly #latency: LatencyProfile | undefined;
  /** Whether operations are timed at all (latency histograms or an emulated medium); see {@link SlotDeviceOptions.timing}. */
  readonly #timed: boolean;
  #lastPage = 0;
  #closed = false;
  /** The reused slot buffer of single-page writes and of single-page reads into a caller's buffer. */
  readonly #slots: SlotBufferPool;
  /** A reusable buffer for multi-page writes (taken while in use, like {@link SlotBufferPool}). */
  #many: { buf: Buffer; view: DataView } | undefined;

  constructor(medium: PageMedium, hash: Hash64, pageSize: number, pageCount: number, options: SlotDeviceOptions) {
    this.#medium = medium;
    this.#hash = hash;
    this.pageSize = pageSize;
    this.#pageCount = pageCount;
    this.#slot = pageSize + SLOT_TRAILER;
    this.#codec = new SlotCodec(hash, pageSize);
    this.#slots = new SlotBufferPool(this.#slot, pageSize + 24);
    this.#clock = options.clock ?? realClock;
    this.#latency = options.latency;
    this.#timed = options.latency !== undefined || options.timing === true;
  }

  /**
   * Read buffers are carved from 1 MiB slabs (as Node's own Buffer pool does for small buffers): a fresh
   * ArrayBuffer per 4 KiB read costs more than the pread itself. Returns the offset of `bytes` in {@link #slab}.
   */
  #slab = Buffer.allocUnsafe(0);
  #slabView = viewOf(this.#slab);
  #slabUsed = 0;
  #carve(bytes: number): number {
    if (this.#slabUsed + bytes > this.#slab.length) {
      this.#slab = Buffer.allocUnsafe(1 << 20);
      this.#slabView = viewOf(this.#slab);
      this.#slabUsed = 0;
    }
    const at = this.#slabUsed;
    // Keep views 8-byte aligned.
    this.#slabUsed += (bytes + 7) & ~7;
    return at;
  }

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
   * The hot path (issue 4: within 0.8× of raw pread) does, per page: one pread of the slot (no promise when the
   * medium completes synchronously, see {@link PageMedium.read}), one xxh64 and the trailer checks, and — only
   * when timing is on — two clock reads. Without `into`, the slot is read straight into a slab carve that
   * becomes the caller's buffer; with `into`, into a reused slot buffer whose payload is then copied to `into`.
   */
  async read(page: number, count = 1, options?: ReadOptions): Promise<Buffer> {
    this.#check(page, count, 'read');
    const ps = this.pageSize;
    const into = options?.into;
    if (into !== undefined && into.length < count * ps) {
      throw new StorageError('InvalidArgument', `Read of ${count} pages into a buffer of ${into.length} bytes (needs ${count * ps})`, { op: 'read' });
    }
    const t0 = this.#timed ? this.#clock.now() : 0;
    const slot = this.#slot;
    const bytes = count * slot;
    const lease = into !== undefined && count === 1 ? this.#slots.take() : undefined;
    let buf: Buffer;
    let view: DataView;
    let at = 0;
    if (lease !== undefined) {
      buf = lease.buf;
      view = lease.view;
    } else if (bytes <= 1 << 18) {
      at = this.#carve(bytes);
      buf = this.#slab;
      view = this.#slabView;
    } else {
      buf = Buffer.allocUnsafe(bytes);
      view = viewOf(buf);
    }
    try {
      try {
        const pending = this.#medium.read((page + 1) * slot, at === 0 && buf.length === bytes ? buf : buf.subarray(at, at + bytes));
        if (pending !== undefined) await pending;
      } catch (e) {
        throw toStorageError(e, 'read');
      }
      const expectTag = options?.expectTag;
      for (let i = 0; i < count; i++) {
        const from = at + i * slot;
        const problem = this.#codec.verify(buf, view, from, page + i, expectTag, lease?.covered ?? (count === 1 ? buf.subarray(from, from + ps + 24) : undefined));
        if (problem) {
          this.#stats.corruptPages++;
          throw corrupted(`Page ${page + i}: ${problem}`);
        }
        if (into !== undefined) buf.copy(into, i * ps, from, from + ps);
        // Compact payloads in place: payload i moves from i×slot to i×pageSize (never overlapping forwards).
        else if (i > 0) buf.copyWithin(at + i * ps, from, from + ps);
      }
    } finally {
      if (lease !== undefined) this.#slots.give(lease);
    }
    if (this.#latency) await this.#emulate('read', page, count, t0);
    const s = this.#stats;
    s.reads++;
    s.pagesRead += count;
    s.bytesRead += count * ps;
    if (this.#timed) recordLatency(s.latency.read, this.#clock.now() - t0);
    if (into !== undefined) return into.length === count * ps ? into : into.subarray(0, count * ps);
    return buf.subarray(at, at + count * ps);
  }

  async write(page: number, data: Uint8Array, tag = 0): Promise<void> {
    const ps = this.pageSize;
    if (data.length % ps !== 0) throw new StorageError('InvalidArgument', `Write of ${data.length} bytes is not a multiple of the page size ${ps}`);
    const count = data.length / ps;
    this.#check(page, count, 'write');
    const t0 = this.#timed ? this.#clock.now() : 0;
    const slot = this.#slot;
    const bytes = count * slot;
    const tagLo = tag % TWO32;
    const tagHi = Math.floor(tag / TWO32);
    const lease = count === 1 ? this.#slots.take() : undefined;
    let many: { buf: Buffer; view: DataView } | undefined;
    let buf: Buffer;
    if (lease !== undefined) {
      buf = lease.buf;
      buf.set(data, 0);
      this.#codec.stamp(buf, lease.view, 0, page, tagLo, tagHi, lease.covered);
    } else {
      const kept = this.#many;
      this.#many = undefined;
      many = kept !== undefined && kept.buf.length >= bytes ? kept : undefined;
      if (many === undefined) {
        const fresh = Buffer.allocUnsafe(bytes);
        many = { buf: fresh, view: viewOf(fresh) };
      }
      buf = many.buf;
      for (let i = 0; i < count; i++) {
        buf.set(data.subarray(i * ps, (i + 1) * ps), i * slot);
        this.#codec.stamp(buf, many.view, i * slot, page + i, tagLo, tagHi);
      }
    }
    try {
      const pending = this.#medium.write((page + 1) * slot, buf.length === bytes ? buf : buf.subarray(0, bytes));
      if (pending !== undefined) await pending;
    } catch (e) {
      throw toStorageError(e, 'write');
    } finally {
      if (lease !== undefined) this.#slots.give(lease);
      else if (many !== undefined && buf.length <= 1 << 20 && (this.#many === undefined || this.#many.buf.length < buf.length)) {
        // Keep the larger buffer for the next multi-page write, up to 1 MiB.
        this.#many = many;
      }
    }
    if (this.#latency) await this.#emulate('write', page, count, t0);
    const s = this.#stats;
    s.writes++;
    s.pagesWritten += count;
    s.bytesWritten += data.length;
    if (this.#timed) recordLatency(s.latency.write, this.#clock.now() - t0);
  }

  async flush(): Promise<void> {
    this.#check(0, 0, 'flush');
    const t0 = this.#timed ? this.#clock.now() : 0;
    try {
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

  async writeZeroes(page: number, count: number): Promise<void> {
    this.#check(page, count, 'writeZeroes');
    // Unwritten slots are all zeros; write them in bounded chunks.
    const perChunk = Math.max(1, Math.floor((1 << 20) / this.#slot));
    const zeros = Buffer.alloc(Math.min(count, perChunk) * this.#slot);
    for (let p = page; p < page + count; p += perChunk) {
      const n = Math.min(perChunk, page + count - p);
      await this.#medium.write((p + 1) * this.#slot, zeros.subarray(0, n * this.#slot));
    }
  }

  async grow(newCount: number): Promise<void> {
    this.#check(0, 0, 'grow');
    if (!Number.isSafeInteger(newCount) || newCount <= this.#pageCount) return;
    const hash = this.#hash;
    await this.#medium.resize(this.#slot * (newCount + 1));
    const h = encodeHeader({ pageSize: this.pageSize, pageCount: newCount }, hash);
    // One copy at a time, each made durable, so a crash leaves one valid copy.
    for (const o of HEADER_COPY_OFFSETS) {
      await this.#medium.write(o, h);
      await this.#medium.sync();
    }
    this.#pageCount = newCount;
  }

  stats(): DeviceStats {
    return snapshotStats(this.#stats);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#medium.close();
  }
}
