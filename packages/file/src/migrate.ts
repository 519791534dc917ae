/**
 * `FileAdapter.migrate`: brings a root written by an earlier version (every object file starting with a
 * `#strata1` header, metadata.ts) to the current format, where an object file holds exactly the object's
 * bytes and its metadata is in its record (object-meta.ts). Migration is optional: old-format objects are read
 * as they are and rewritten in the new format whenever they are next written (put, copy onto them, setTags).
 *
 * Each old-format object is rewritten like a setTags of an old-format object: its bytes are copied into a
 * staged file with a record carrying the same ETag, metadata, tags, checksums and Last-Modified, and published
 * by one rename under the key's mutex, so a crash leaves either form, both readable. Then the metadata files
 * whose inode was not seen in the tree (nor among multipart part files) are removed — only those that existed
 * when the migration started, so a record written meanwhile is never taken for garbage.
 */
import * as fsp from 'node:fs/promises';
import { throwIfAborted } from '@strata/storage';
import type { FileCore } from './core.ts';
import { UPLOADS_DIR, keyToPath, storesKey } from './key-mapping.ts';
import { scanTree } from './list.ts';
import { objectRecord } from './object-meta.ts';
import { FIRST_READ_BYTES, objectBytes, openObject } from './object-read.ts';
import { stageStream } from './object-write.ts';

/** What {@link migrateRoot} did. */
export interface MigrateResult {
  /** Objects seen. */
  objects: number;
  /** Objects rewritten from the old header format. */
  rewritten: number;
  /** Metadata files removed because no file of theirs is left. */
  removedRecords: number;
}

/** Rewrites old-format objects under `core`'s root and drops orphaned metadata files. */
export async function migrateRoot(core: FileCore, signal?: AbortSignal): Promise<MigrateResult> {
  const recordsBefore = new Set(core.meta.files.inodes());
  const seen = new Set<number>();
  const result: MigrateResult = { objects: 0, rewritten: 0, removedRecords: 0 };
  for await (const item of scanTree(core, { prefix: '', signal })) {
    throwIfAborted(signal, 'migrate');
    result.objects++;
    if (await rewriteIfOld(core, item.key, seen)) result.rewritten++;
  }
  for (const ino of await partInodes(core)) seen.add(ino);
  for (const ino of recordsBefore) {
    if (seen.has(ino) || !core.meta.files.has(ino)) continue;
    await core.meta.forget(ino);
    result.removedRecords++;
  }
  return result;
}

/** Rewrites `key` in the new format when it is in the old one; records the inode it ends up with. */
async function rewriteIfOld(core: FileCore, key: string, seen: Set<number>): Promise<boolean> {
  return core.mutex.run(key, async () => {
    let o;
    try {
      o = await openObject(core, key, FIRST_READ_BYTES, true, true);
    } catch {
      return false; // deleted meanwhile
    }
    let tmp: string;
    try {
      seen.add(o.stats.ino);
      if (o.format !== 'legacy') return false;
      const kp = keyToPath(key);
      const info = o.info;
      tmp = await stageStream(core, objectBytes(o), (stamp) => objectRecord(info, stamp, storesKey(kp)));
    } finally {
      await o.fh.close();
    }
    try {
      await core.commit(tmp, key, keyToPath(key));
    } catch (e) {
      await core.discard(tmp);
      throw e;
    }
    return true;
  });
}

/** The inodes of every multipart part file (their records must stay). */
async function partInodes(core: FileCore): Promise<number[]> {
  const out: number[] = [];
  const uploads = await fsp.readdir(core.abs(UPLOADS_DIR)).catch(() => [] as string[]);
  for (const id of uploads) {
    const names = await fsp.readdir(core.abs(`${UPLOADS_DIR}/${id}`)).catch(() => [] as string[]);
    for (const name of names) {
      const st = await fsp.lstat(core.abs(`${UPLOADS_DIR}/${id}/${name}`)).catch(() => undefined);
      if (st?.isFile()) out.push(st.ino);
    }
  }
  return out;
}
