/**
 * S3's flexible checksums (AWS S3 User Guide, "Checking object integrity"): CRC-32, CRC-32C, CRC-64/NVME,
 * SHA-1 and SHA-256, each carried as base64 of the big-endian digest. Multipart objects carry either a
 * composite checksum (the checksum of the concatenated raw part checksums, suffixed `-N`) or, for the CRC
 * kinds, a full-object checksum combined from the parts' CRCs without re-reading the bytes.
 */
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import { StorageError } from './errors.ts';
import { crc32Family, crc64Family, crcCombine } from './crc.ts';
import type { CrcState } from './crc.ts';
import { nativeCrc32 } from './crc-native.ts';
import { wasmCrc32Family, wasmCrc64Family } from './crc-wasm.ts';
import type { ChecksumAlgorithm } from './types.ts';

/** Every checksum algorithm of the contract, in S3's order of appearance. */
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = Object.freeze(['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256']);

/** A running checksum: feed bytes, then read the big-endian digest once. */
export interface RunningChecksum {
  update(data: Uint8Array): void;
  /** The digest: 4 bytes for crc32/crc32c, 8 for crc64nvme, 20 for sha1, 32 for sha256. */
  digest(): Buffer;
}

/** True when `value` names a checksum algorithm of the contract. */
export function isChecksumAlgorithm(value: unknown): value is ChecksumAlgorithm {
  return typeof value === 'string' && (CHECKSUM_ALGORITHMS as readonly string[]).includes(value);
}

/*
 * The implementation of each CRC is chosen by measurement (Node 20, x86-64, 1 MiB updates, GiB/s, on the shared
 * development machine, so ±30 %; the same ranking held in every run):
 *
 * | algorithm | JavaScript (crc.ts) | zlib.crc32 | WebAssembly (crc-wasm.ts) | @node-rs/crc32 | aws-crt |
 * |-----------|--------------------:|-----------:|--------------------------:|---------------:|--------:|
 * | CRC-32    |                   – |    2.1–2.9 |                         – |          12–27 | 0.8–1.9 |
 * | CRC-32C   |           0.33–0.78 |          – |                   0.8–1.8 |         4.7–11 |   25–27 |
 * | CRC-64    |           0.13–0.18 |          – |                   0.6–1.2 |              – | 0.9–1.2 |
 *
 * CRC-32 and CRC-32C use `@node-rs/crc32` when it loads (crc-native.ts), else `zlib.crc32` (Node ≥ 20.15) and
 * WebAssembly; CRC-64/NVME uses WebAssembly, else JavaScript. aws-crt, faster for CRC-32C and a little for
 * CRC-64, is a 44 MB package with an HTTP client among its dependencies: not worth it for one checksum.
 * SHA-1 and SHA-256 are node:crypto (OpenSSL, 0.8–1.8 GiB/s).
 */

/** CRC-32C (Castagnoli), reflected polynomial 0x82F63B78 (RFC 3720 §B.4). */
const CRC32C_POLY = 0x82f63b78;
/** CRC-32 (ISO-HDLC), reflected polynomial 0xEDB88320. */
const CRC32_POLY = 0xedb88320;
/** CRC-64/NVME, reflected polynomial 0x9A6C9329AC4BC9B5 (NVM Express Command Set spec §5.2.1.3.4). */
const CRC64NVME_POLY = 0x9a6c9329ac4bc9b5n;

const zlibCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** A running CRC over a function that continues a standard 32-bit CRC from a previous value. */
function continuedCrc32(fn: (data: Uint8Array, value: number) => number): () => CrcState {
  return () => {
    let crc = 0;
    return {
      update(d) {
        crc = fn(d, crc);
      },
      digest() {
        const b = Buffer.alloc(4);
        b.writeUInt32BE(crc >>> 0);
        return b;
      },
    };
  };
}

/** The napi functions take Buffers and Uint8Arrays alike; a view of another typed array becomes a Buffer view. */
const asBytes = (d: Uint8Array): Uint8Array => (d.constructor === Uint8Array || Buffer.isBuffer(d) ? d : Buffer.from(d.buffer, d.byteOffset, d.byteLength));

/** Every available implementation of each CRC, fastest first (tests check each against the others). */
export const CRC_IMPLEMENTATIONS: Readonly<Record<'crc32' | 'crc32c' | 'crc64nvme', readonly { name: string; create: () => CrcState }[]>> = (() => {
  const native = nativeCrc32;
  const wasm32c = wasmCrc32Family(CRC32C_POLY);
  const wasm64 = wasmCrc64Family(CRC64NVME_POLY);
  const crc32 = [
    ...(native ? [{ name: '@node-rs/crc32', create: continuedCrc32((d, v) => native.crc32(asBytes(d), v)) }] : []),
    ...(zlibCrc32 ? [{ name: 'zlib.crc32', create: continuedCrc32(zlibCrc32) }] : []),
    { name: 'javascript', create: crc32Family(CRC32_POLY) },
  ];
  const crc32c = [
    ...(native ? [{ name: '@node-rs/crc32', create: continuedCrc32((d, v) => native.crc32c(asBytes(d), v)) }] : []),
    ...(wasm32c ? [{ name: 'webassembly', create: wasm32c }] : []),
    { name: 'javascript', create: crc32Family(CRC32C_POLY) },
  ];
  const crc64nvme = [
    ...(wasm64 ? [{ name: 'webassembly', create: wasm64 }] : []),
    { name: 'javascript', create: crc64Family(0x9a6c9329, 0xac4bc9b5) },
  ];
  return { crc32, crc32c, crc64nvme };
})();

const newCrc32 = (CRC_IMPLEMENTATIONS.crc32[0] as { create: () => CrcState }).create;
const newCrc32c = (CRC_IMPLEMENTATIONS.crc32c[0] as { create: () => CrcState }).create;
const newCrc64nvme = (CRC_IMPLEMENTATIONS.crc64nvme[0] as { create: () => CrcState }).create;

/** Creates a running checksum of `algorithm`. */
export function createChecksum(algorithm: ChecksumAlgorithm): RunningChecksum {
  switch (algorithm) {
    case 'crc32':
      return newCrc32();
    case 'crc32c':
      return newCrc32c();
    case 'crc64nvme':
      return newCrc64nvme();
    case 'sha1':
    case 'sha256': {
      const h = createHash(algorithm);
      return { update: (d) => void h.update(d), digest: () => h.digest() };
    }
    default:
      throw new StorageError('InvalidArgument', `Unknown checksum algorithm ${String(algorithm)}`);
  }
}

/** The base64 checksum of `data` (as S3's `x-amz-checksum-<algorithm>` header). */
export function checksumBase64(algorithm: ChecksumAlgorithm, data: Uint8Array | string): string {
  const c = createChecksum(algorithm);
  c.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  return c.digest().toString('base64');
}

/**
 * The composite checksum of a multipart object: the checksum of the concatenated raw part checksums, base64,
 * then `-N` for N parts (AWS "Using part-level checksums for multipart uploads").
 */
export function compositeChecksum(algorithm: ChecksumAlgorithm, partChecksumsBase64: string[]): string {
  const c = createChecksum(algorithm);
  for (const p of partChecksumsBase64) c.update(Buffer.from(p, 'base64'));
  return `${c.digest().toString('base64')}-${partChecksumsBase64.length}`;
}

const CRC_PARAMS = {
  crc32: { width: 32, poly: 0xedb88320n },
  crc32c: { width: 32, poly: 0x82f63b78n },
  crc64nvme: { width: 64, poly: 0x9a6c9329ac4bc9b5n },
} as const;

/** True for the algorithms that support full-object multipart checksums (the CRC kinds). */
export function isCrcAlgorithm(algorithm: ChecksumAlgorithm): algorithm is 'crc32' | 'crc32c' | 'crc64nvme' {
  return algorithm in CRC_PARAMS;
}

/**
 * The full-object checksum of a multipart object from its parts' CRCs and sizes, in part order: the CRC of the
 * whole object, computed with the CRC combine identity (zlib `crc32_combine`) so the bytes need not be read
 * again. Only for crc32, crc32c and crc64nvme (AWS: full-object checksums exist only for CRC kinds).
 */
export function combineFullObjectChecksum(algorithm: ChecksumAlgorithm, parts: { checksum: string; size: number }[]): string {
  if (!isCrcAlgorithm(algorithm)) {
    throw new StorageError('InvalidArgument', `Full-object checksums exist only for CRC algorithms, not ${algorithm}`);
  }
  const { width, poly } = CRC_PARAMS[algorithm];
  const bytes = width / 8;
  const toBig = (b64: string): bigint => {
    const b = Buffer.from(b64, 'base64');
    if (b.length !== bytes) throw new StorageError('InvalidArgument', `A ${algorithm} checksum has ${bytes} bytes, got ${b.length}`);
    return BigInt(`0x${b.toString('hex')}`);
  };
  // The CRC of the empty string is 0 for these (init = xorout), so combining starts from 0.
  let crc = 0n;
  for (const part of parts) crc = crcCombine(width, poly, crc, toBig(part.checksum), part.size);
  return Buffer.from(crc.toString(16).padStart(bytes * 2, '0'), 'hex').toString('base64');
}
