/**
 * Open directory handles kept for the directory fsync of every durable write. A put's commit is a rename
 * followed by an fsync of the directory (`fsync(2)`: "calling fsync() on a file descriptor for the directory
 * is also needed" for the entry to be durable); opening and closing the directory around each fsync would add
 * two thread-pool round trips to every put, a quarter of its system calls. The fsync needs *a* descriptor of
 * the directory's inode, not a fresh one, so a bounded LRU of handles keyed by path keeps them.
 *
 * Correctness rests on one rule: a path's handle must never outlive the directory it was opened on, or an
 * fsync would reach a removed inode while the rename went into its replacement. Every removal of a directory
 * by the adapter (dir-tree.ts `removeEmptyDirs`, `removeCreatedDirs`, `forget` after an ENOENT) calls
 * {@link DirHandles.invalidate} synchronously after the `rmdir` resolves, before any other continuation can
 * recreate the directory and sync it. Directories removed behind the adapter's back by another process are
 * outside the one-process-per-root contract (as for the verified-directory cache, dir-tree.ts).
 */
import type { WriteHandle } from './write-handle.ts';

/** What a directory handle must do: fsync and close. */
export type SyncHandle = Pick<WriteHandle, 'sync' | 'close'>;

interface Entry {
  handle: Promise<SyncHandle>;
  /** Syncs in flight on this handle; the last one closes a dropped handle. */
  users: number;
  dropped: boolean;
  /** Set once the handle is being closed. */
  closing?: Promise<void>;
  /** The fsync in progress, if any. */
  running?: Promise<void>;
  /** The fsync that starts when `running` ends; every caller arriving meanwhile joins it. */
  queued?: Promise<void>;
  /** fsync calls issued on this handle (tests). */
  fsyncs: number;
}

/** A bounded cache of open directory handles used only for fsync. */
export class DirHandles {
  readonly #open: (path: string) => Promise<SyncHandle>;
  readonly #max: number;
  /** Map order is recency order (oldest first). */
  readonly #entries = new Map<string, Entry>();

  /**
   * @param open opens a directory read-only (the core's EMFILE-retrying open).
   * @param max handles kept open at most; a sync on a path beyond it evicts the least recently used.
   */
  constructor(open: (path: string) => Promise<SyncHandle>, max: number) {
    this.#open = open;
    this.#max = Math.max(1, max);
  }

  /** Open handles currently cached (for tests and bounds). */
  get size(): number {
    return this.#entries.size;
  }

  /** fsyncs the directory at the absolute `path`, through a cached handle when there is one. */
  async sync(path: string): Promise<void> {
    let e = this.#entries.get(path);
    if (e) {
      this.#entries.delete(path); // refresh its recency
      this.#entries.set(path, e);
    } else {
      e = { handle: this.#open(path), users: 0, dropped: false, fsyncs: 0 };
      e.handle.catch(() => undefined); // observed below; a failed open is never cached
      this.#entries.set(path, e);
    }
    e.users++;
    try {
      await this.#join(e);
      this.#evict();
    } catch (err) {
      this.#drop(path, e);
      throw err;
    } finally {
      e.users--;
      if (e.dropped && e.users === 0) this.#close(e);
    }
  }

  /**
   * Group commit of directory fsyncs: a caller needs an fsync that *starts after* its call (its rename is
   * done by then). With none running, one starts at once; with one running (it may have started before the
   * caller's rename), the caller joins the next one, which starts when the running one ends and serves every
   * caller that arrived meanwhile. Concurrent commits into one directory thus share fsyncs instead of each
   * holding a thread-pool thread for its own.
   */
  #join(e: Entry): Promise<void> {
    if (e.queued) return e.queued;
    if (!e.running) return this.#start(e);
    const next = e.running
      .catch(() => undefined)
      .then(() => {
        e.queued = undefined;
        return this.#start(e);
      });
    e.queued = next;
    return next;
  }

  #start(e: Entry): Promise<void> {
    e.fsyncs++;
    const run = e.handle.then((fh) => fh.sync());
    e.running = run;
    const clear = () => {
      if (e.running === run) e.running = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  /** fsync calls issued for `path`'s current handle (tests). */
  fsyncCount(path: string): number {
    return this.#entries.get(path)?.fsyncs ?? 0;
  }

  /** Forgets (and closes once idle) the handle of `path`: call it as soon as the directory is removed. */
  invalidate(path: string): void {
    const e = this.#entries.get(path);
    if (e) this.#drop(path, e);
  }

  /** Closes every handle (the adapter is closing). */
  async closeAll(): Promise<void> {
    const all = [...this.#entries];
    for (const [path, e] of all) this.#drop(path, e);
    await Promise.all(all.map(([, e]) => e.closing));
  }

  #evict(): void {
    for (const [path, e] of this.#entries) {
      if (this.#entries.size <= this.#max) return;
      this.#drop(path, e);
    }
  }

  #drop(path: string, e: Entry): void {
    if (this.#entries.get(path) === e) this.#entries.delete(path);
    e.dropped = true;
    if (e.users === 0) this.#close(e);
  }

  #close(e: Entry): void {
    e.closing ??= e.handle.then((fh) => fh.close()).catch(() => undefined);
  }
}
