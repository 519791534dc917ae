/**
 * The filesystem side of the adapter: paths under the root, staging paths, opening descriptors (retried
 * while they are exhausted), directory fsyncs, and the atomic commit of a staged file (rename into place +
 * directory fsync). It also holds the per-root state the other modules share: the key mutex, the descriptor
 * semaphore, the record store and the close policy. The directory tree a commit renames into (creation, the
 * file → directory conversion, symlink checks, removal of empty parents) is dir-tree.ts; crash recovery of
 * the staging area at open is recovery.ts.
 *
 * Concurrency: one process owns the root (lock.ts). Writers of a key hold its in-process mutex for the rename
 * of a commit, not for its directory fsync ({@link FileCore.syncPublished}).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { SELF_NAME, STAGING_DIR } from './key-mapping.ts';
import type { KeyPath } from './key-mapping.ts';
import { DirHandles } from './dir-handles.ts';
import { DirTree } from './dir-tree.ts';
import { LongKeys } from './long-keys.ts';
import { MetaStore } from './meta-store.ts';
import { KeyMutex, Semaphore } from './lock.ts';
import { openReadHandle } from './read-handle.ts';
import { ReadCloses } from './read-closes.ts';
import type { ReadHandle } from './read-handle.ts';
import { StagedCloses, openWriteHandle } from './write-handle.ts';
import type { WriteHandle } from './write-handle.ts';
import { errnoOf } from './to-storage-error.ts';

/** Directory handles kept open for the directory fsync of commits (see dir-handles.ts). */
const DIR_HANDLES_MAX = 64;
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/** Sleeps `ms` milliseconds. */
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Options the core needs. */
export interface CoreOptions {
  root: string;
  fsync: 'always' | 'never';
  maxOpenFiles: number;
  minPartSize: number;
  /** Whether records may go to extended attributes (else metadata files only). */
  xattrs: boolean;
}

/** The filesystem operations shared by the adapter's modules. */
export class FileCore {
  readonly root: string;
  readonly staging: string;
  readonly durable: boolean;
  readonly minPartSize: number;
  readonly mutex = new KeyMutex();
  readonly fds: Semaphore;
  readonly #dirs: DirHandles;
  #seq = 0;
  #tag = randomBytes(4).toString('hex');
  /** How read descriptors are closed, and the renames and unlinks that decide it (read-closes.ts). */
  readonly reads: ReadCloses;
  /** The keys stored in the hashed area, in order (long-keys.ts); loaded at open. */
  readonly longKeys = new LongKeys();
  /** Where the records of data files are (meta-store.ts). */
  readonly meta: MetaStore;
  /** Closes of staged files' descriptors, run beside their commit (write-handle.ts). */
  readonly stagedCloses = new StagedCloses();
  /** The directories of keys: checked, created (converting objects in the way) and removed (dir-tree.ts). */
  readonly tree: DirTree;

  constructor(options: CoreOptions) {
    this.root = options.root;
    this.staging = join(options.root, STAGING_DIR);
    this.durable = options.fsync === 'always';
    this.minPartSize = options.minPartSize;
    this.fds = new Semaphore(options.maxOpenFiles);
    this.reads = new ReadCloses(options.root);
    this.meta = new MetaStore(this, options.xattrs);
    this.#dirs = new DirHandles((path) => this.openWrite(path, constants.O_RDONLY), Math.min(DIR_HANDLES_MAX, options.maxOpenFiles));
    this.tree = new DirTree(this, this.#dirs);
  }

  /** Absolute path of a relative one (`''` is the root). */
  abs(rel: string): string {
    return rel === '' ? this.root : `${this.root}/${rel}`;
  }

  /** A fresh path in the staging area. */
  stagingPath(kind = 't'): string {
    return `${this.staging}/${kind}-${this.#tag}-${(this.#seq++).toString(36)}`;
  }

  /** Opens a file, retrying while descriptors are exhausted (EMFILE/ENFILE never escape at once). */
  open(path: string, flags: number | string, mode?: number): Promise<FileHandle> {
    return retryWhileExhausted(() => fsp.open(path, flags, mode));
  }

  /**
   * Opens for reading without following a symlink in the last component, as a light callback-API handle
   * (read-handle.ts: the GET path's open + read + close at half the cost of a promise FileHandle).
   */
  openRead(path: string): Promise<ReadHandle> {
    return retryWhileExhausted(() => openReadHandle(path, READ_FLAGS));
  }

  /**
   * Opens for writing (a staged file) or for fsync (a directory) as a light callback-API handle
   * (write-handle.ts), retrying while descriptors are exhausted.
   */
  openWrite(path: string, flags: number, mode?: number): Promise<WriteHandle> {
    return retryWhileExhausted(() => openWriteHandle(path, flags, mode));
  }

  /** fsyncs a directory so a rename or create in it is durable (policy `always` only). */
  async syncDir(rel: string): Promise<void> {
    if (!this.durable) return;
    const fh = await this.open(this.abs(rel), constants.O_RDONLY);
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /**
   * fsyncs an object directory through a cached handle (policy `always` only): the commit path of every put,
   * where an open and a close around the fsync would cost two more thread-pool round trips.
   */
  async syncObjectDir(rel: string): Promise<void> {
    if (!this.durable) return;
    await this.#dirs.sync(this.abs(rel));
  }

  /** Closes the cached directory handles (the adapter is closing). */
  closeDirs(): Promise<void> {
    return this.#dirs.closeAll();
  }

  /**
   * Publishes the staged file `tmp` as `key`'s object: one rename (into `.strata-self` when the key's path is
   * a directory), then an fsync of the directory. Caller holds the key's mutex.
   */
  async commit(tmp: string, key: string, kp: KeyPath): Promise<void> {
    await this.syncObjectDir(await this.publish(tmp, key, kp));
  }

  /**
   * The rename half of {@link FileCore.commit}: makes `tmp` visible as `key` and returns the directory whose
   * fsync makes it durable. Caller holds the key's mutex (the rename), not necessarily for the fsync.
   */
  async publish(tmp: string, key: string, kp: KeyPath): Promise<string> {
    const created: string[] = [];
    try {
      const dir = await this.#publish(tmp, key, kp, created);
      if (kp.hashed) this.longKeys.add(key);
      return dir;
    } catch (e) {
      await this.tree.removeCreatedDirs(created);
      throw e;
    }
  }

  async #publish(tmp: string, key: string, kp: KeyPath, created: string[]): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.tree.ensureDirs(key, kp, created);
      } catch (e) {
        const code = errnoOf(e);
        if ((code !== 'ENOENT' && code !== 'ENOTDIR') || attempt >= 5) throw e;
        this.tree.forget(kp);
        continue;
      }
      const target = this.abs(kp.rel);
      // While metadata files exist, the replaced file's is removed with it (meta-files.ts).
      const replaced = await this.meta.inodeAt(target);
      try {
        await this.reads.unlinking(() => fsp.rename(tmp, target));
        await this.meta.forget(replaced);
        return kp.dir;
      } catch (e) {
        const code = errnoOf(e);
        if (!kp.hashed && (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST')) {
          await this.reads.unlinking(() => fsp.rename(tmp, `${target}/${SELF_NAME}`));
          await this.meta.forget(replaced);
          return kp.rel;
        }
        // A concurrent delete removed a parent that had just become empty: create it again.
        if ((code !== 'ENOENT' && code !== 'ENOTDIR') || attempt >= 5) throw e;
        this.tree.forget(kp);
      }
    }
  }

  /**
   * The fsync half, run after the key's mutex is released so that the next writer of the key can rename while
   * it runs (and share it: directory fsyncs are group-committed, dir-handles.ts). The caller still returns
   * only after an fsync that started after its rename. The directory can be gone only if a delete of the key,
   * queued behind this put on the key's mutex, emptied and removed it; the put is then superseded, and it
   * returns once that delete (which syncs what it removed) has finished.
   */
  async syncPublished(key: string, dir: string): Promise<void> {
    try {
      await this.syncObjectDir(dir);
    } catch (e) {
      const code = errnoOf(e);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      await this.mutex.run(key, async () => {});
    }
  }

  /**
   * Removes a staged file that will not be published (a failed condition or rename), with the metadata file
   * written for it, if any.
   */
  async discard(tmp: string): Promise<void> {
    await this.meta.forget(await this.meta.inodeAt(tmp));
    await fsp.rm(tmp, { force: true });
  }
}

/** Runs `open`, retrying while descriptors are exhausted (EMFILE/ENFILE never escape at once). */
async function retryWhileExhausted<T>(open: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await open();
    } catch (e) {
      const code = errnoOf(e);
      if ((code !== 'EMFILE' && code !== 'ENFILE') || attempt >= 50) throw e;
      await sleep(Math.min(100, 2 + attempt * 5));
    }
  }
}

