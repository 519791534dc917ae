/**
 * The stored form of one part of an encrypted multipart upload: a 32-byte part header followed by the part's
 * plaintext sealed exactly as a single encrypted object is (segment-cipher.ts: 64 KiB AES-256-GCM segments and
 * a sealed footer). A completed object is its parts' stored bytes end to end, so every part can be located,
 * authenticated and decrypted on its own, and a range read opens only the segments of the parts it touches.
 *
 * Header: `"SSP1"` (4) ‖ part number (u32 BE) ‖ plaintext size (u64 BE) ‖ random salt (16). It is not secret.
 *
 * Each part is sealed under its own key, HKDF-SHA256 of the upload's data key with the header's salt, the
 * header's first 16 bytes as the info ("Protecting data with server-side encryption",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/serv-side-encryption.html, leaves the scheme to the
 * server; HKDF is RFC 5869). Why a fresh key per stored part and not a nonce prefix from the part number: a
 * part number may be uploaded again within one upload (a retry, or a replacement with other bytes —
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html "If you upload a new part using the
 * same part number … the previously uploaded part is overwritten"), and anything derived from the part number
 * alone would then seal two different plaintexts under one (key, nonce) pair, which breaks AES-GCM's secrecy
 * and its authentication. A random 128-bit salt makes every stored part's key distinct, so segment nonces
 * (base nonce XOR segment index) never repeat under a key. Binding the part number and size into the key also
 * makes a part moved to another position, or a header with an edited size, fail authentication.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { S3Error } from '../s3-errors.ts';
import { createSealStream, plaintextSize, storedSize } from './segment-cipher.ts';

/** Bytes of the header in front of every sealed part. */
export const PART_HEADER_SIZE = 32;
const MAGIC = Buffer.from('SSP1');
const INFO_PREFIX = Buffer.from('strata-sse-part-v1');

/** A parsed part header. */
export interface PartHeader {
  partNumber: number;
  /** Plaintext bytes of the part. */
  size: number;
  /** The header bytes themselves (its first 16 bytes and salt derive the part's key). */
  bytes: Buffer;
}

/** The stored size of a part of `size` plaintext bytes. */
export function partStoredSize(size: number): number {
  return PART_HEADER_SIZE + storedSize(size);
}

/** The plaintext size of a stored part of `stored` bytes, or undefined when no plaintext size gives it. */
export function partPlainSize(stored: number): number | undefined {
  return stored < PART_HEADER_SIZE ? undefined : plaintextSize(stored - PART_HEADER_SIZE);
}

const damaged = () => new S3Error('InternalError', 'A stored part of the encrypted object is damaged or was not written by this server.');

/** Builds the header of a new part: a fresh salt every time, even for a part number uploaded before. */
export function newPartHeader(partNumber: number, size: number): PartHeader {
  const bytes = Buffer.alloc(PART_HEADER_SIZE);
  MAGIC.copy(bytes, 0);
  bytes.writeUInt32BE(partNumber, 4);
  bytes.writeBigUInt64BE(BigInt(size), 8);
  randomBytes(16).copy(bytes, 16);
  return { partNumber, size, bytes };
}

/** Parses a stored part header; InternalError when it is not one. */
export function parsePartHeader(bytes: Buffer): PartHeader {
  if (bytes.length !== PART_HEADER_SIZE || !bytes.subarray(0, 4).equals(MAGIC)) throw damaged();
  const size = bytes.readBigUInt64BE(8);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw damaged();
  return { partNumber: bytes.readUInt32BE(4), size: Number(size), bytes: Buffer.from(bytes) };
}

/** The key a part is sealed with: HKDF-SHA256(data key, salt, "strata-sse-part-v1" ‖ magic ‖ number ‖ size). */
export function partKey(dataKey: Buffer, header: PartHeader): Buffer {
  const info = Buffer.concat([INFO_PREFIX, header.bytes.subarray(0, 16)]);
  return Buffer.from(hkdfSync('sha256', dataKey, header.bytes.subarray(16), info, 32));
}

/**
 * Seals `plaintext`, which must be exactly `size` bytes (the caller verifies the length, e.g. with PlainDigest),
 * as part `partNumber`: the header, then the sealed segments and footer. Errors of `plaintext` fail the result.
 */
export function sealPart(dataKey: Buffer, baseNonce: Buffer, partNumber: number, size: number, plaintext: Readable): Readable {
  const header = newPartHeader(partNumber, size);
  const sealer = createSealStream(partKey(dataKey, header), baseNonce);
  plaintext.on('error', (e) => sealer.destroy(e));
  plaintext.pipe(sealer);
  return Readable.from(
    (async function* () {
      try {
        yield header.bytes;
        for await (const chunk of sealer) yield chunk as Buffer;
      } finally {
        // A consumer that stops early (a failed put) must not leave the request body flowing into the sealer.
        if (!sealer.readableEnded) {
          sealer.destroy();
          plaintext.destroy();
        }
      }
    })(),
    { objectMode: false },
  );
}
