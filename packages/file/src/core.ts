/**
 * The filesystem side of the adapter: paths under the root, directory creation (with the file → directory
 * conversion that lets `a/b` live beside `a/b/c`), the atomic commit (rename into place + directory fsync),
 * removal of empty parents and symlink checks (crash recovery of the staging area at open: recovery.ts).
 *
 * Concurrency: one process owns the root (lock.ts). Writers of a key hold its in-process mutex; the conversion
 * of an ancestor takes that ancestor key's mutex (always a shorter key, so waits never form a cycle) and the
 * `TREE` mutex, which also serializes removal of empty directories, so a directory is never removed while a
 * conversion has it momentarily empty.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from '@strata/storage';
import { LONG_NAME_FILE, SELF_NAME, STAGING_DIR, ancestorKey, isLongName } from './key-mapping.ts';
import type { KeyPath } from './key-mapping.ts';
import { DirHandles } from './dir-handles.ts';
import { nameLongDir, removeDir } from './long-dirs.ts';
import { LongKeys } from './long-keys.ts';
import { writeConversionNote } from './recovery.ts';
import { MetaStore } from './meta-store.ts';
import { KeyMutex, Semaphore } from './lock.ts';
import { openReadHandle } from './read-handle.ts';
import { ReadCloses } from './read-closes.ts';
import type { ReadHandle } from './read-handle.ts';
import { StagedCloses, openWriteHandle } from './write-handle.ts';
import type { WriteHandle } from './write-handle.ts';
import { errnoOf } from './to-storage-error.ts';

/** Mutex name serializing directory removal and conversions (NUL never occurs in a key). */
const TREE = '\0tree';
/** Bound on the verified-directory cache; cleared when full (it only saves lstat calls). */
const VERIFIED_MAX = 100_000;
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
  /** Relative directory paths known to be real directories (not symlinks) that we created or checked. */
  #verified = new Set<string>();
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

  constructor(options: CoreOptions) {
    this.root = options.root;
    this.staging = join(options.root, STAGING_DIR);
    this.durable = options.fsync === 'always';
    this.minPartSize = options.minPartSize;
    this.fds = new Semaphore(options.maxOpenFiles);
    this.reads = new ReadCloses(options.root);
    this.meta = new MetaStore(this, options.xattrs);
    this.#dirs = new DirHandles((path) => this.openWrite(path, constants.O_RDONLY), Math.min(DIR_HANDLES_MAX, options.maxOpenFiles));
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
   * Checks that every directory component of `kp` is a real directory. Returns false when one is missing or
   * is a file (so the key cannot exist); throws `PermissionDenied` on a symlink, which is never followed.
   */
  async checkDirs(kp: KeyPath): Promise<boolean> {
    let rel = '';
    for (const d of kp.dirs) {
      rel = rel === '' ? d : `${rel}/${d}`;
      if (this.#verified.has(rel)) continue;
      let st;
      try {
        st = await fsp.lstat(this.abs(rel));
      } catch (e) {
        const code = errnoOf(e);
        if (code === 'ENOENT' || code === 'ENOTDIR') return false;
        throw e;
      }
      if (st.isSymbolicLink()) throw symlinkError();
      if (!st.isDirectory()) return false;
      this.#markVerified(rel);
    }
    return true;
  }

  #markVerified(rel: string): void {
    if (this.#verified.size >= VERIFIED_MAX) this.#verified.clear();
    this.#verified.add(rel);
  }

  /**
   * Creates the directories of `key` (converting an object in the way into a directory), appending each
   * directory it created to `created` (relative paths, outermost first) so a failed write can remove them.
   */
  async ensureDirs(key: string, kp: KeyPath, created: string[] = []): Promise<void> {
    let rel = '';
    for (let i = 0; i < kp.dirs.length; i++) {
      const name = kp.dirs[i] as string;
      rel = rel === '' ? name : `${rel}/${name}`;
      if (this.#verified.has(rel)) continue;
      if (await this.#ensureDir(key, kp, i + 1, rel, name)) created.push(rel);
    }
  }

  /** Makes the directory `rel` exist; true when this call created it. */
  async #ensureDir(key: string, kp: KeyPath, depth: number, rel: string, name: string): Promise<boolean> {
    const segment = kp.hashed ? name : (key.split('/')[depth - 1] as string);
    try {
      await this.makeDir(rel, name, segment);
      this.#markVerified(rel);
      await this.syncDir(parentOf(rel));
      return true;
    } catch (e) {
      const code = errnoOf(e);
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY' && code !== 'ENOTDIR') throw e;
    }
    const st = await fsp.lstat(this.abs(rel));
    if (st.isDirectory()) {
      if (!kp.hashed && isLongName(name)) await nameLongDir(this, rel, segment);
      this.#markVerified(rel);
      return false;
    }
    if (st.isSymbolicLink()) throw symlinkError();
    // The hashed area's directories are the adapter's own: a file there was planted, never an object to move.
    if (!st.isFile() || kp.hashed) {
      throw new StorageError('PermissionDenied', 'A directory on the path of the key is taken by something that is neither an object nor a directory');
    }
    await this.#convert(ancestorKey(key, depth), rel, name, segment);
    this.#markVerified(rel);
    return false;
  }

  /**
   * Removes the directories a failed write created (`created`, outermost first), innermost first, while they
   * are empty: a rejected write leaves the tree as it was. A directory another write has put something into
   * meanwhile stays, and so do its parents.
   */
  async removeCreatedDirs(created: readonly string[]): Promise<void> {
    if (created.length === 0) return;
    await this.mutex.run(TREE, async () => {
      for (let i = created.length - 1; i >= 0; i--) {
        const rel = created[i] as string;
        try {
          await removeDir(this, rel);
        } catch {
          break; // in use (or gone): its parents are in use too
        }
        this.#dirs.invalidate(this.abs(rel));
        this.#verified.delete(rel);
      }
      await this.syncObjectDir(parentOf(created[0] as string)).catch(() => undefined);
    });
  }

  /** mkdir; a long (hashed) name gets its `.strata-name` atomically, by renaming a prepared directory. */
  async makeDir(rel: string, name: string, segment: string): Promise<void> {
    if (!isLongName(name)) {
      await fsp.mkdir(this.abs(rel));
      return;
    }
    const tmp = this.stagingPath('d');
    await fsp.mkdir(tmp);
    try {
      await fsp.writeFile(join(tmp, LONG_NAME_FILE), segment, 'utf8');
      await fsp.rename(tmp, this.abs(rel));
    } catch (e) {
      await fsp.rm(tmp, { recursive: true, force: true });
      throw e;
    }
  }

  /**
   * Turns the object file at `rel` into a directory holding it as `.strata-self`. Crash-safe: a note naming the
   * target (`conv-….json`) is written first, then a hard link in the staging area (`conv-…`) keeps the file
   * (bytes, attributes and inode, so its record still describes it) until it is in its new place, and
   * recovery at open finishes the move.
   */
  async #convert(ancKey: string, rel: string, name: string, segment: string): Promise<void> {
    await this.mutex.run(ancKey, () =>
      this.mutex.run(TREE, async () => {
        let st;
        try {
          st = await fsp.lstat(this.abs(rel));
        } catch (e) {
          if (errnoOf(e) !== 'ENOENT') throw e;
          return this.makeDir(rel, name, segment);
        }
        if (st.isDirectory()) return;
        const record = this.stagingPath('conv');
        await writeConversionNote(this, record, { rel, segment });
        await fsp.link(this.abs(rel), record);
        await this.syncDir(STAGING_DIR);
        await this.reads.unlinking(() => fsp.unlink(this.abs(rel)));
        await this.makeDir(rel, name, segment);
        await this.reads.unlinking(() => fsp.rename(record, `${this.abs(rel)}/${SELF_NAME}`));
        await this.syncDir(rel);
        await this.syncDir(parentOf(rel));
      }),
    );
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
      await this.removeCreatedDirs(created);
      throw e;
    }
  }

  async #publish(tmp: string, key: string, kp: KeyPath, created: string[]): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.ensureDirs(key, kp, created);
      } catch (e) {
        const code = errnoOf(e);
        if ((code !== 'ENOENT' && code !== 'ENOTDIR') || attempt >= 5) throw e;
        this.forget(kp);
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
        this.forget(kp);
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

  /** Drops `kp`'s directories from the verified and handle caches (after they may have been removed). */
  forget(kp: KeyPath): void {
    let rel = '';
    for (const d of kp.dirs) {
      rel = rel === '' ? d : `${rel}/${d}`;
      this.#verified.delete(rel);
      this.#dirs.invalidate(this.abs(rel));
    }
  }

  /** Removes now-empty directories from `fromRel` up to (not including) the root. */
  async removeEmptyDirs(fromRel: string): Promise<void> {
    await this.mutex.run(TREE, async () => {
      let rel = fromRel;
      let removed = false;
      while (rel !== '') {
        try {
          await removeDir(this, rel);
        } catch {
          break; // ENOTEMPTY (or gone): stop at the first directory still in use.
        }
        // At once, before any other continuation could recreate the directory and fsync the stale handle.
        this.#dirs.invalidate(this.abs(rel));
        this.#verified.delete(rel);
        removed = true;
        rel = parentOf(rel);
      }
      if (removed) await this.syncObjectDir(rel);
    });
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

/** The parent of a relative path (`''` for a top-level name). */
export function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

function symlinkError(): StorageError {
  return new StorageError('PermissionDenied', 'Refusing to follow a symbolic link on the path of the key inside the storage root');
}

