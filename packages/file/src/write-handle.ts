/**
 * A descriptor for writing and syncing (a staged file, or a directory kept for its fsync) over the callback
 * `fs` API instead of a promise `FileHandle`.
 *
 * Why: a durable small PUT is a chain of thread-pool round trips (open, writev, fsync, rename, directory
 * fsync), and through `fs/promises` each also builds and settles a `FileHandle`'s promise plumbing; the
 * callback API does the same system calls for about half the CPU per call (read-handle.ts measured the same
 * for the GET path's open + read + close). On a busy machine that CPU is latency: the main thread and the
 * thread pool share the cores. {@link StagedCloses} takes a durable staged file's close off the put's latency.
 */
import * as fs from 'node:fs';

/** An open descriptor that writes and syncs; `close` is idempotent. */
export class WriteHandle {
  readonly fd: number;
  #closed = false;

  constructor(fd: number) {
    this.fd = fd;
  }

  /** Writes `chunks` in order at `position`: one `pwrite`/`pwritev`, again for the rest after a short write. */
  async writev(chunks: Buffer[], position: number): Promise<void> {
    let rest = chunks;
    let at = position;
    while (rest.length > 0) {
      const written = await this.#write(rest, at);
      // A regular file takes at least a byte or fails (ENOSPC, EIO); never spin on a write that takes none.
      if (written === 0) throw Object.assign(new Error('EIO: a write wrote nothing, write'), { code: 'EIO', syscall: 'write' });
      at += written;
      rest = afterBytes(rest, written);
    }
  }

  #write(chunks: Buffer[], position: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const done = (err: NodeJS.ErrnoException | null, written: number) => (err ? reject(err) : resolve(written));
      const only = chunks.length === 1 ? (chunks[0] as Buffer) : undefined;
      if (only) fs.write(this.fd, only, 0, only.length, position, done);
      else fs.writev(this.fd, chunks, position, done);
    });
  }

  /** `fsync(2)`: the file's bytes and inode (its attributes too), or a directory's entries, are durable. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => fs.fsync(this.fd, (err) => (err ? reject(err) : resolve())));
  }

  /**
   * `fdatasync(2)`: the bytes written so far (and the size) reach the disk; the rest of the inode may not. Used
   * to start a large file's write-back while later bytes are still arriving (object-write.ts).
   */
  datasync(): Promise<void> {
    return new Promise((resolve, reject) => fs.fdatasync(this.fd, (err) => (err ? reject(err) : resolve())));
  }

  /** Closes the descriptor (once; later calls resolve at once). */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve, reject) => fs.close(this.fd, (err) => (err ? reject(err) : resolve())));
  }
}

/**
 * Closes of staged files' descriptors whose bytes and record are durable (fsynced), off the writer's latency:
 * the rename that publishes a file may run before its close ends. A close error then loses nothing (`close(2)`
 * reports write-back errors that `fsync(2)` has already reported), so it is not passed on. Tracked, so that
 * closing the adapter waits for every such close.
 */
export class StagedCloses {
  readonly #running = new Set<Promise<void>>();

  /** Starts closing `fh`; does not wait. */
  closeSoon(fh: Pick<WriteHandle, 'close'>): void {
    const done: Promise<void> = fh
      .close()
      .catch(() => undefined)
      .finally(() => this.#running.delete(done));
    this.#running.add(done);
  }

  /** Resolves once every close started by {@link StagedCloses.closeSoon} has finished. */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }
}

/** What is left of `chunks` after their first `n` bytes. */
function afterBytes(chunks: Buffer[], n: number): Buffer[] {
  let skip = n;
  let i = 0;
  while (i < chunks.length && skip >= (chunks[i] as Buffer).length) skip -= (chunks[i++] as Buffer).length;
  if (i === chunks.length) return [];
  const rest = chunks.slice(i);
  rest[0] = (rest[0] as Buffer).subarray(skip);
  return rest;
}

/** Opens `path` with `flags` and `mode` as a {@link WriteHandle}. */
export function openWriteHandle(path: string, flags: number, mode?: number): Promise<WriteHandle> {
  return new Promise((resolve, reject) => {
    fs.open(path, flags, mode, (err, fd) => (err ? reject(err) : resolve(new WriteHandle(fd))));
  });
}
