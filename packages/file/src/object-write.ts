/**
 * Staging a write: the body is streamed into a new file in the staging area, a batch at a time (one writev for
 * a body that fits the first batch), with one batch's write in flight while the next is read: the body's
 * hashing (on the main thread, as its chunks arrive) and the socket's reads overlap the disk write on the
 * thread pool instead of waiting for it. Then the file's record (its ETag, metadata and stamp; object-meta.ts) is
 * attached to it before it is fsynced (policy `always`). The caller publishes it with one rename
 * (core.ts `publish`): bytes and metadata appear together, or not at all. After the fsync the file's descriptor
 * is closed on the thread pool while the caller renames and syncs the directory (write-handle.ts `StagedCloses`): a
 * rename does not need the writer's descriptor closed, and the close is then off the put's latency.
 */
import { constants, fstatSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { Readable } from 'node:stream';
import { StorageError } from '@strata/storage';
import type { BodyDigests, PreparedBody } from '@strata/storage';
import type { FileCore } from './core.ts';
import { stampOf } from './object-meta.ts';
import type { MetaRecord, Stamp } from './object-meta.ts';
import type { WriteHandle } from './write-handle.ts';

/** Bodies up to this size are written with one writev; larger ones continue in batches of {@link LATER_BATCH}. */
const FIRST_BATCH = 256 * 1024;
/**
 * The batch size after the first: a large body is written in 1 MiB `writev`s (a quarter of the thread-pool
 * round trips of 256 KiB batches). At most two batches are held: one being written, one being read.
 */
const LATER_BATCH = 1024 * 1024;
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
/**
 * A durable body larger than this has its write-back started while it is still arriving: each time this many
 * bytes were written since the last start, an `fdatasync` runs on the thread pool (one at a time) beside the
 * next batches' reading and hashing. Dirty pages otherwise wait for the final fsync (background write-back
 * starts only past `dirty_background_ratio`, gigabytes on a large machine), so a 64 MiB put spent ~30 ms in
 * that fsync after its last byte; now the final fsync writes only the tail. Small bodies never reach it (no
 * extra journal commit per small put).
 */
const EARLY_FLUSH_BYTES = 8 * 1024 * 1024;

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
 * Batches of a byte-mode Readable, taken from its 'data' events: one promise per batch rather than an async
 * iterator's promise and generator resumption per chunk (a small PUT is one batch), and each chunk as it came
 * (`read()` without a size concatenates whatever is buffered into a new Buffer: a copy of every byte). The
 * stream is paused once a batch's worth is waiting, so at most about one batch is held besides the one being
 * written. Listens for the stream's error from construction on.
 */
class ReadableBatches implements BatchSource {
  readonly #stream: Readable;
  #chunks: Buffer[] = [];
  #bytes = 0;
  /** Bytes to hold before pausing the stream: the size of the batch asked for last. */
  #holdAtMost = FIRST_BATCH;
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
    stream.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#bytes += chunk.length;
      if (this.#bytes >= this.#holdAtMost) {
        stream.pause();
        wake();
      }
    });
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
    this.#holdAtMost = max;
    for (;;) {
      if (this.#error) throw this.#error;
      if (this.#bytes >= max || this.#ended) {
        const batch = { chunks: this.#chunks, bytes: this.#bytes, done: this.#ended };
        this.#chunks = [];
        this.#bytes = 0;
        if (onChunk) for (const chunk of batch.chunks) onChunk(chunk);
        // Read on while the caller writes this batch.
        if (!this.#ended) this.#stream.resume();
        return batch;
      }
      this.#stream.resume();
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
 * Streams `stream` into a new staged file, then attaches the record `describe` returns (given the staged file's
 * stamp, once every byte is written) and fsyncs it. Returns the staged path. The stream must end cleanly: a
 * PreparedBody errors instead of ending when verification fails, and the file is then removed.
 */
export async function stageStream(
  core: FileCore,
  stream: Readable | AsyncIterable<Buffer>,
  describe: (stamp: Stamp) => MetaRecord,
  onChunk?: (chunk: Buffer) => void,
): Promise<string> {
  // Start consuming before the first await: a PreparedBody verifies in its flush, which runs as soon as its
  // source ends, and an error emitted before anyone listens would be an uncaught exception.
  const source: BatchSource =
    stream instanceof Readable && !stream.readableObjectMode ? new ReadableBatches(stream) : new IteratorBatches(stream);
  const tmp = core.stagingPath();
  let fh: WriteHandle;
  try {
    fh = await core.openWrite(tmp, WRITE_FLAGS, 0o644);
  } catch (e) {
    await source.cancel();
    throw e;
  }
  let closing = false;
  // The write in flight, if any; observed at once (its failure is thrown where it is awaited, not unhandled).
  let writing: Promise<void> | undefined;
  // The early write-back in flight (see EARLY_FLUSH_BYTES), observed the same way; awaited before the fsync.
  let flushing: Promise<void> | undefined;
  try {
    let position = 0;
    let flushedFrom = 0;
    for (let max = FIRST_BATCH; ; max = LATER_BATCH) {
      // Read the next batch while the previous one is written; one write at a time keeps the file's order.
      const batch = await source.next(max, onChunk);
      if (writing) await writing;
      writing = undefined;
      if (core.durable && !flushing && position - flushedFrom >= EARLY_FLUSH_BYTES) {
        flushedFrom = position;
        const run = fh.datasync();
        flushing = run;
        // Cleared once it succeeds; a failed one stays, so the await below throws its error.
        run.then(
          () => {
            if (flushing === run) flushing = undefined;
          },
          () => undefined,
        );
      }
      if (batch.bytes > 0) {
        writing = fh.writev(batch.chunks, position);
        writing.catch(() => undefined);
      }
      position += batch.bytes;
      if (batch.done) break;
    }
    if (writing) await writing;
    writing = undefined;
    // A failed early fdatasync fails the put (its error is the one a final fsync might no longer report).
    if (flushing) await flushing;
    flushing = undefined;
    // The stamp is taken after the last write (which set the mtime) and survives the rename; the record is
    // attached before the fsync, which makes it durable with the bytes (an attribute is inode metadata, so
    // this is fsync, not fdatasync).
    await core.meta.attach(tmp, describe(stampOf(fstatSync(fh.fd))));
    if (core.durable) {
      await fh.sync();
      // Durable now: the close need not precede the rename, so it runs beside the commit.
      closing = true;
      core.stagedCloses.closeSoon(fh);
    } else await fh.close();
    return tmp;
  } catch (e) {
    await source.cancel().catch(() => undefined);
    // A write still running uses the descriptor: let it end before the descriptor is closed (and its number reused).
    await writing?.catch(() => undefined);
    await flushing?.catch(() => undefined);
    if (!closing) await fh.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

/** Stages a prepared body; `describe` receives its digests once it ended cleanly, and the staged stamp. */
export function stageBody(
  core: FileCore,
  body: PreparedBody,
  describe: (digests: BodyDigests, stamp: Stamp) => MetaRecord,
  onChunk?: (chunk: Buffer) => void,
): Promise<string> {
  return stageStream(core, body.stream, (stamp) => describe(body.digests(), stamp), onChunk);
}
