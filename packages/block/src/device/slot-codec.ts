/**
 * Encoding and checking one slot's 32-byte trailer (see `slot-device.ts` for the layout):
 *
 *   [payload: pageSize][page u64][tag u64][flags u32][reserved u32][xxh64 of everything before it]
 *
 * This is the per-page cost every read and write pays on top of the pread/pwrite, so it is written for the
 * hot path (issue 4's goal: the device within 0.8× of raw pread/pwrite): fields are read and written through
 * `DataView`s, and on reads the xxh64 `bigint` is split into two 32-bit halves through one reused `DataView`
 * and compared with the stored words as plain numbers, instead of `readBigUInt64LE`, which builds further
 * `bigint`s on every call. Nothing here allocates except the hash's own result (and the view of the bytes it
 * covers, when the caller has none cached).
 */
import type { Hash64 } from '../hash.ts';
import { SLOT_TRAILER } from './types.ts';

const FLAG_WRITTEN = 1;
const TWO32 = 2 ** 32;

/** A `DataView` over exactly the bytes of `buf` (same offsets), for {@link SlotCodec}. */
export function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.length);
}

/**
 * Stamps and verifies slot trailers for one page size. Callers pass the slot's bytes twice: as the `Buffer`
 * and as a `DataView` over the same bytes (made once per buffer, see {@link viewOf}) — `DataView` accessors
 * compile to plain loads and stores, where `Buffer#readUInt32LE`/`writeUInt32LE` validate every call, which
 * cost a visible share of a 4 KiB operation.
 */
export class SlotCodec {
  readonly #hash: Hash64;
  readonly #pageSize: number;
  readonly #slot: number;
  readonly #zeroSlot: Buffer;
  /** The last hash, as little-endian bytes (read back as two u32 halves, independent of host byte order). */
  readonly #digest = new DataView(new ArrayBuffer(8));

  constructor(hash: Hash64, pageSize: number) {
    this.#hash = hash;
    this.#pageSize = pageSize;
    this.#slot = pageSize + SLOT_TRAILER;
    this.#zeroSlot = Buffer.alloc(this.#slot);
  }

  /**
   * Writes the trailer of the slot at `at` (its payload is already in place): page number, tag (as two u32
   * halves, so tags and pages up to 2^53 need no `bigint`), the written flag and the xxh64. `covered`, when
   * given, must be `buf.subarray(at, at + pageSize + 24)` (a cached view saves creating one).
   */
  stamp(buf: Buffer, view: DataView, at: number, page: number, tagLo: number, tagHi: number, covered?: Uint8Array): void {
    const t = at + this.#pageSize;
    view.setUint32(t, page % TWO32, true);
    view.setUint32(t + 4, Math.floor(page / TWO32), true);
    view.setUint32(t + 8, tagLo, true);
    view.setUint32(t + 12, tagHi, true);
    view.setUint32(t + 16, FLAG_WRITTEN, true);
    view.setUint32(t + 20, 0, true);
    view.setBigUint64(t + 24, this.#hash(covered ?? buf.subarray(at, t + 24)), true);
  }

  /**
   * Returns why the slot at `at` is bad for `page`, or undefined when it is good: a torn or corrupt slot fails
   * the xxh64 (or is an "unwritten" slot that is not all zeros), a misdirected one carries another page
   * number, a stale one another tag than `expectTag` (when given). An unwritten slot (all zeros) is good and
   * reads as zeros with tag 0. `covered` as for {@link stamp}.
   */
  verify(buf: Buffer, view: DataView, at: number, page: number, expectTag: number | undefined, covered?: Uint8Array): string | undefined {
    const t = at + this.#pageSize;
    if (view.getUint32(t + 16, true) === 0) {
      if (buf.compare(this.#zeroSlot, 0, this.#slot, at, at + this.#slot) !== 0) return 'torn or corrupt (unstamped slot holds data)';
      if (expectTag !== undefined && expectTag !== 0) return `stale (unwritten, expected tag ${expectTag})`;
      return undefined;
    }
    const digest = this.#digest;
    digest.setBigUint64(0, this.#hash(covered ?? buf.subarray(at, t + 24)), true);
    if (view.getUint32(t + 24, true) !== digest.getUint32(0, true) || view.getUint32(t + 28, true) !== digest.getUint32(4, true)) {
      return 'torn or corrupt (checksum mismatch)';
    }
    const got = view.getUint32(t, true) + view.getUint32(t + 4, true) * TWO32;
    if (got !== page) return `misdirected (holds page ${got})`;
    if (expectTag !== undefined) {
      const tag = view.getUint32(t + 8, true) + view.getUint32(t + 12, true) * TWO32;
      if (tag !== expectTag) return `stale (tag ${tag}, expected ${expectTag})`;
    }
    return undefined;
  }
}
