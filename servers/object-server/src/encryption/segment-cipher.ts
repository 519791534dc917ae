/**
 * The stored form of an encrypted object: the plaintext cut into fixed 64 KiB segments, each sealed on its own
 * with AES-256-GCM (ciphertext followed by its 16-byte tag), in the manner of MinIO's DARE format. So a byte
 * range of the plaintext maps to the few segments covering it, which are read, authenticated and decrypted
 * alone — a ranged GET of an encrypted object never reads the whole object.
 *
 * - Nonce of segment i: the object's random 12-byte base nonce with its last four bytes XORed with i (big
 *   endian). A data key is used for one object only, so (key, nonce) pairs never repeat.
 * - Additional data: one byte, 1 for the object's last segment and 0 for the others, so dropping trailing
 *   segments (truncation) or moving segments (their nonces differ) fails authentication.
 *
 * After the last segment comes a sealed footer (segment index `segments(n)`, additional data byte 2) holding the
 * plaintext's MD5: S3 reports that MD5 as the ETag of an SSE-S3 object, and it is only known once the body has
 * streamed through, after the metadata was written. The footer keeps it atomic with the object.
 *
 * The stored size of `n` plaintext bytes is `n + 16 * segments(n) + 32`; an empty object is one empty sealed
 * segment and the footer. The plaintext size is computed back from the stored size ({@link plaintextSize}).
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { S3Error } from '../s3-errors.ts';

/** Plaintext bytes per segment. */
export const SEGMENT_SIZE = 64 * 1024;
/** The GCM tag after each segment's ciphertext. */
export const TAG_SIZE = 16;
const SEALED_SIZE = SEGMENT_SIZE + TAG_SIZE;
const LAST = Buffer.from([1]);
const NOT_LAST = Buffer.from([0]);
const FOOTER = Buffer.from([2]);
/** The sealed footer: a 16-byte MD5 and its tag. */
export const FOOTER_SIZE = 16 + TAG_SIZE;

/** The number of segments of `size` plaintext bytes (an empty object has one, empty). */
export function segmentCount(size: number): number {
  return Math.max(1, Math.ceil(size / SEGMENT_SIZE));
}

/** The size of the sealed segments of `size` plaintext bytes (without the footer). */
export function sealedSize(size: number): number {
  return size + TAG_SIZE * segmentCount(size);
}

/** The stored size of `size` plaintext bytes: segments and footer. */
export function storedSize(size: number): number {
  return sealedSize(size) + FOOTER_SIZE;
}

/** The plaintext size of an object stored in `stored` bytes, or undefined when no plaintext size gives it. */
export function plaintextSize(stored: number): number | undefined {
  const sealed = stored - FOOTER_SIZE;
  if (sealed < TAG_SIZE) return undefined;
  const size = sealed - TAG_SIZE * Math.ceil(sealed / SEALED_SIZE);
  return storedSize(size) === stored ? size : undefined;
}

/** Opens the stored footer of an object of `size` plaintext bytes: the plaintext's hex MD5. */
export function openFooter(key: Buffer, baseNonce: Buffer, size: number, footer: Buffer): string {
  if (footer.length !== FOOTER_SIZE) throw corrupt();
  return openWith(key, baseNonce, segmentCount(size), FOOTER, footer).toString('hex');
}

function nonceOf(baseNonce: Buffer, index: number): Buffer {
  const nonce = Buffer.from(baseNonce);
  nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ index) >>> 0, 8);
  return nonce;
}

function sealWith(key: Buffer, baseNonce: Buffer, index: number, aad: Buffer, plain: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonceOf(baseNonce, index));
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

const seal = (key: Buffer, baseNonce: Buffer, index: number, last: boolean, plain: Buffer): Buffer => sealWith(key, baseNonce, index, last ? LAST : NOT_LAST, plain);

const open = (key: Buffer, baseNonce: Buffer, index: number, last: boolean, sealed: Buffer): Buffer => openWith(key, baseNonce, index, last ? LAST : NOT_LAST, sealed);

function openWith(key: Buffer, baseNonce: Buffer, index: number, aad: Buffer, sealed: Buffer): Buffer {
  if (sealed.length < TAG_SIZE) throw corrupt();
  const decipher = createDecipheriv('aes-256-gcm', key, nonceOf(baseNonce, index));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_SIZE)), decipher.final()]);
  } catch (cause) {
    throw corrupt(cause);
  }
}

const corrupt = (cause?: unknown) => new S3Error('InternalError', 'The stored object failed authentication: it is damaged or was not written by this server.', cause === undefined ? {} : { cause });

/**
 * A transform sealing plaintext into segments and the footer. The last segment is only known at the end, so one
 * full segment is held back until more bytes (or the end) arrive. `bytes` and `md5` describe the plaintext
 * once the stream has ended.
 */
export function createSealStream(key: Buffer, baseNonce: Buffer): Transform & { readonly bytes: number; readonly md5: string } {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let index = 0;
  let bytes = 0;
  let md5 = '';
  const hash = createHash('md5');
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      hash.update(chunk);
      bytes += chunk.length;
      pending.push(chunk);
      pendingBytes += chunk.length;
      // Seal whole segments while more than one segment's bytes are waiting: the held one is then not the last.
      if (pendingBytes > SEGMENT_SIZE) {
        let all = Buffer.concat(pending);
        while (all.length > SEGMENT_SIZE) {
          this.push(seal(key, baseNonce, index++, false, all.subarray(0, SEGMENT_SIZE)));
          all = all.subarray(SEGMENT_SIZE);
        }
        pending = [all];
        pendingBytes = all.length;
      }
      done();
    },
    flush(done: TransformCallback) {
      const digest = hash.digest();
      md5 = digest.toString('hex');
      this.push(seal(key, baseNonce, index, true, Buffer.concat(pending)));
      done(null, sealWith(key, baseNonce, index + 1, FOOTER, digest));
    },
  });
  return Object.defineProperties(stream, { bytes: { get: () => bytes }, md5: { get: () => md5 } }) as Transform & { readonly bytes: number; readonly md5: string };
}

/** The stored bytes to read for the plaintext range `[start, end]` of an object of `size` bytes. */
export interface SealedSpan {
  /** First segment index read. */
  firstSegment: number;
  /** The inclusive stored byte range covering the segments. */
  stored: { start: number; end: number };
  /** Plaintext bytes to drop from the first segment read. */
  skip: number;
}

/** Maps a plaintext range to the segments that cover it. */
export function sealedSpan(start: number, end: number, size: number): SealedSpan {
  const firstSegment = Math.floor(start / SEGMENT_SIZE);
  const lastSegment = Math.min(Math.floor(end / SEGMENT_SIZE), segmentCount(size) - 1);
  const storedEnd = Math.min((lastSegment + 1) * SEALED_SIZE, sealedSize(size)) - 1;
  return { firstSegment, stored: { start: firstSegment * SEALED_SIZE, end: storedEnd }, skip: start - firstSegment * SEGMENT_SIZE };
}

/**
 * A transform opening the sealed segments of a span (starting at `span.firstSegment`) and passing on exactly
 * the plaintext bytes `[start, end]`. A segment that fails authentication errors the stream.
 */
export function createOpenStream(key: Buffer, baseNonce: Buffer, size: number, span: SealedSpan, length: number): Transform {
  const lastIndex = segmentCount(size) - 1;
  let index = span.firstSegment;
  let skip = span.skip;
  let left = length;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const emit = (stream: Transform, sealed: Buffer) => {
    let plain = open(key, baseNonce, index, index === lastIndex, sealed);
    index++;
    if (skip > 0) {
      plain = plain.subarray(skip);
      skip = 0;
    }
    if (plain.length > left) plain = plain.subarray(0, left);
    left -= plain.length;
    if (plain.length > 0) stream.push(plain);
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      try {
        if (pendingBytes >= SEALED_SIZE) {
          let all = Buffer.concat(pending);
          while (all.length >= SEALED_SIZE) {
            emit(this, all.subarray(0, SEALED_SIZE));
            all = all.subarray(SEALED_SIZE);
          }
          pending = [all];
          pendingBytes = all.length;
        }
        done();
      } catch (e) {
        done(e as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        if (pendingBytes > 0) emit(this, Buffer.concat(pending));
        if (left > 0) throw corrupt();
        done();
      } catch (e) {
        done(e as Error);
      }
    },
  });
}
