/**
 * Where a data file's record (object-meta.ts) lives, and how a reader finds the one that describes the file it
 * opened: the `user.strata.meta` extended attribute of the file (xattr.ts), else a metadata file keyed by its
 * inode (meta-files.ts), else none — a foreign file, or an object in the old header format (object-read.ts).
 *
 * **Writes** attach the record to the staged file before its rename, so one rename publishes the bytes and
 * their metadata together: as the attribute when the file system takes it, else as a metadata file written
 * and fsynced first. **Reads** check the record's stamp against the stats of the file they hold (see
 * object-meta.ts): a record whose stamp does not match is not this file's, and a reader whose path now names
 * another file than its descriptor (an overwrite raced it) is told to open again.
 *
 * At open the store probes the root's file system once: when it refuses user attributes, every record is a
 * metadata file (`usesXattrs` false), and no attribute call is made again.
 *
 * **The record cache.** Reading an attribute costs ~8 µs on the event loop (xattr.ts), more than the rest of a
 * small GET's own CPU; so the records last read are kept by path, with the stats of the file they were read
 * for: inode, size, mtime and ctime. A lookup whose fstat/lstat matches all four uses the cached record, else
 * reads again. Any change to a file's attributes or bytes, by this process or another, moves its ctime
 * (`inode(7)`: "changed by writing or by setting inode information"), and a metadata file changes only
 * through this store, which updates the cache as it writes.
 */
import { lstatSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { contentTypeFromKey } from '@strata/storage';
import type { FileCore } from './core.ts';
import { MetaFiles } from './meta-files.ts';
import { decodeRecord, encodeRecord, stampMatches, stampOf } from './object-meta.ts';
import type { MetaRecord } from './object-meta.ts';
import { errnoOf } from './to-storage-error.ts';
import { isAttrRefused, readAttr, readAttrSync, removeAttrSync, writeAttrSync } from './xattr.ts';

/** What a reader learns: the record of its file, that the path changed under it, or nothing. */
export type Lookup = { record: MetaRecord } | 'race' | undefined;

/**
 * A foreign file's ETag is cached only once its mtime is this far in the past. Timestamps come from a coarse
 * clock (a few ms): a file rewritten in place within the same tick, at the same size, would keep its stamp,
 * and a cached ETag of its earlier bytes would then be served (git's "racily clean" index entries).
 */
export const RACY_MS = 2000;

type FileStats = Pick<Stats, 'ino' | 'size' | 'mtimeMs' | 'ctimeMs'>;

/** Records kept by the cache (about 300 bytes each). */
const CACHE_MAX = 16_384;

interface Cached extends Pick<Stats, 'ino' | 'size' | 'mtimeMs' | 'ctimeMs'> {
  record: MetaRecord;
}

/** The metadata of one root's data files. */
export class MetaStore {
  readonly #core: FileCore;
  readonly files: MetaFiles;
  #xattrs: boolean;
  readonly #pending = new Set<Promise<void>>();
  /** Records last read, by path; map order is recency order (see the module doc). */
  readonly #cache = new Map<string, Cached>();
  /** Counts record replacements: a lookup that overlapped one does not cache what it read. */
  #replacements = 0;

  /** @param useXattrs false keeps every record in a metadata file (the `xattrs: false` option). */
  constructor(core: FileCore, useXattrs: boolean) {
    this.#core = core;
    this.files = new MetaFiles(core);
    this.#xattrs = useXattrs;
  }

  /** Whether records go to extended attributes (false: the file system refused them, or the option). */
  get usesXattrs(): boolean {
    return this.#xattrs;
  }

  /** Whether a replaced or deleted file may have a metadata file to remove with it. */
  get filesInUse(): boolean {
    return this.files.size > 0;
  }

  /** Probes the file system with a scratch file in the staging area, and lists the metadata files. */
  async open(): Promise<void> {
    if (this.#xattrs) {
      const probe = this.#core.stagingPath('x');
      await fsp.writeFile(probe, '');
      try {
        writeAttrSync(probe, '{}');
        this.#xattrs = readAttrSync(probe)?.toString() === '{}';
      } catch (e) {
        if (!isAttrRefused(e)) throw e;
        this.#xattrs = false;
      } finally {
        await fsp.rm(probe, { force: true });
      }
    }
    await this.files.load();
  }

  /**
   * Attaches `record` to the staged data file at `path` before it is renamed into place. The caller fsyncs the
   * data file afterwards (policy `always`): `fsync`, not `fdatasync`, as an attribute is inode metadata.
   */
  async attach(path: string, record: MetaRecord): Promise<void> {
    if (this.#xattrs) {
      try {
        writeAttrSync(path, encodeRecord(record));
        return;
      } catch (e) {
        if (!isAttrRefused(e)) throw e;
      }
    }
    await this.files.write(record);
  }

  /**
   * Replaces the record of the live file at `path` (setTags: bytes, ETag and Last-Modified unchanged). The
   * attribute is replaced whole, so a reader sees the old or the new record; moving to a metadata file
   * removes the attribute after the file is durable (until then the old record still wins).
   */
  async replace(path: string, record: MetaRecord): Promise<void> {
    // The next lookup reads the new record (a metadata file's change moves no ctime), and a lookup that
    // overlapped the write does not cache what it read: the count moves before and after it.
    this.#replacements++;
    this.#cache.delete(path);
    try {
      await this.#replace(path, record);
    } finally {
      this.#replacements++;
      this.#cache.delete(path);
    }
  }

  async #replace(path: string, record: MetaRecord): Promise<void> {
    if (this.#xattrs) {
      try {
        writeAttrSync(path, encodeRecord(record));
        await this.files.remove(record.ino);
        return;
      } catch (e) {
        if (!isAttrRefused(e)) throw e;
      }
    }
    await this.files.write(record);
    if (this.#xattrs) removeAttrSync(path);
  }

  /**
   * The record describing the file of `st` (an open descriptor's fstat, or an lstat) at `path`. `sync`
   * reads the attribute on this thread (its inode was just opened; see xattr.ts for why).
   */
  async lookup(path: string, st: FileStats, sync: boolean): Promise<Lookup> {
    const cached = this.#cache.get(path);
    if (cached && cached.ino === st.ino && cached.size === st.size && cached.mtimeMs === st.mtimeMs && cached.ctimeMs === st.ctimeMs) {
      this.#cache.delete(path);
      this.#cache.set(path, cached);
      return { record: cached.record };
    }
    const replacements = this.#replacements;
    const found = await this.#read(path, st, sync);
    if (found && found !== 'race' && replacements === this.#replacements) this.#remember(path, st, found.record);
    else this.#cache.delete(path);
    return found;
  }

  #remember(path: string, st: FileStats, record: MetaRecord): void {
    this.#cache.delete(path);
    if (this.#cache.size >= CACHE_MAX) this.#cache.delete(this.#cache.keys().next().value as string);
    this.#cache.set(path, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, record });
  }

  async #read(path: string, st: FileStats, sync: boolean): Promise<Lookup> {
    if (this.#xattrs) {
      let bytes: Buffer | undefined;
      try {
        bytes = sync ? readAttrSync(path) : await readAttr(path);
      } catch (e) {
        const code = errnoOf(e);
        if (code === 'ENOENT' || code === 'ENOTDIR') return 'race'; // the path went away: open again
        if (!isAttrRefused(e)) throw e;
      }
      const record = bytes && decodeRecord(bytes);
      // Whatever the attribute says, it must be the attribute of this file: the path may name another by now.
      if (record?.ino !== st.ino && !this.#samePath(path, st)) return 'race';
      if (record) return stampMatches(record, st) ? { record } : undefined;
    }
    if (this.files.has(st.ino)) {
      const record = await this.files.read(st.ino);
      if (record && record.ino === st.ino && stampMatches(record, st)) return { record };
    }
    return undefined;
  }

  #samePath(path: string, st: FileStats): boolean {
    try {
      return lstatSync(path).ino === st.ino;
    } catch {
      return false;
    }
  }

  /**
   * Caches a foreign file's ETag in its record, in the background and best effort (a read-only file or file
   * system just recomputes it next time). It runs under the key's mutex, so no write of the adapter can put
   * another file at the path between the check that the path still holds this file and the attribute write;
   * another program's replacement gets the record with the old stamp, which never describes it. Not while the
   * file is racily new (see {@link RACY_MS}).
   */
  cacheEtag(key: string, path: string, st: FileStats, etag: string): void {
    if (key === '' || Date.now() - st.mtimeMs < RACY_MS) return;
    const record: MetaRecord = { v: 1, ...stampOf(st), etag };
    // The record then answers for the file, so it carries the type the file's name gave it (object-read.ts).
    if (contentTypeFromKey(key) !== undefined) record.typeFromKey = true;
    const done = this.#core.mutex
      .run(key, async () => {
        const now = await fsp.lstat(path);
        if (now.isFile() && now.ino === st.ino && stampMatches(record, now)) await this.replace(path, record);
      })
      .catch(() => undefined)
      .finally(() => this.#pending.delete(done));
    this.#pending.add(done);
  }

  /** Resolves once every background ETag cache write has finished (the adapter is closing). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  /** Removes the metadata file of a deleted or replaced inode (none is no error). */
  async forget(ino: number | undefined): Promise<void> {
    if (ino !== undefined) await this.files.remove(ino);
  }

  /**
   * The inode a rename or unlink at `path` is about to replace, while metadata files exist (else undefined, and
   * no system call): its metadata file is removed after. A directory's object is its `.strata-self`.
   */
  async inodeAt(path: string): Promise<number | undefined> {
    if (!this.filesInUse) return undefined;
    for (const p of [path, `${path}/.strata-self`]) {
      const st = await fsp.lstat(p).catch(() => undefined);
      if (st?.isFile()) return st.nlink > 1 ? undefined : st.ino;
      if (!st?.isDirectory()) return undefined;
    }
    return undefined;
  }
}
