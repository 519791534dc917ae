/**
 * Encoding and checking one page's 32-byte guard (see `layout.ts` for where guards live):
 *
 *   [page u64][tag u64][flags u32][reserved u32][check u64]
 *
 * `check` is the xxh64 of the page's bytes with both 32-bit halves XORed with a mix of page number, tag and
 * flags, so the guard's own fields are covered too: a damaged guard fails the check like a damaged page. A
 * guard of all zeros is an unwritten page (fresh, discarded or zeroed), which reads as zeros with tag 0; a
 * guard whose flags are zero but which holds anything else is damaged.
 *
 * What each check catches, on read: a torn page (half old, half new) or a lost page write fails the xxh64; a
 * misdirected write (landed on another page) fails it too, and a guard copied along with it names another
 * page; a stale page (an older write, when the caller passes the tag it expects) carries another tag.
 *
 * This is the per-page cost of every read and write beyond the pread/pwrite (the bench compares the two), so it
 * is written for the hot path: fields are read and written through `DataView`s, and the xxh64 comes as two
 * 32-bit halves (`hash.ts`: no `bigint` per page) compared as plain numbers.
 */
import type { Hash64Halves } from '../hash.ts';
import { GUARD_BYTES } from './layout.ts';

const FLAG_WRITTEN = 1;
const TWO32 = 2 ** 32;
/** Where the hasher's view holds the digest's low and high 32 bits (valid until its next hash). */
const LOW = 0;
const HIGH = 1;

/** murmur3's 32-bit finaliser: every input bit flips about half the output bits. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Stamps and verifies guards. One instance per device. */
export class GuardCodec {
  readonly #hash: Hash64Halves;

  constructor(hash: Hash64Halves) {
    this.#hash = hash;
  }

  /**
   * Writes the guard at `at` in `guards` for `payload` written to `page` with tag `tagLo + tagHi × 2^32`
   * (two halves, so tags and pages up to 2^53 need no `bigint`).
   */
  stamp(guards: DataView, at: number, payload: Uint8Array, page: number, tagLo: number, tagHi: number): void {
    const pageLo = page < TWO32 ? page >>> 0 : page % TWO32;
    const pageHi = page < TWO32 ? 0 : Math.floor(page / TWO32);
    const d = this.#hash(payload);
    const m1 = fmix32(pageLo ^ fmix32(tagLo ^ FLAG_WRITTEN));
    const m2 = fmix32(pageHi ^ fmix32(tagHi ^ m1));
    guards.setUint32(at, pageLo, true);
    guards.setUint32(at + 4, pageHi, true);
    guards.setUint32(at + 8, tagLo, true);
    guards.setUint32(at + 12, tagHi, true);
    guards.setUint32(at + 16, FLAG_WRITTEN, true);
    guards.setUint32(at + 20, 0, true);
    guards.setUint32(at + 24, (d[LOW]! ^ m1) >>> 0, true);
    guards.setUint32(at + 28, (d[HIGH]! ^ m2) >>> 0, true);
  }

  /** Marks the guard at `at` unwritten (all zeros). */
  clear(guards: DataView, at: number): void {
    for (let i = 0; i < GUARD_BYTES; i += 4) guards.setUint32(at + i, 0, true);
  }

  /** Whether the guard at `at` is a written one (its payload must then pass {@link verify}). */
  isWritten(guards: DataView, at: number): boolean {
    return guards.getUint32(at + 16, true) !== 0;
  }

  /**
   * For a guard that is not {@link isWritten}: undefined when it is all zeros (the page is unwritten and reads
   * as zeros; stale when the caller expects a non-zero tag), otherwise why it is damaged.
   */
  checkUnwritten(guards: DataView, at: number, expectTag: number | undefined): string | undefined {
    for (let i = 0; i < GUARD_BYTES; i += 4) if (guards.getUint32(at + i, true) !== 0) return 'torn or corrupt (damaged guard)';
    if (expectTag !== undefined && expectTag !== 0) return `stale (unwritten, expected tag ${expectTag})`;
    return undefined;
  }

  /** Returns why `payload`, read from `page`, does not match its written guard at `at`, or undefined. */
  verify(guards: DataView, at: number, payload: Uint8Array, page: number, expectTag: number | undefined): string | undefined {
    const pageLo = guards.getUint32(at, true);
    const pageHi = guards.getUint32(at + 4, true);
    const tagLo = guards.getUint32(at + 8, true);
    const tagHi = guards.getUint32(at + 12, true);
    const flags = guards.getUint32(at + 16, true);
    const d = this.#hash(payload);
    const m1 = fmix32(pageLo ^ fmix32(tagLo ^ flags));
    const m2 = fmix32(pageHi ^ fmix32(tagHi ^ m1));
    if (guards.getUint32(at + 24, true) !== (d[LOW]! ^ m1) >>> 0 || guards.getUint32(at + 28, true) !== (d[HIGH]! ^ m2) >>> 0) {
      return 'torn or corrupt (checksum mismatch)';
    }
    if (flags !== FLAG_WRITTEN || guards.getUint32(at + 20, true) !== 0) return 'torn or corrupt (damaged guard)';
    const got = pageLo + pageHi * TWO32;
    if (got !== page) return `misdirected (holds page ${got})`;
    if (expectTag !== undefined) {
      const tag = tagLo + tagHi * TWO32;
      if (tag !== expectTag) return `stale (tag ${tag}, expected ${expectTag})`;
    }
    return undefined;
  }
}
