/**
 * The block package's own xxh64 (a wasm module of its own, digest read back as 32-bit halves) must give
 * xxHash's XXH64 values exactly: every guard, journal record and header written before it was a hash made by
 * the reference `xxhash-wasm` package, and images must stay readable. Checked over every length of the
 * algorithm's branches (under and over a 32-byte stripe, each tail), page sizes, and inputs past the module's
 * first 64 KiB of memory (which it grows), then small again.
 */
import xxhash from 'xxhash-wasm';
import { describe, expect, it } from 'vitest';
import { loadHash64, loadHash64Halves } from '../src/hash.ts';

/** Bytes that differ at every position and between lengths. */
function bytes(length: number, salt: number): Uint8Array {
  const b = new Uint8Array(length);
  let x = (length * 2654435761 + salt) >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

const LENGTHS = [...Array.from({ length: 130 }, (_, i) => i), 255, 256, 511, 512, 4095, 4096, 4097, 65536 - 16, 65536, 200_000, 7, 4096];

describe('xxh64', () => {
  it('matches the reference XXH64 (seed 0) as a bigint and as halves, at every length', async () => {
    const reference = await xxhash();
    const hash = await loadHash64();
    const halves = await loadHash64Halves();
    for (const [salt, length] of LENGTHS.entries()) {
      const data = bytes(length, salt);
      const want = reference.h64Raw(data);
      expect(hash(data), `length ${length}`).toBe(want);
      const h = halves(data);
      expect([h[0], h[1]], `length ${length}`).toEqual([Number(want & 0xffffffffn), Number(want >> 32n)]);
    }
  });

  it('hashes a Buffer view at an offset of its pool the same as a copy of its bytes', async () => {
    const reference = await xxhash();
    const hash = await loadHash64();
    const pool = Buffer.from(bytes(9000, 3));
    const view = pool.subarray(13, 13 + 4096);
    expect(hash(view)).toBe(reference.h64Raw(Uint8Array.from(view)));
  });
});
