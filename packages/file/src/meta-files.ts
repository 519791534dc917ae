/**
 * Metadata files: where a data file's record (object-meta.ts) goes when its extended attribute cannot hold it
 * (a file system without user attributes, such as ramfs, NFS or some FUSE mounts, or a record larger than the
 * file system allows, ext4 ≈ 4 KiB for all of a file's attributes). A record is stored by the data file's
 * inode number, `.strata-meta/<ino mod 256, 2 hex>/<ino>.json`, not by its path, for these reasons:
 *
 * - **Crash consistency is one rule.** A write stages its data file, writes (and fsyncs) the record of the
 *   staged file's inode, then renames the data file into place. Before that rename the old object and its own
 *   record are untouched (a record keyed by path would have to be overwritten first, losing the old object's
 *   metadata if the process died before the rename); after it, the new file and its record are both in place.
 *   At every point, a data file is described by the record of its inode when that record's stamp (inode,
 *   size, mtime) matches it, and is a foreign file otherwise (its ETag computed from its bytes).
 * - **Moves keep the pairing**: the rename into place, the conversion of `a/b` into `a/b/.strata-self` and a
 *   move by hand within the file system keep the inode, as they keep extended attributes.
 *
 * What that costs: a record outlives its file when the file is deleted or replaced other than through the
 * adapter, or when the process dies between writing the record and the rename (the staged file is removed at
 * open). Such a record is garbage, never wrong: a new file that gets the same inode number has another mtime.
 * The adapter removes the record of a file it deletes or replaces (it looks the replaced inode up only while
 * records exist: `size`), and `FileAdapter.migrate` removes records whose inode is no longer in the tree.
 * Copying a root to another file system (new inode numbers) turns files described here into foreign files.
 */
import * as fsp from 'node:fs/promises';
import type { FileCore } from './core.ts';
import { META_DIR } from './key-mapping.ts';
import { decodeRecord, encodeRecordJson } from './object-meta.ts';
import type { MetaRecord } from './object-meta.ts';
import { errnoOf } from './to-storage-error.ts';

const bucketOf = (ino: number) => (ino % 256).toString(16).padStart(2, '0');

/** The metadata files of one root. */
export class MetaFiles {
  readonly #core: FileCore;
  /** Inodes that have a record file, known since open (every record is written through this class). */
  readonly #inodes = new Set<number>();

  constructor(core: FileCore) {
    this.#core = core;
  }

  /** Records on disk (0 when every record is in an attribute: writes and deletes then skip the lookup). */
  get size(): number {
    return this.#inodes.size;
  }

  /** Whether the file of inode `ino` may have a record here. */
  has(ino: number): boolean {
    return this.#inodes.has(ino);
  }

  /** Relative path of the record of inode `ino`. */
  rel(ino: number): string {
    return `${META_DIR}/${bucketOf(ino)}/${ino}.json`;
  }

  /** Lists the records at open. */
  async load(): Promise<void> {
    let buckets: string[];
    try {
      buckets = await fsp.readdir(this.#core.abs(META_DIR));
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return;
      throw e;
    }
    for (const bucket of buckets) {
      const names = await fsp.readdir(this.#core.abs(`${META_DIR}/${bucket}`)).catch(() => [] as string[]);
      for (const name of names) {
        const ino = Number(name.slice(0, -'.json'.length));
        if (name.endsWith('.json') && Number.isSafeInteger(ino)) this.#inodes.add(ino);
      }
    }
  }

  /** The record of inode `ino`, if one is stored (its stamp is for the caller to check). */
  async read(ino: number): Promise<MetaRecord | undefined> {
    try {
      return decodeRecord(await fsp.readFile(this.#core.abs(this.rel(ino))));
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw e;
    }
  }

  /**
   * Stores `record` for its inode: written whole in the staging area, fsynced, renamed into place and the
   * directory fsynced (policy `always`), so it is durable before the caller renames the data file it describes.
   */
  async write(record: MetaRecord): Promise<void> {
    const core = this.#core;
    const tmp = core.stagingPath('m');
    const fh = await core.open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(encodeRecordJson(record));
      if (core.durable) await fh.sync();
    } finally {
      await fh.close();
    }
    const dir = `${META_DIR}/${bucketOf(record.ino)}`;
    try {
      // A directory made here is made durable too: its own entry is in its parent.
      const made = await fsp.mkdir(core.abs(dir), { recursive: true });
      if (made !== undefined) {
        await core.syncDir(META_DIR);
        await core.syncDir('');
      }
      await fsp.rename(tmp, core.abs(this.rel(record.ino)));
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
    this.#inodes.add(record.ino);
    await core.syncDir(dir);
  }

  /** Removes the record of inode `ino` (none is no error). */
  async remove(ino: number): Promise<void> {
    if (!this.#inodes.delete(ino)) return;
    await fsp.rm(this.#core.abs(this.rel(ino)), { force: true });
  }

  /** Every inode with a record (for garbage collection). */
  inodes(): number[] {
    return [...this.#inodes];
  }
}
