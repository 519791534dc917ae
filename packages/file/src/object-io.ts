/**
 * Reading and staging object files. A GET is one open and one read for an object of up to 64 KiB (header and
 * bytes arrive together, into a pooled buffer: read-buffer.ts), plus a close off its latency path
 * (read-closes.ts); larger objects stream from the same descriptor. A PUT streams the body into a staged file
 * and writes the header last, in place (its size is reserved up front), or, for a body that fits the write
 * batch, writes header and bytes with one writev.
 */
import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { StorageError } from '@strata/storage';
import type { BodyDigests, ObjectInfo, PreparedBody } from '@strata/storage';
import type { FileCore } from './core.ts';
import type { ReadHandle } from './read-handle.ts';
import { SELF_NAME, keyToPath } from './key-mapping.ts';
import { headerLength, parseHeader } from './metadata.ts';
import { FIRST_READ_BYTES, giveReadBuffer, takeReadBuffer } from './read-buffer.ts';
import { errnoOf } from './to-storage-error.ts';

/** Bodies up to this size are written with one writev; larger ones stream in batches of this size. */
const WRITE_BATCH = 256 * 1024;
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
/** First read of a metadata-only open (head, listing): a header is a few hundred bytes. */
export const HEADER_READ_BYTES = 4096;
export { FIRST_READ_BYTES };

/** An object file opened for reading, with its header (and, for a small object, its bytes) already read. */
export interface OpenedObject {
  info: ObjectInfo;
  fh: ReadHandle;
  /**
   * All of the object's bytes when they came with the first read and the caller asked for them: a buffer of
   * its own (copied out of the pooled read buffer). Undefined otherwise: the bytes are read from `fh`.
   */
  data: Buffer | undefined;
  /** Where the object's bytes start in the file. */
  dataOffset: number;
  /** `core.reads.unlinkEpoch` before the open, for `core.reads.closeRead`. */
  epoch: number;
}

const notFound = (key: string) => new StorageError('NotFound', 'The object does not exist', { key });
const isMissing = (e: unknown) => {
  const code = errnoOf(e);
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/**
 * Opens `key`'s object and reads its header with one read of up to `readLength` bytes
 * (≤ {@link FIRST_READ_BYTES}); with `wantBytes`, an object that fits that read comes back whole in `data`.
 * Throws `NotFound`; a key whose file is being converted into a directory by a concurrent write is waited for,
 * not missed (unless the caller holds the key's mutex itself: `holdsMutex`).
 */
export async function openObject(core: FileCore, key: string, readLength: number, wantBytes: boolean, holdsMutex = false): Promise<OpenedObject> {
  const kp = keyToPath(key);
  for (let attempt = 0; ; attempt++) {
    try {
      if (!(await core.checkDirs(kp))) throw notFound(key);
      return await openPath(core, key, core.abs(kp.rel), readLength, wantBytes);
    } catch (e) {
      const missing = isMissing(e) || (e instanceof StorageError && e.code === 'NotFound');
      if (missing && !holdsMutex && attempt < 3 && core.mutex.busy(key)) {
        await core.mutex.idle(key);
        continue;
      }
      if (isMissing(e)) throw new StorageError('NotFound', 'The object does not exist', { key, cause: e });
      throw e;
    }
  }
}

/**
 * Opens the object file at `path` and reads its first `readLength` bytes into a pooled buffer: one open and
 * one read. The pooled buffer is given back before this returns; what the result keeps is copied out.
 */
async function openPath(core: FileCore, key: string, path: string, readLength: number, wantBytes: boolean): Promise<OpenedObject> {
  const epoch = core.reads.unlinkEpoch;
  let fh = await core.openRead(path);
  const slab = takeReadBuffer();
  try {
    let bytesRead: number;
    try {
      bytesRead = (await fh.read(slab, 0, readLength, 0)).bytesRead;
    } catch (e) {
      if (errnoOf(e) !== 'EISDIR') throw e;
      // The key is also a directory (`a/b` beside `a/b/c`): its object is the directory's `.strata-self`.
      core.reads.closeSoon(fh);
      fh = await core.openRead(`${path}/${SELF_NAME}`);
      bytesRead = (await fh.read(slab, 0, readLength, 0)).bytesRead;
    }
    let buf = slab;
    const dataOffset = headerLength(slab, bytesRead);
    if (dataOffset === undefined) {
      throw new StorageError('Corrupted', `${path} is not an object file written by the file adapter`, { key });
    }
    if (dataOffset > bytesRead) {
      buf = Buffer.allocUnsafe(dataOffset);
      slab.copy(buf, 0, 0, bytesRead);
      const more = await fh.read(buf, bytesRead, dataOffset - bytesRead, bytesRead);
      bytesRead += more.bytesRead;
      if (bytesRead < dataOffset) throw new StorageError('Corrupted', `${path} has a truncated header`, { key });
    }
    const info = parseHeader(buf, dataOffset);
    if (key !== '') info.key = key; // '' keeps the stored key (decoding a hashed long name)
    let data: Buffer | undefined;
    const end = dataOffset + info.size;
    if (wantBytes && end <= bytesRead) {
      data = Buffer.allocUnsafe(info.size);
      buf.copy(data, 0, dataOffset, end);
    }
    return { info, fh, data, dataOffset, epoch };
  } catch (e) {
    core.reads.closeSoon(fh);
    if (e instanceof SyntaxError) throw new StorageError('Corrupted', `${path} has an unreadable header`, { key, cause: e });
    throw e;
  } finally {
    // Every read into it has completed (each was awaited), and only copies of its bytes leave this function.
    giveReadBuffer(slab);
  }
}

/** Reads just the info of the object file at an absolute path (listing); undefined when it is gone. */
export async function readInfoAt(core: FileCore, key: string, path: string): Promise<ObjectInfo | undefined> {
  return core.fds.with(async () => {
    try {
      // The close is awaited here: the semaphore bounds the descriptors a listing's read-ahead holds.
      const o = await openPath(core, key, path, HEADER_READ_BYTES, false);
      await o.fh.close();
      return o.info;
    } catch (e) {
      if (isMissing(e) || errnoOf(e) === 'ELOOP' || e instanceof StorageError) return undefined;
      throw e;
    }
  });
}

/** Bytes pulled from a body: a batch of chunks, and whether the body ended after them. */
interface Batch {
  chunks: Buffer[];
  bytes: number;
  done: boolean;
}

/** Where stageStream pulls a body from, a batch at a time. */
interface BatchSource {
  /** The next chunks, at least `max` bytes of them unless the body ends first; throws the body's error. */
  next(max: number, onChunk?: (chunk: Buffer) => void): Promise<Batch>;
  /** Gives up on the body (destroys a stream), after a failure of the staging. */
  cancel(): Promise<void>;
}

const prematureClose = () => new StorageError('InvalidArgument', 'The body stream closed before its end', { reason: 'IncompleteBody' });

/**
 * Batches of a byte-mode Readable, read with `read()` as they arrive: one promise per batch rather than an async
 * iterator's promise and generator resumption per chunk (a small PUT is one batch). Listens for the stream's
 * error from construction on.
 */
class ReadableBatches implements BatchSource {
  readonly #stream: Readable;
  #error: Error | undefined;
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(stream: Readable) {
    this.#stream = stream;
    const wake = () => {
      const w = this.#wake;
      this.#wake = undefined;
      w?.();
    };
    stream.on('readable', wake);
    stream.once('end', () => {
      this.#ended = true;
      wake();
    });
    stream.on('error', (e: Error) => {
      this.#error ??= e;
      wake();
    });
    stream.once('close', () => {
      if (!this.#ended) this.#error ??= stream.errored ?? prematureClose();
      wake();
    });
    if (stream.destroyed && !stream.readableEnded) this.#error = stream.errored ?? prematureClose();
  }

  async next(max: number, onChunk?: (chunk: Buffer) => void): Promise<Batch> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for (;;) {
      if (this.#error) throw this.#error;
      let chunk: Buffer | null;
      while (bytes < max && (chunk = this.#stream.read() as Buffer | null) !== null) {
        onChunk?.(chunk);
        chunks.push(chunk);
        bytes += chunk.length;
      }
      if (bytes >= max) return { chunks, bytes, done: false };
      if (this.#ended) return { chunks, bytes, done: true };
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  cancel(): Promise<void> {
    this.#stream.destroy();
    return Promise.resolve();
  }
}

/** Batches of any async iterable of Buffers (a generator reading another file). */
class IteratorBatches implements BatchSource {
  readonly #chunks: AsyncIterator<Buffer>;
  #first: Promise<IteratorResult<Buffer>> | undefined;

  constructor(iterable: AsyncIterable<Buffer>) {
    this.#chunks = iterable[Symbol.asyncIterator]();
    // Runs the iterator up to its first wait (attaching a stream's error listener); observed by next().
    this.#first = this.#chunks.next();
    this.#first.catch(() => undefined);
  }

  async next(max: number, onChunk?: (chunk: Buffer) => void): Promise<Batch> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    while (bytes < max) {
      const first = this.#first;
      this.#first = undefined;
      const r = await (first ?? this.#chunks.next());
      if (r.done) return { chunks, bytes, done: true };
      onChunk?.(r.value);
      chunks.push(r.value);
      bytes += r.value.length;
    }
    return { chunks, bytes, done: false };
  }

  async cancel(): Promise<void> {
    await this.#chunks.return?.();
  }
}

/**
 * Streams `stream` into a new staged file after a header of `reserve` bytes, then writes the header returned
 * by `finish` (given the digests and the size it must pad to). Returns the staged path. The stream must end
 * cleanly: a PreparedBody errors instead of ending when verification fails, and the file is then removed.
 */
export async function stageStream(
  core: FileCore,
  stream: Readable | AsyncIterable<Buffer>,
  reserve: number,
  finish: (minBytes: number) => Buffer,
  onChunk?: (chunk: Buffer) => void,
): Promise<string> {
  // Start consuming before the first await: a PreparedBody verifies in its flush, which runs as soon as its
  // source ends, and an error emitted before anyone listens would be an uncaught exception.
  const source: BatchSource =
    stream instanceof Readable && !stream.readableObjectMode ? new ReadableBatches(stream) : new IteratorBatches(stream);
  const tmp = core.stagingPath();
  let fh: FileHandle;
  try {
    fh = await core.open(tmp, WRITE_FLAGS, 0o644);
  } catch (e) {
    await source.cancel();
    throw e;
  }
  try {
    let batch = await source.next(WRITE_BATCH, onChunk);
    if (batch.done) {
      // The whole body fits one write: header and bytes together.
      await fh.writev([finish(0), ...batch.chunks], 0);
    } else {
      let position = reserve;
      for (;;) {
        if (batch.bytes > 0) await fh.writev(batch.chunks, position);
        position += batch.bytes;
        if (batch.done) break;
        batch = await source.next(WRITE_BATCH, onChunk);
      }
      const header = finish(reserve);
      if (header.length !== reserve) throw new StorageError('Unavailable', 'The object header outgrew its reservation');
      await fh.write(header, 0, header.length, 0);
    }
    if (core.durable) await fh.datasync();
    await fh.close();
    return tmp;
  } catch (e) {
    await source.cancel().catch(() => undefined);
    await fh.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

/** Stages a prepared body; `finish` receives its digests once it ended cleanly. */
export function stageBody(
  core: FileCore,
  body: PreparedBody,
  reserve: number,
  finish: (digests: BodyDigests, minBytes: number) => Buffer,
  onChunk?: (chunk: Buffer) => void,
): Promise<string> {
  return stageStream(core, body.stream, reserve, (minBytes) => finish(body.digests(), minBytes), onChunk);
}

/** The bytes of an opened object from `start` to `end` (inclusive, object offsets), as Buffers. */
export async function* objectBytes(o: OpenedObject, start = 0, end = o.info.size - 1): AsyncGenerator<Buffer> {
  if (end < start) return;
  if (o.data) {
    yield o.data.subarray(start, end + 1);
    return;
  }
  let pos = o.dataOffset + start;
  const to = o.dataOffset + end; // inclusive
  const chunk = 1 << 20;
  while (pos <= to) {
    const b = Buffer.allocUnsafe(Math.min(chunk, to - pos + 1));
    const { bytesRead } = await o.fh.read(b, 0, b.length, pos);
    if (bytesRead === 0) throw new StorageError('Corrupted', `The object file of ${o.info.key} is shorter than its size`);
    pos += bytesRead;
    yield bytesRead === b.length ? b : b.subarray(0, bytesRead);
  }
}
