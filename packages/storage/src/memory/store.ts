/**
 * Shared pieces of the memory adapter: how object bytes are held (immutable chunk lists, so a reader keeps the
 * snapshot it opened while a writer replaces the object), how a prepared body is drained into them, and how
 * stored infos are copied in and out so no caller can mutate the store through a returned object.
 */
import { Readable } from 'node:stream';
import { BytesReadable } from '../bytes-body.ts';
import { throwIfAborted } from '../errors.ts';
import { createChecksum } from '../checksums.ts';
import type { ChecksumAlgorithm, Checksums, ObjectInfo } from '../types.ts';

/** An object as the memory adapter holds it. Chunks are never mutated once stored. */
export interface StoredObject {
  info: ObjectInfo;
  chunks: Buffer[];
}

const BLOCK = 64 * 1024;

/**
 * Drains a stream into owned chunks of about 64 KiB. Copies every byte (a caller may reuse its buffers after
 * `put` returns) and coalesces tiny chunks so a byte-at-a-time body does not become a million Buffers.
 */
export async function drain(stream: Readable, signal?: AbortSignal): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  let pending: Buffer[] = [];
  let pendingSize = 0;
  for await (const chunk of stream) {
    const b = chunk as Buffer;
    pending.push(b);
    pendingSize += b.length;
    if (pendingSize >= BLOCK) {
      chunks.push(Buffer.concat(pending, pendingSize));
      pending = [];
      pendingSize = 0;
    }
  }
  if (pendingSize > 0) chunks.push(Buffer.concat(pending, pendingSize));
  throwIfAborted(signal);
  return chunks;
}

/**
 * A stream of bytes `start..end` (inclusive) of a chunk list. A range inside one chunk (every object put as
 * one piece of bytes) is a {@link BytesReadable} over a view of it: no copy, and a consumer may take it whole.
 */
export function streamChunks(chunks: readonly Buffer[], start: number, end: number): Readable {
  let offset = 0;
  for (const c of chunks) {
    if (start >= offset && end < offset + c.length) return new BytesReadable(c.subarray(start - offset, end + 1 - offset));
    if (offset + c.length > start) break;
    offset += c.length;
  }
  function* slices(): Generator<Buffer> {
    let offset = 0;
    for (const c of chunks) {
      const cEnd = offset + c.length;
      if (cEnd > start && offset <= end) yield c.subarray(Math.max(0, start - offset), Math.min(c.length, end + 1 - offset));
      offset = cEnd;
      if (offset > end) break;
    }
  }
  return Readable.from(slices(), { objectMode: false });
}

/** Computes checksums of a chunk list (used when an algorithm was not computed as the bytes flowed). */
export function checksumChunks(chunks: readonly Buffer[], algorithms: Iterable<ChecksumAlgorithm>): Checksums {
  const out: Checksums = {};
  for (const alg of algorithms) {
    const c = createChecksum(alg);
    for (const chunk of chunks) c.update(chunk);
    out[alg] = c.digest().toString('base64');
  }
  return out;
}

/** The bytes `start..end` (inclusive) of a chunk list, as a new chunk list sharing the immutable buffers. */
export function sliceChunks(chunks: readonly Buffer[], start: number, end: number): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  for (const c of chunks) {
    const cEnd = offset + c.length;
    if (cEnd > start && offset <= end) out.push(c.subarray(Math.max(0, start - offset), Math.min(c.length, end + 1 - offset)));
    offset = cEnd;
  }
  return out;
}


/** A deep copy of an info, so neither the caller nor the store can change the other's copy. */
export function cloneInfo(info: ObjectInfo): ObjectInfo {
  const out: ObjectInfo = { ...info, lastModified: new Date(info.lastModified.getTime()), userMetadata: { ...info.userMetadata }, tags: { ...info.tags } };
  if (info.checksums) out.checksums = { ...info.checksums };
  return out;
}
