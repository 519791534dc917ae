/**
 * The page device over a medium. Layout: slot 0 is the header region; page p lives in slot p + 1 at byte
 * offset (p + 1) × slotSize. A slot is the payload followed by a 32-byte trailer:
 *
 *   [payload: pageSize][page u64][tag u64][flags u32][reserved u32][xxh64 of everything before it]
 *
 * A slot whose trailer and payload are all zeros is "unwritten" (fresh, discarded or zeroed) and reads as
 * zeros with tag 0. Multi-page reads and writes are one medium call (one pread/pwrite) over one buffer: no
 * per-page allocation, which keeps the device within reach of raw pread/pwrite throughput.
 */
import { StorageError } from '@strata/storage';
import type { Hash64 } from '../hash.ts';
import { loadHash64 } from '../hash.ts';
import { corrupted, toStorageError } from '../errors.ts';
import { decodeHeaderRegion, encodeHeader, encodeHeaderRegion, HEADER_COPY_OFFSETS } from './header.ts';
import type { LatencyProfile } from './latency.ts';
import { operationDelay, realClock } from './latency.ts';
import { createStats, recordLatency, snapshotStats } from './stats.ts';
import type { Clock, DeviceStats, PageDevice, PageMedium, ReadOptions } from './types.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MIN_PAGE_SIZE, SLOT_TRAILER } from './types.ts';

const FLAG_WRITTEN = 1;
const TWO32 = 2 ** 32;

/** Options of {@link openSlotDevice}. */
export interface SlotDeviceOptions {
  /** Format the medium with this geometry (it must be empty) instead of reading its header. */
  create?: { pageSize?: number; pageCount: number };
  /** Emulated media latency. @default none */
  latency?: LatencyProfile;
  /** Time source for latency and stats. @default the real clock */
  clock?: Clock;
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
  readonly #zeroSlot: Buffer;
  readonly #stats = createStats();
  readonly #clock: Clock;
  readonly #latency: LatencyProfile | undefined;
  #lastPage = 0;
  #closed = false;
  /** A reusable slot buffer for writes (one in flight at a time uses it; concurrent writes allocate). */
  #scratch: Buffer | undefined;

  constructor(medium: PageMedium, hash: Hash64, pageSize: number, pageCount: number, options: SlotDeviceOptions) {
    this.#medium = medium;
    this.#hash = hash;
    this.pageSize = pageSize;
    this.#pageCount = pageCount;
    this.#slot = pageSize + SLOT_TRAILER;
    this.#zeroSlot = Buffer.alloc(this.#slot);
    this.#clock = options.clock ?? realClock;
    this.#latency = options.latency;
  }

  /**
   * Read buffers are carved from 1 MiB slabs (as Node's own Buffer pool does for small buffers): a fresh
   * ArrayBuffer per 4 KiB read costs more than the pread itself.
   */
  #slab = Buffer.allocUnsafe(0);
  #slabUsed = 0;
  #take(bytes: number): Buffer {
    if (bytes > 1 << 18) return Buffer.allocUnsafe(bytes);
    if (this.#slabUsed + bytes > this.#slab.length) {
      this.#slab = Buffer.allocUnsafe(1 << 20);
      this.#slabUsed = 0;
    }
    const b = this.#slab.subarray(this.#slabUsed, this.#slabUsed + bytes);
    // Keep views 8-byte aligned.
    this.#slabUsed += (bytes + 7) & ~7;
    return b;
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

  async read(page: number, count = 1, options: ReadOptions = {}): Promise<Buffer> {
    this.#check(page, count, 'read');
    const t0 = this.#clock.now();
    const slot = this.#slot;
    const ps = this.pageSize;
    const buf = this.#take(count * slot);
    try {
      await this.#medium.read((page + 1) * slot, buf);
    } catch (e) {
      throw toStorageError(e, 'read');
    }
    for (let i = 0; i < count; i++) {
      const at = i * slot;
      const problem = this.#verify(buf, at, page + i, options.expectTag);
      if (problem) {
        this.#stats.corruptPages++;
        throw corrupted(`Page ${page + i}: ${problem}`);
      }
      // Compact payloads in place: payload i moves from i×slot to i×pageSize (never overlapping forwards).
      if (i > 0) buf.copyWithin(i * ps, at, at + ps);
    }
    if (this.#latency) await this.#emulate('read', page, count, t0);
    const s = this.#stats;
    s.reads++;
    s.pagesRead += count;
    s.bytesRead += count * ps;
    recordLatency(s.latency.read, this.#clock.now() - t0);
    return buf.subarray(0, count * ps);
  }

  /** Returns why the slot at `at` is bad, or undefined when it is good. */
  #verify(buf: Buffer, at: number, page: number, expectTag: number | undefined): string | undefined {
    const t = at + this.pageSize;
    const flags = buf.readUInt32LE(t + 16);
    if (flags === 0) {
      if (buf.compare(this.#zeroSlot, 0, this.#slot, at, at + this.#slot) !== 0) return 'torn or corrupt (unstamped slot holds data)';
      if (expectTag !== undefined && expectTag !== 0) return `stale (unwritten, expected tag ${expectTag})`;
      return undefined;
    }
    const stored = buf.readBigUInt64LE(t + 24);
    if (stored !== this.#hash(buf.subarray(at, t + 24))) return 'torn or corrupt (checksum mismatch)';
    const got = buf.readUInt32LE(t) + buf.readUInt32LE(t + 4) * TWO32;
    if (got !== page) return `misdirected (holds page ${got})`;
    if (expectTag !== undefined) {
      const tag = buf.readUInt32LE(t + 8) + buf.readUInt32LE(t + 12) * TWO32;
      if (tag !== expectTag) return `stale (tag ${tag}, expected ${expectTag})`;
    }
    return undefined;
  }

  async write(page: number, data: Uint8Array, tag = 0): Promise<void> {
    const ps = this.pageSize;
    if (data.length % ps !== 0) throw new StorageError('InvalidArgument', `Write of ${data.length} bytes is not a multiple of the page size ${ps}`);
    const count = data.length / ps;
    this.#check(page, count, 'write');
    const t0 = this.#clock.now();
    const slot = this.#slot;
    const bytes = count * slot;
    const scratch = this.#scratch !== undefined && this.#scratch.length >= bytes ? this.#scratch : undefined;
    this.#scratch = undefined;
    const buf = scratch ? scratch.subarray(0, bytes) : Buffer.allocUnsafe(bytes);
    const tagLo = tag % TWO32;
    const tagHi = Math.floor(tag / TWO32);
    for (let i = 0; i < count; i++) {
      const at = i * slot;
      buf.set(data.subarray(i * ps, (i + 1) * ps), at);
      const t = at + ps;
      const p = page + i;
      buf.writeUInt32LE(p % TWO32, t);
      buf.writeUInt32LE(Math.floor(p / TWO32), t + 4);
      buf.writeUInt32LE(tagLo, t + 8);
      buf.writeUInt32LE(tagHi, t + 12);
      buf.writeUInt32LE(FLAG_WRITTEN, t + 16);
      buf.writeUInt32LE(0, t + 20);
      buf.writeBigUInt64LE(this.#hash(buf.subarray(at, t + 24)), t + 24);
    }
    try {
      await this.#medium.write((page + 1) * slot, buf);
    } catch (e) {
      throw toStorageError(e, 'write');
    } finally {
      // Keep the larger buffer for the next write, up to 1 MiB.
      const owned = scratch ?? buf;
      const kept = this.#scratch as Buffer | undefined; // another write may have returned one meanwhile
      if (owned.length <= 1 << 20 && (kept === undefined || kept.length < owned.length)) this.#scratch = owned;
    }
    if (this.#latency) await this.#emulate('write', page, count, t0);
    const s = this.#stats;
    s.writes++;
    s.pagesWritten += count;
    s.bytesWritten += data.length;
    recordLatency(s.latency.write, this.#clock.now() - t0);
  }

  async flush(): Promise<void> {
    this.#check(0, 0, 'flush');
    const t0 = this.#clock.now();
    try {
      await this.#medium.sync();
    } catch (e) {
      throw toStorageError(e, 'flush');
    }
    if (this.#latency) await this.#emulate('flush', 0, 0, t0);
    this.#stats.flushes++;
    recordLatency(this.#stats.latency.flush, this.#clock.now() - t0);
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
