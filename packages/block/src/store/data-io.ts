/**
 * Object bytes in and out of extents. Writes stream into a staging buffer of a bounded number of pages
 * (256 KiB) that is written to freshly allocated pages whenever it fills, so a put's memory is bounded
 * whatever the object size; reads fetch only the pages a range touches, a bounded batch at a time.
 */
import { Readable } from 'node:stream';
import { throwIfAborted } from '@strata/storage';
import type { BlockStore } from './block-store.ts';
import type { Extent, StoredObject } from './records.ts';

/** Where written bytes ended up. */
export interface WrittenData {
  extents: Extent[];
  /** Set instead of extents when the object is small enough to live in its record. */
  inline?: Buffer;
  size: number;
}

const BATCH_BYTES = 256 * 1024;

/**
 * Staging buffers are reused: a fresh 256 KiB buffer per put costs more than a small put's own work (it is
 * outside Node's small-buffer pool, so every one is a new allocation). A few are kept, for concurrent puts.
 * Every page size (a power of two up to 64 KiB) divides 256 KiB, so one size serves every device.
 */
const stagingPool: Buffer[] = [];
const POOL_MAX = 16;
const takeStaging = () => stagingPool.pop() ?? Buffer.allocUnsafe(BATCH_BYTES);
const returnStaging = (b: Buffer) => {
  if (stagingPool.length < POOL_MAX) stagingPool.push(b);
};

/**
 * Writes `source` to fresh pages (not flushed: the commit point flushes). On failure the pages are freed
 * and the error rethrown. Up to `maxInline` bytes (default: the store's `stagingMax`) are returned
 * inline instead, to be committed inside the record; -1 disables inlining (multipart parts are joined by extent).
 */
export async function writeData(store: BlockStore, source: AsyncIterable<Uint8Array | string>, options: { signal?: AbortSignal; maxInline?: number } = {}): Promise<WrittenData> {
  const ps = store.device.pageSize;
  const batchPages = Math.max(1, Math.floor(BATCH_BYTES / ps));
  // Inline: within `maxInline` and short of a full staging buffer (a full one is written out as it fills).
  const inlineAtMost = Math.min(options.maxInline ?? store.stagingMax, batchPages * ps - 1);
  const tag = store.nextTag();
  const extents: Extent[] = [];
  // A body that may still live in its record is held as it came: a small put never takes a staging buffer
  // (with more puts in flight than the pool keeps, each took a freshly allocated 256 KiB one, a visible share
  // of a 4 KiB put's CPU). Past `inlineAtMost` the held chunks move into a staging buffer and stream on.
  let held: Buffer[] | undefined = [];
  let staging: Buffer | undefined;
  let fill = 0;
  let size = 0;

  const spill = async (into: Buffer, bytes: number) => {
    const pages = Math.ceil(bytes / ps);
    into.fill(0, bytes, pages * ps);
    let done = 0;
    while (done < pages) {
      const run = await store.allocate(pages - done);
      const used = Math.min(run[1] * ps, bytes - done * ps);
      const last = extents[extents.length - 1];
      // Merge with the previous extent when the allocator handed out the next pages (the common case).
      if (last && last[0] + last[1] === run[0] && last[2] === last[1] * ps) {
        last[1] += run[1];
        last[2] += used;
      } else extents.push([run[0], run[1], used, tag]);
      await store.device.write(run[0], into.subarray(done * ps, (done + run[1]) * ps), tag);
      done += run[1];
    }
  };

  const stage = async (buf: Uint8Array) => {
    const into = (staging ??= takeStaging().subarray(0, batchPages * ps));
    let off = 0;
    while (off < buf.length) {
      const n = Math.min(into.length - fill, buf.length - off);
      into.set(buf.subarray(off, off + n), fill);
      fill += n;
      off += n;
      if (fill === into.length) {
        await spill(into, fill);
        fill = 0;
      }
    }
  };

  try {
    for await (const chunk of source) {
      throwIfAborted(options.signal, 'put');
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buf.length;
      if (held !== undefined && size <= inlineAtMost) {
        // Copied now, as the staging buffer copied it: a source may reuse its buffer for the next chunk.
        held.push(typeof chunk === 'string' ? (buf as Buffer) : Buffer.from(buf));
        continue;
      }
      if (held !== undefined) {
        const earlier = held;
        held = undefined;
        for (const b of earlier) await stage(b);
      }
      await stage(buf);
    }
    throwIfAborted(options.signal, 'put');
    if (held !== undefined && size <= inlineAtMost) return { extents, inline: held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held, size), size };
    if (staging !== undefined && fill > 0) await spill(staging, fill);
    return { extents, size };
  } catch (e) {
    store.freeUnreferenced(extents);
    throw e;
  } finally {
    if (staging !== undefined) returnStaging(staging);
  }
}

/** Reads bytes [start, end] of an object from its extents (or inline bytes). */
async function* readExtents(store: BlockStore, obj: StoredObject, start: number, end: number): AsyncGenerator<Buffer> {
  if (obj.inline !== undefined) {
    yield Buffer.from(obj.inline, 'base64').subarray(start, end + 1);
    return;
  }
  const ps = store.device.pageSize;
  const maxPages = Math.max(1, Math.floor(BATCH_BYTES / ps));
  let base = 0;
  for (const [page, , bytes, tag] of obj.extents) {
    const extEnd = base + bytes - 1;
    if (extEnd >= start && base <= end) {
      const from = Math.max(start, base) - base;
      const to = Math.min(end, extEnd) - base;
      let p = Math.floor(from / ps);
      const lastPage = Math.floor(to / ps);
      while (p <= lastPage) {
        const n = Math.min(maxPages, lastPage - p + 1);
        const buf = await store.device.read(page + p, n, { expectTag: tag });
        const bufStart = p * ps;
        yield buf.subarray(Math.max(from - bufStart, 0), Math.min(to - bufStart + 1, buf.length));
        p += n;
      }
    }
    base += bytes;
    if (base > end) break;
  }
}

/**
 * A stream of bytes [start, end] of `obj`. The object's pages are pinned from now until the stream closes,
 * so a concurrent overwrite or delete cannot hand them to another writer mid-read.
 */
export function readStream(store: BlockStore, obj: StoredObject, start: number, end: number): Readable {
  const release = store.pin();
  const stream = end < start ? Readable.from([], { objectMode: false }) : Readable.from(readExtents(store, obj, start, end), { objectMode: false });
  stream.once('close', release);
  return stream;
}

/** Reads a whole object into memory (fsck, small internal uses). */
export async function readAll(store: BlockStore, obj: StoredObject): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of readExtents(store, obj, 0, obj.size - 1)) parts.push(b);
  return Buffer.concat(parts);
}
