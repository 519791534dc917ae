/**
 * How the read paths close their descriptors. A GET of a small object has its bytes after one open and one
 * read; its close should cost the GET nothing. On Node an asynchronous close is a thread-pool round trip, and
 * measured on the bench machine (2 vCPUs, shared) a round trip costs a GET as much as its open or its read: the
 * dispatch and the wake-ups, not the syscall, are the price (open + read + thread-pool close ≈ 55–67 µs per
 * operation at concurrency 1 under load, open + read + synchronous close ≈ 50 µs, raw `readFile` ≈ 100 µs).
 *
 * So a read-only descriptor whose bytes are in hand is closed synchronously when that is provably a few
 * microseconds of CPU (see {@link ReadCloses.closeRead}); otherwise it goes to the thread pool after the bytes
 * are handed over, counted so that closing the adapter waits for every such close (no descriptor outlives it).
 */
import * as fsp from 'node:fs/promises';
import type { ReadHandle } from './read-handle.ts';

/** statfs magic numbers of the filesystems where `closeRead` may close synchronously: ext2/3/4, tmpfs. */
const CHEAP_CLOSE_FILESYSTEMS = new Set([0xef53, 0x01021994]);

/** The close policy of one root (one per `FileCore`). */
export class ReadCloses {
  readonly #root: string;
  /** Descriptors whose close was started by {@link closeSoon} and has not completed yet. */
  #closing = 0;
  #onClosed: (() => void) | undefined;
  /** Renames and unlinks that may drop an object file's last name: in flight, and started + finished. */
  #unlinking = 0;
  #unlinkEpoch = 0;
  /** Whether the root's filesystem closes a read-only descriptor without I/O (see {@link closeRead}). */
  #cheapClose = false;

  constructor(root: string) {
    this.#root = root;
  }

  /**
   * Closes a read descriptor off the caller's latency path (its bytes are in hand): the close runs on the
   * thread pool while the result is returned. Counted, so {@link closesSettled} can wait for every one.
   */
  closeSoon(fh: ReadHandle): void {
    this.#closing++;
    fh.closeSoon(() => {
      if (--this.#closing === 0) this.#onClosed?.();
    });
  }

  /**
   * Decides at open whether {@link closeRead} may close synchronously: on Linux, for filesystems whose close of
   * a read-only descriptor of a linked file does no I/O and takes no lock that I/O could hold (ext2/3/4: no
   * `flush`, `release` acts only for writers or files truncated to zero, which object files never are; tmpfs:
   * memory only). Network filesystems (NFSv4 sends a CLOSE and waits for it), FUSE, xfs (a close may trim
   * speculative preallocation in a transaction) and anything unknown keep the asynchronous close.
   */
  async probeFilesystem(): Promise<void> {
    if (process.platform !== 'linux') return;
    const fs = await fsp.statfs(this.#root).catch(() => undefined); // unknown: keep the asynchronous close
    this.#cheapClose = fs !== undefined && CHEAP_CLOSE_FILESYSTEMS.has(fs.type);
  }

  /** A token for {@link closeRead}, taken before the open whose descriptor it will close. */
  get unlinkEpoch(): number {
    return this.#unlinkEpoch;
  }

  /**
   * Runs `fn`, a rename or unlink that may remove an object file's last name (overwrite, delete, conversion).
   * Counted so that {@link closeRead} knows whether one overlapped a read.
   */
  async unlinking<T>(fn: () => Promise<T>): Promise<T> {
    this.#unlinking++;
    this.#unlinkEpoch++;
    try {
      return await fn();
    } finally {
      this.#unlinking--;
      this.#unlinkEpoch++;
    }
  }

  /**
   * Closes a read descriptor whose bytes are in hand, opened after `epoch` was taken. A thread-pool close costs
   * a GET as much as its open or its read (the dispatch, not the syscall, is the price: see the module doc),
   * so it is done synchronously when that is provably a few microseconds of CPU: on a
   * filesystem that {@link probeFilesystem} found cheap, and when no rename or unlink of this process started
   * or finished since the open. Then the file still has its name, so this close cannot be its last reference
   * (which would free its blocks in the calling thread), and the root belongs to this process alone (its
   * lock). Otherwise the close goes to the thread pool, off the caller's latency ({@link closeSoon}).
   */
  closeRead(fh: ReadHandle, epoch: number): void {
    if (this.#cheapClose && this.#unlinking === 0 && this.#unlinkEpoch === epoch) fh.closeSync();
    else this.closeSoon(fh);
  }

  /** Resolves once every close started by {@link closeSoon} has completed (the adapter is closing). */
  async closesSettled(): Promise<void> {
    while (this.#closing > 0) await new Promise<void>((resolve) => (this.#onClosed = resolve));
    this.#onClosed = undefined;
  }
}
