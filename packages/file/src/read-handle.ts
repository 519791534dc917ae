/**
 * A read-only file descriptor with the three methods the read paths use (`read`, `close`,
 * `createReadStream`), over the callback `fs` API instead of a promise `FileHandle`.
 *
 * Why: a small GET is open + read + close, three thread-pool round trips, and with the promise API each one
 * also builds a `FileHandle` (a C++ object with a GC finalizer) and promise plumbing. Measured on the bench
 * machine (Node 20, one core): open + read + close of a 4 KiB file costs 29–44 µs per operation through
 * `fs/promises` and 12–21 µs through the callback API at 16 in flight — the largest single item in the object
 * server's GET profile. Every caller closes in a `finally` or error path (or hands the descriptor to a stream
 * that closes it on end, error or destroy), as it did with `FileHandle`; a read whose bytes are in hand closes
 * through `ReadCloses.closeRead` (synchronously when provably cheap, else `closeSoon`, tracked until the adapter
 * closes).
 */
import * as fs from 'node:fs';
import type { ReadStream } from 'node:fs';
import { StorageError } from '@strata/storage';

/** An open read-only descriptor; `close` is idempotent. */
export class ReadHandle {
  readonly #fd: number;
  #closed = false;

  constructor(fd: number) {
    this.#fd = fd;
  }

  /** Reads up to `length` bytes at `position` into `buffer` at `offset`. */
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    return new Promise((resolve, reject) => {
      fs.read(this.#fd, buffer, offset, length, position, (err, bytesRead) => (err ? reject(err) : resolve({ bytesRead })));
    });
  }

  /**
   * {@link read} with a callback: for loops that read a large object chunk by chunk (object-body.ts), where
   * a promise per chunk would be allocation and a microtask hop for nothing.
   */
  readInto(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead: number) => void): void {
    fs.read(this.#fd, buffer, offset, length, position, callback);
  }

  /**
   * `fstat` of the descriptor, synchronously: the inode was just opened (it is in the cache), and the call is
   * well under a microsecond where a thread-pool round trip would cost tens.
   */
  statSync(): fs.Stats {
    return fs.fstatSync(this.#fd);
  }

  /** Closes the descriptor (once; later calls resolve at once). */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve, reject) => fs.close(this.#fd, (err) => (err ? reject(err) : resolve())));
  }

  /**
   * Closes the descriptor without waiting: `done` runs once it is closed (or at once when it already was).
   * For the read paths whose bytes are already in hand, so the close is not a round trip on their latency.
   * A close error is ignored: on a read-only descriptor nothing can be lost, and the descriptor is released
   * by the kernel whatever `close` returns.
   */
  closeSoon(done: () => void): void {
    if (this.#closed) return done();
    this.#closed = true;
    fs.close(this.#fd, () => done());
  }

  /**
   * Closes the descriptor synchronously, ignoring an error (see `closeSoon`). Only for the case
   * `ReadCloses.closeRead` proves cheap: a read-only descriptor of a file that still has its name, on a local
   * filesystem whose close of such a descriptor does no I/O.
   */
  closeSync(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      fs.closeSync(this.#fd);
    } catch {
      // As in closeSoon: the descriptor is gone whatever close reports.
    }
  }

  /**
   * A stream of the bytes `start..end` (inclusive); the stream owns the descriptor and closes it. When the file
   * ends first — another program truncated it or rewrote it in place while it was read — the stream fails
   * (`Unavailable`, retryable) instead of ending: a short body is never taken for the whole object (an HTTP
   * answer would end short of its Content-Length, leaving the client waiting on a live connection).
   */
  createReadStream(options: { start: number; end: number; highWaterMark: number }): ReadStream {
    if (this.#closed) throw new Error('ReadHandle: the descriptor is closed');
    this.#closed = true;
    const stream = fs.createReadStream('', { ...options, fd: this.#fd, autoClose: true });
    const length = options.end - options.start + 1;
    // fs.ReadStream pushes null at the end of the file as at `end`; `bytesRead` tells them apart.
    const push = stream.push;
    stream.push = function (chunk: unknown, encoding?: BufferEncoding) {
      if (chunk === null && stream.bytesRead < length) {
        stream.destroy(new StorageError('Unavailable', 'The file became shorter while it was read', { retryable: true }));
        return false;
      }
      return push.call(this, chunk, encoding);
    };
    return stream;
  }
}

/** Opens `path` with `flags` (read-only flags) as a {@link ReadHandle}. */
export function openReadHandle(path: string, flags: number): Promise<ReadHandle> {
  return new Promise((resolve, reject) => {
    fs.open(path, flags, (err, fd) => (err ? reject(err) : resolve(new ReadHandle(fd))));
  });
}
