/**
 * Stream helpers for request bodies: reading the head of a body to choose between one PutObject and a
 * multipart upload, and holding back the last chunk so that a body which fails verification at its end can
 * never complete an HTTP request.
 */
import { Readable } from 'node:stream';

/** The first bytes of a body, and the rest of it. */
export interface PeekedBody {
  /** The chunks read so far. */
  head: Buffer[];
  /** Their total length. */
  headBytes: number;
  /** True when the body ended within the head: `head` is the whole body. */
  whole: boolean;
  /** The whole body (head then the rest) as one stream; only when not `whole`. */
  rest(): AsyncGenerator<Buffer>;
}

/**
 * Reads `stream` until more than `limit` bytes have arrived or it ends. Memory: at most `limit` plus one
 * chunk. Errors of the stream (including a failed verification of a PreparedBody) are thrown here.
 *
 * With `expectedLength`, a head that already holds that many bytes is read on to the end: the next read
 * only confirms the end (or fails verification), so it costs no memory, and an in-memory body — one chunk of
 * the caller's own Buffer, however large — comes back `whole` and can go out as one request (a multipart
 * upload would add requests and copy the bytes into parts).
 */
export async function peekBody(stream: Readable, limit: number, expectedLength?: number): Promise<PeekedBody> {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | Uint8Array>;
  const head: Buffer[] = [];
  let headBytes = 0;
  while (headBytes <= limit || (expectedLength !== undefined && headBytes >= expectedLength)) {
    const r = await it.next();
    if (r.done === true) return { head, headBytes, whole: true, rest: emptyRest };
    const buf = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    head.push(buf);
    headBytes += buf.length;
  }
  async function* rest(): AsyncGenerator<Buffer> {
    try {
      while (head.length > 0) yield head.shift() as Buffer;
      while (true) {
        const r = await it.next();
        if (r.done === true) return;
        yield Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
      }
    } finally {
      await it.return?.();
    }
  }
  return { head, headBytes, whole: false, rest };
}

/** The head's bytes as one Buffer; a single chunk is returned as is, not copied (64 MiB would cost ~20 ms). */
export function joinHead(peeked: Pick<PeekedBody, 'head' | 'headBytes'>): Buffer {
  return peeked.head.length === 1 ? (peeked.head[0] as Buffer) : Buffer.concat(peeked.head, peeked.headBytes);
}

async function* emptyRest(): AsyncGenerator<Buffer> {
  // A whole body has no rest.
}

/**
 * Yields every chunk of `source` but holds the latest one back until the next arrives or the source ends
 * successfully. A request with a Content-Length then never receives its last bytes when the source fails at
 * its end (a PreparedBody errors *instead of* ending on a digest mismatch), so the server sees a short body
 * and stores nothing (AWS PutObject: "IncompleteBody").
 */
export async function* holdLastChunk(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer | undefined;
  for await (const chunk of source) {
    if (pending !== undefined) yield pending;
    pending = chunk;
  }
  if (pending !== undefined) yield pending;
}

/** A Readable over an async iterable of Buffers (byte mode). */
export function readableOf(source: AsyncIterable<Buffer>): Readable {
  return Readable.from(source, { objectMode: false, highWaterMark: 64 * 1024 });
}
