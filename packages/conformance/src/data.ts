/**
 * Deterministic test data and streaming digests. Large-object cases must never hold the object in memory, so
 * bytes come from a seeded generator (the same seed and size give the same bytes, chunk by chunk) and bytes
 * read back are hashed as they stream.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/** Options of {@link generateStream}. */
export interface GenerateOptions {
  /** Bytes per chunk. @default 65536 */
  chunkSize?: number;
  /** Milliseconds to wait before each chunk (a slow writer). @default 0 */
  delayMs?: number;
  /** Fail the stream with this error once `failAfter` bytes have been produced. */
  failWith?: Error;
  /** Bytes after which `failWith` fires. @default half of size */
  failAfter?: number;
  /** Called each time a chunk is produced (to observe that the body was read). */
  onChunk?: (producedSoFar: number) => void;
}

/**
 * Fills `buf` with xorshift32 output for `seed`, continuing from `state`; returns the next state. The
 * generator is stateful across chunks so chunk size does not change the bytes.
 */
function fill(buf: Buffer, state: number): number {
  let x = state >>> 0 || 0x9e3779b9;
  let i = 0;
  for (; i + 4 <= buf.length; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    buf.writeUInt32LE(x, i);
  }
  for (; i < buf.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    buf[i] = x & 0xff;
  }
  return x;
}

/** `size` deterministic bytes for `seed`, as one Buffer (for small bodies). */
export function generateBytes(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  fill(out, seed);
  return out;
}

/**
 * A Readable of `size` deterministic bytes for `seed`, produced lazily chunk by chunk (bounded memory).
 * Bytes equal `generateBytes(size, seed)` only when `chunkSize` is a multiple of 4 (the default is).
 */
export function generateStream(size: number, seed = 1, options: GenerateOptions = {}): Readable {
  const chunkSize = options.chunkSize ?? 65536;
  const failAfter = options.failAfter ?? Math.floor(size / 2);
  let produced = 0;
  let state = seed;
  async function* chunks(): AsyncGenerator<Buffer> {
    while (produced < size) {
      if (options.delayMs) await sleep(options.delayMs);
      if (options.failWith && produced >= failAfter) throw options.failWith;
      const n = Math.min(chunkSize, size - produced);
      const buf = Buffer.allocUnsafe(n);
      state = fill(buf, state);
      produced += n;
      options.onChunk?.(produced);
      yield buf;
    }
    if (options.failWith && produced >= failAfter) throw options.failWith;
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** The digests of a byte stream. */
export interface StreamDigest {
  size: number;
  /** Hex MD5 (the ETag of a single put). */
  md5: string;
  /** Hex SHA-256. */
  sha256: string;
}

/** Hashes a stream (or async iterable of chunks) without keeping it; resolves when it ends. */
export async function hashStream(stream: AsyncIterable<Uint8Array | string>): Promise<StreamDigest> {
  const md5 = createHash('md5');
  const sha = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    md5.update(b);
    sha.update(b);
    size += b.length;
  }
  return { size, md5: md5.digest('hex'), sha256: sha.digest('hex') };
}

/** The digests of `generateStream(size, seed)`, computed by generating it again. */
export function expectedDigest(size: number, seed = 1): Promise<StreamDigest> {
  return hashStream(generateStream(size, seed, { chunkSize: 1 << 20 }));
}

/** Hex MD5 of bytes (what a single put's ETag must be). */
export function md5Hex(data: Uint8Array | string): string {
  return createHash('md5').update(data).digest('hex');
}

/** S3's multipart ETag computed independently: md5 of the concatenated binary part MD5s, hex, `-N`. */
export function multipartEtagOf(parts: Uint8Array[]): string {
  const h = createHash('md5');
  for (const p of parts) h.update(createHash('md5').update(p).digest());
  return `${h.digest('hex')}-${parts.length}`;
}

/** Reads a whole stream into one Buffer (small objects only). */
export async function collect(stream: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
  return Buffer.concat(chunks);
}
