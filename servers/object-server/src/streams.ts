/**
 * Small stream helpers for the server's own bounded reads (XML request bodies, server state records).
 * Object bodies never pass through here: they stream from the request into storage and back.
 */
import type { Readable } from 'node:stream';

/** Thrown by {@link readAll} when a stream exceeds its limit. */
export class TooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body exceeds ${limit} bytes`);
    this.name = 'TooLargeError';
  }
}

/**
 * Reads a stream whole, up to `limit` bytes; beyond it the stream is destroyed and {@link TooLargeError} thrown,
 * so a hostile client cannot make the server buffer an unbounded body.
 */
export async function readAll(stream: Readable | AsyncIterable<Uint8Array | string>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    size += b.length;
    if (size > limit) {
      if ('destroy' in stream && typeof stream.destroy === 'function') stream.destroy();
      throw new TooLargeError(limit);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
