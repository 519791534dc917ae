/**
 * Body plumbing shared by the metrics and latency layers: pass a put body or a get stream through a per-chunk
 * async hook (count bytes, sleep per byte) while keeping one-shot semantics, backpressure and destruction:
 * destroying the returned stream destroys the source, so file handles and page pins are released.
 */
import { Readable } from 'node:stream';
import type { Body } from '../types.ts';

/** Called with each chunk's byte length as it passes; may wait (throttling). */
export type ChunkHook = (bytes: number) => void | Promise<void>;

function asBytes(chunk: unknown): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Uint8Array);
}

async function* tapped(source: AsyncIterable<unknown> | Iterable<unknown>, hook: ChunkHook): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of source) {
      const bytes = asBytes(chunk);
      await hook(bytes.length);
      yield bytes;
    }
  } finally {
    if (source instanceof Readable) source.destroy();
  }
}

/** Wraps a one-shot body so `hook` sees each chunk as the storage reads it. */
export function tapStream(body: Exclude<Body, Uint8Array | string>, hook: ChunkHook): Body {
  const source = body instanceof ReadableStream ? (body as unknown as AsyncIterable<unknown>) : (body as AsyncIterable<unknown> | Iterable<unknown>);
  return tapped(source, hook);
}

/** Wraps a get stream so `hook` sees each chunk as the caller reads it; destroying it destroys `source`. */
export function tapReadable(source: Readable, hook: ChunkHook): Readable {
  const out = Readable.from(tapped(source, hook), { objectMode: false });
  return out;
}
