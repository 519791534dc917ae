/**
 * Small stream helpers: the server's own bounded reads (XML request bodies, server state records), and the pipe
 * from a request into its payload decoder. Object bodies are never buffered here.
 */
import type { Duplex, Readable } from 'node:stream';

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

/**
 * Reads a request body whole, up to `limit` bytes, like {@link readAll}, except that beyond the limit the
 * stream is left as it is (not destroyed) when {@link TooLargeError} is thrown: destroying a request destroys
 * its socket, and the client, still sending, would see a reset instead of the answer. The caller answers and
 * abandons the rest of the body (graceful-close.ts).
 */
export async function readRequestBody(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > limit) throw new TooLargeError(limit);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/**
 * Pipes a request into the transform that decodes it, as `stream.pipeline(request, decoder)` did but without
 * its per-call AbortController (aborted, with a DOMException and its stack trace, at every finish): the
 * request's error — or its close before the end — destroys the decoder, so its reader sees the failure; a
 * decoder destroyed before the request ended (a bad chunk signature, a reader that gave up) destroys the request.
 */
export function pipeRequest(request: Readable, decoder: Duplex): void {
  const onError = (e: Error) => decoder.destroy(e);
  const onClose = () => {
    if (!request.readableEnded && !decoder.destroyed) decoder.destroy(prematureClose());
  };
  request.on('error', onError);
  request.once('close', onClose);
  // The decoder's errors are for its reader; until one listens, this keeps them from being uncaught.
  decoder.on('error', () => {});
  decoder.once('close', () => {
    if (!request.readableEnded && !request.destroyed) {
      // Detached first, as stream.pipeline does with a server request: the connection stays up for the answer.
      (request as Readable & { socket?: unknown }).socket = null;
      request.destroy(decoder.errored ?? undefined);
    }
  });
  request.pipe(decoder);
  if (request.destroyed && !request.readableEnded) onClose();
}

const prematureClose = () => Object.assign(new Error('The request closed before its body ended'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
