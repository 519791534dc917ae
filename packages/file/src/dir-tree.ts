/**
 * The directory tree under the root: checking that a key's directories are real directories, creating them
 * for a write (with the file → directory conversion that lets `a/b` live beside `a/b/c`), and removing them
 * again when they are left empty (by a failed write or a delete). It owns the verified-directory cache, the
 * set of directories known to be real, so the common put and get skip every `lstat` and `mkdir` on their
 * path; each removal drops the directory from that cache and from the commit's directory handles
 * (dir-handles.ts) at once.
 *
 * Concurrency: one process owns the root (lock.ts). Writers of a key hold its in-process mutex; the conversion
 * of an ancestor takes that ancestor key's mutex (always a shorter key, so waits never form a cycle) and the
 * `TREE` mutex, which also serializes removal of empty directories, so a directory is never removed while a
 * conversion has it momentarily empty. Directories removed behind the adapter's back by another process are
 * outside that contract.
 */
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from '@strata/storage';
import type { FileCore } from './core.ts';
import type { DirHandles } from './dir-handles.ts';
import { LONG_NAME_FILE, SELF_NAME, STAGING_DIR, ancestorKey, isLongName } from './key-mapping.ts';
import type { KeyPath } from './key-mapping.ts';
import { nameLongDir, removeDir } from './long-dirs.ts';
import { writeConversionNote } from './recovery.ts';
import { errnoOf } from './to-storage-error.ts';

/** Mutex name serializing directory removal and conversions (NUL never occurs in a key). */
const TREE = '\0tree';
/** Bound on the verified-directory cache; cleared when full (it only saves lstat calls). */
const VERIFIED_MAX = 100_000;

/** Creates, checks and removes the directories of keys under one root (one per `FileCore`). */
export class DirTree {
  readonly #core: FileCore;
  /** The commit's cached directory handles, invalidated whenever a directory is removed. */
  readonly #dirs: DirHandles;
  /** Relative directory paths known to be real directories (not symlinks) that we created or checked. */
  #verified = new Set<string>();

  constructor(core: FileCore, dirs: DirHandles) {
    this.#core = core;
    this.#dirs = dirs;
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
        st = await fsp.lstat(this.#core.abs(rel));
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
      await this.#core.syncDir(parentOf(rel));
      return true;
    } catch (e) {
      const code = errnoOf(e);
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY' && code !== 'ENOTDIR') throw e;
    }
    const st = await fsp.lstat(this.#core.abs(rel));
    if (st.isDirectory()) {
      if (!kp.hashed && isLongName(name)) await nameLongDir(this.#core, rel, segment);
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

  /** mkdir; a long (hashed) name gets its `.strata-name` atomically, by renaming a prepared directory. */
  async makeDir(rel: string, name: string, segment: string): Promise<void> {
    const core = this.#core;
    if (!isLongName(name)) {
      await fsp.mkdir(core.abs(rel));
      return;
    }
    const tmp = core.stagingPath('d');
    await fsp.mkdir(tmp);
    try {
      await fsp.writeFile(join(tmp, LONG_NAME_FILE), segment, 'utf8');
      await fsp.rename(tmp, core.abs(rel));
    } catch (e) {
      await fsp.rm(tmp, { recursive: true, force: true });
      throw e;
    }
  }

  /**
   * Turns the object file at `rel` into a directory holding it as `.strata-self`. Crash-safe: a note naming the
   * target (`conv-….json`) is written first, then a hard link in the staging area (`conv-…`) keeps the file
   * (bytes, attributes and inode, so its record still describes it) until it is in its new place, and
   * recovery at open finishes the move (recovery.ts).
   */
  async #convert(ancKey: string, rel: string, name: string, segment: string): Promise<void> {
    const core = this.#core;
    await core.mutex.run(ancKey, () =>
      core.mutex.run(TREE, async () => {
        let st;
        try {
          st = await fsp.lstat(core.abs(rel));
        } catch (e) {
          if (errnoOf(e) !== 'ENOENT') throw e;
          return this.makeDir(rel, name, segment);
        }
        if (st.isDirectory()) return;
        const record = core.stagingPath('conv');
        await writeConversionNote(core, record, { rel, segment });
        await fsp.link(core.abs(rel), record);
        await core.syncDir(STAGING_DIR);
        await core.reads.unlinking(() => fsp.unlink(core.abs(rel)));
        await this.makeDir(rel, name, segment);
        await core.reads.unlinking(() => fsp.rename(record, `${core.abs(rel)}/${SELF_NAME}`));
        await core.syncDir(rel);
        await core.syncDir(parentOf(rel));
      }),
    );
  }

  /**
   * Removes the directories a failed write created (`created`, outermost first), innermost first, while they
   * are empty: a rejected write leaves the tree as it was. A directory another write has put something into
   * meanwhile stays, and so do its parents.
   */
  async removeCreatedDirs(created: readonly string[]): Promise<void> {
    if (created.length === 0) return;
    const core = this.#core;
    await core.mutex.run(TREE, async () => {
      for (let i = created.length - 1; i >= 0; i--) {
        const rel = created[i] as string;
        try {
          await removeDir(core, rel);
        } catch {
          break; // in use (or gone): its parents are in use too
        }
        this.#dirs.invalidate(core.abs(rel));
        this.#verified.delete(rel);
      }
      await core.syncObjectDir(parentOf(created[0] as string)).catch(() => undefined);
    });
  }

  /** Removes now-empty directories from `fromRel` up to (not including) the root. */
  async removeEmptyDirs(fromRel: string): Promise<void> {
    const core = this.#core;
    await core.mutex.run(TREE, async () => {
      let rel = fromRel;
      let removed = false;
      while (rel !== '') {
        try {
          await removeDir(core, rel);
        } catch {
          break; // ENOTEMPTY (or gone): stop at the first directory still in use.
        }
        // At once, before any other continuation could recreate the directory and fsync the stale handle.
        this.#dirs.invalidate(core.abs(rel));
        this.#verified.delete(rel);
        removed = true;
        rel = parentOf(rel);
      }
      if (removed) await core.syncObjectDir(rel);
    });
  }

  /** Drops `kp`'s directories from the verified and handle caches (after they may have been removed). */
  forget(kp: KeyPath): void {
    let rel = '';
    for (const d of kp.dirs) {
      rel = rel === '' ? d : `${rel}/${d}`;
      this.#verified.delete(rel);
      this.#dirs.invalidate(this.#core.abs(rel));
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
