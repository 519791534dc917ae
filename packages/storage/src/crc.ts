/**
 * Table-driven CRCs in plain JavaScript for S3's flexible checksums (AWS "Checking object integrity"):
 * CRC-32, CRC-32C (Castagnoli) and CRC-64/NVME — the last resort where neither native code nor WebAssembly is
 * available (checksums.ts picks the fastest available; crc-wasm.ts runs the same scheme). All three are
 * reflected, with init and xorout all ones, so one slicing-by-8 scheme serves them. CRC-64 runs on two 32-bit
 * halves so the hot loop never touches BigInt; BigInt appears only in the rare combine step.
 */

/** A running reflected CRC of 32 or 64 bits. */
export interface CrcState {
  update(data: Uint8Array): void;
  /** The final CRC, big-endian bytes (4 or 8). */
  digest(): Buffer;
}

/** Slicing-by-8 tables of a reflected 32-bit CRC: table k maps a byte followed by k zero bytes. */
function tables32(poly: number): Uint32Array[] {
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t0[n] = c >>> 0;
  }
  const out = [t0];
  for (let k = 1; k < 8; k++) {
    const prev = out[k - 1]!;
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) t[n] = (prev[n]! >>> 8) ^ t0[prev[n]! & 0xff]!;
    out.push(t);
  }
  return out;
}

/** Creates a factory of running reflected 32-bit CRCs (init and xorout 0xFFFFFFFF) for `poly`. */
export function crc32Family(poly: number): () => CrcState {
  let t: Uint32Array[] | undefined;
  return () => {
    t ??= tables32(poly);
    const [t0, t1, t2, t3, t4, t5, t6, t7] = t as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
    let crc = 0xffffffff;
    return {
      update(d) {
        let i = 0;
        const n = d.length;
        let c = crc;
        for (; i + 8 <= n; i += 8) {
          c ^= d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24);
          c =
            t7[c & 0xff]! ^
            t6[(c >>> 8) & 0xff]! ^
            t5[(c >>> 16) & 0xff]! ^
            t4[c >>> 24]! ^
            t3[d[i + 4]!]! ^
            t2[d[i + 5]!]! ^
            t1[d[i + 6]!]! ^
            t0[d[i + 7]!]!;
        }
        for (; i < n; i++) c = t0[(c ^ d[i]!) & 0xff]! ^ (c >>> 8);
        crc = c >>> 0;
      },
      digest() {
        const b = Buffer.alloc(4);
        b.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
        return b;
      },
    };
  };
}

/** Slicing-by-8 tables of a reflected 64-bit CRC, as low and high 32-bit halves. */
function tables64(polyHi: number, polyLo: number): { lo: Uint32Array[]; hi: Uint32Array[] } {
  const lo0 = new Uint32Array(256);
  const hi0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let l = n;
    let h = 0;
    for (let k = 0; k < 8; k++) {
      const bit = l & 1;
      l = ((l >>> 1) | (h << 31)) >>> 0;
      h = h >>> 1;
      if (bit) {
        l = (l ^ polyLo) >>> 0;
        h = (h ^ polyHi) >>> 0;
      }
    }
    lo0[n] = l;
    hi0[n] = h;
  }
  const lo = [lo0];
  const hi = [hi0];
  for (let k = 1; k < 8; k++) {
    const pl = lo[k - 1]!;
    const ph = hi[k - 1]!;
    const l = new Uint32Array(256);
    const h = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      const idx = pl[n]! & 0xff;
      l[n] = (((pl[n]! >>> 8) | (ph[n]! << 24)) ^ lo0[idx]!) >>> 0;
      h[n] = ((ph[n]! >>> 8) ^ hi0[idx]!) >>> 0;
    }
    lo.push(l);
    hi.push(h);
  }
  return { lo, hi };
}

/** Creates a factory of running reflected 64-bit CRCs (init and xorout all ones) for the polynomial halves. */
export function crc64Family(polyHi: number, polyLo: number): () => CrcState {
  let t: { lo: Uint32Array[]; hi: Uint32Array[] } | undefined;
  return () => {
    t ??= tables64(polyHi, polyLo);
    const L = t.lo as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
    const H = t.hi as typeof L;
    let cl = 0xffffffff;
    let ch = 0xffffffff;
    return {
      update(d) {
        let i = 0;
        const n = d.length;
        let l = cl;
        let h = ch;
        for (; i + 8 <= n; i += 8) {
          l ^= d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24);
          h ^= d[i + 4]! | (d[i + 5]! << 8) | (d[i + 6]! << 16) | (d[i + 7]! << 24);
          const b0 = l & 0xff, b1 = (l >>> 8) & 0xff, b2 = (l >>> 16) & 0xff, b3 = l >>> 24;
          const b4 = h & 0xff, b5 = (h >>> 8) & 0xff, b6 = (h >>> 16) & 0xff, b7 = h >>> 24;
          l = L[7][b0]! ^ L[6][b1]! ^ L[5][b2]! ^ L[4][b3]! ^ L[3][b4]! ^ L[2][b5]! ^ L[1][b6]! ^ L[0][b7]!;
          h = H[7][b0]! ^ H[6][b1]! ^ H[5][b2]! ^ H[4][b3]! ^ H[3][b4]! ^ H[2][b5]! ^ H[1][b6]! ^ H[0][b7]!;
        }
        for (; i < n; i++) {
          const idx = (l ^ d[i]!) & 0xff;
          l = ((l >>> 8) | (h << 24)) ^ L[0][idx]!;
          h = (h >>> 8) ^ H[0][idx]!;
        }
        cl = l >>> 0;
        ch = h >>> 0;
      },
      digest() {
        const b = Buffer.alloc(8);
        b.writeUInt32BE((ch ^ 0xffffffff) >>> 0, 0);
        b.writeUInt32BE((cl ^ 0xffffffff) >>> 0, 4);
        return b;
      },
    };
  };
}

/**
 * Combines CRC(A) and CRC(B) into CRC(A‖B) given B's length in bytes — zlib's `crc32_combine` (the
 * x^(2^n) mod p method of zlib 1.2.12+), generalised to 32 and 64 bits with BigInt. Valid for reflected CRCs
 * whose init equals their xorout (all ones), which holds for CRC-32, CRC-32C and CRC-64/NVME.
 */
export function crcCombine(width: 32 | 64, poly: bigint, crcA: bigint, crcB: bigint, lengthB: number): bigint {
  const top = 1n << BigInt(width - 1);
  const multmodp = (a: bigint, b: bigint): bigint => {
    let m = top;
    let p = 0n;
    for (;;) {
      if (a & m) {
        p ^= b;
        if ((a & (m - 1n)) === 0n) break;
      }
      m >>= 1n;
      b = b & 1n ? (b >> 1n) ^ poly : b >> 1n;
    }
    return p;
  };
  // x^(8 * lengthB) mod p, by squaring: x2n[k] = x^(2^k) mod p; bytes start at k = 3.
  let x2n = top >> 1n; // x^1
  let p = top; // x^0
  let n = BigInt(lengthB);
  for (let k = 0; k < 3; k++) x2n = multmodp(x2n, x2n);
  while (n > 0n) {
    if (n & 1n) p = multmodp(x2n, p);
    n >>= 1n;
    x2n = multmodp(x2n, x2n);
  }
  return multmodp(p, crcA) ^ crcB;
}
