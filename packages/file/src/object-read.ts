/**
 * Reading object files. A data file holds exactly its object's bytes; what else is known comes from its
 * record (meta-store.ts). A GET is one open and one read for an object of up to 64 KiB (into a pooled buffer:
 * read-buffer.ts), an fstat and an attribute read on this thread, and a close off its latency path
 * (read-closes.ts); larger objects stream from the same descriptor.
 *
 * A file without a record is one of two things:
 * - **an object in the old format** (before records): its file starts with a `#strata1` header
 *   (metadata.ts) whose size matches the file; it reads as before, its bytes after the header, until it is
 *   next written (or `FileAdapter.migrate` rewrites it);
 * - **a foreign file**, put there by another program: its ETag is the MD5 of its bytes, computed now and cached
 *   in its record (meta-store.ts `cacheEtag`), Last-Modified its mtime, Content-Type from its extension
 *   (`contentTypeFromKey` of `@strata/storage`), no user metadata or tags.
 */
import { createHash } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { StorageError } from '@strata/storage';
import type { ObjectInfo } from '@strata/storage';
import { contentTypeFromKey } from '@strata/storage';
import type { FileCore } from './core.ts';
import { SELF_NAME, keyToPath } from './key-mapping.ts';
import { headerLength, parseHeader } from './metadata.ts';
import { recordInfo } from './object-meta.ts';
import type { MetaRecord } from './object-meta.ts';
import { FIRST_READ_BYTES, giveReadBuffer, takeReadBuffer } from './read-buffer.ts';
import type { ReadHandle } from './read-handle.ts';
import { errnoOf } from './to-storage-error.ts';

/** First read of a metadata-only open (head, listing of a file without a record). */
export const HEADER_READ_BYTES = 4096;
export { FIRST_READ_BYTES };

/** How an opened file's metadata was found. */
export type FileFormat = 'record' | 'legacy' | 'foreign';

/** An object file opened for reading, its metadata found (and, for a small object, its bytes already read). */
export interface OpenedObject {
  info: ObjectInfo;
  fh: ReadHandle;
  /**
   * All of the object's bytes when they came with the first read and the caller asked for them: a buffer of
   * its own (copied out of the pooled read buffer). Undefined otherwise: the bytes are read from `fh`.
   */
  data: Buffer | undefined;
  /** Where the object's bytes start in the file: 0, or an old-format object's header length. */
  dataOffset: number;
  /** `core.reads.unlinkEpoch` before the open, for `core.reads.closeRead`. */
  epoch: number;
  /** The file actually opened (`…/.strata-self` for a key that is also a directory). */
  path: string;
  /** fstat of the descriptor. */
  stats: Stats;
  format: FileFormat;
  /** The record, for format `record`. */
  record?: MetaRecord;
}

const notFound = (key: string, cause?: unknown) => new StorageError('NotFound', 'The object does not exist', { key, cause });
const isMissing = (e: unknown) => {
  const code = errnoOf(e);
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/**
 * Opens `key`'s object and reads its start with one read of up to `readLength` bytes
 * (≤ {@link FIRST_READ_BYTES}); with `wantBytes`, an object that fits that read comes back whole in `data`.
 * Throws `NotFound`; a key whose file is being converted into a directory by a concurrent write is waited for,
 * not missed (unless the caller holds the key's mutex itself: `holdsMutex`).
 */
export async function openObject(core: FileCore, key: string, readLength: number, wantBytes: boolean, holdsMutex = false): Promise<OpenedObject> {
  const kp = keyToPath(key);
  for (let attempt = 0; ; attempt++) {
    try {
      if (!(await core.tree.checkDirs(kp))) throw notFound(key);
      return await openPath(core, key, core.abs(kp.rel), readLength, wantBytes);
    } catch (e) {
      const missing = isMissing(e) || (e instanceof StorageError && e.code === 'NotFound');
      if (missing && !holdsMutex && attempt < 3 && core.mutex.busy(key)) {
        await core.mutex.idle(key);
        continue;
      }
      if (isMissing(e)) throw notFound(key, e);
      throw e;
    }
  }
}

/**
 * Opens the object file at `path` (its key is `key`; '' to take it from the record) and reads its first
 * `readLength` bytes into a pooled buffer, then finds its metadata. The pooled buffer is given back before
 * this returns; what the result keeps is copied out. An overwrite that replaced the file between the open and
 * the attribute read is noticed (meta-store.ts) and the file opened again.
 */
export async function openPath(core: FileCore, key: string, path: string, readLength: number, wantBytes: boolean): Promise<OpenedObject> {
  for (let attempt = 0; ; attempt++) {
    const epoch = core.reads.unlinkEpoch;
    let file = path;
    let fh = await core.openRead(file);
    const slab = takeReadBuffer();
    try {
      let bytesRead: number;
      try {
        bytesRead = (await fh.read(slab, 0, readLength, 0)).bytesRead;
      } catch (e) {
        if (errnoOf(e) !== 'EISDIR') throw e;
        // The key is also a directory (`a/b` beside `a/b/c`): its object is the directory's `.strata-self`.
        core.reads.closeSoon(fh);
        file = `${path}/${SELF_NAME}`;
        fh = await core.openRead(file);
        bytesRead = (await fh.read(slab, 0, readLength, 0)).bytesRead;
      }
      const stats = fh.statSync();
      const found = await core.meta.lookup(file, stats, true);
      if (found === 'race' && attempt < 3) {
        core.reads.closeSoon(fh);
        continue;
      }
      const opened: OpenedObject = { info: undefined as unknown as ObjectInfo, fh, data: undefined, dataOffset: 0, epoch, path: file, stats, format: 'record' };
      if (found && found !== 'race') {
        opened.record = found.record;
        opened.info = recordInfo(found.record, key);
      } else {
        const legacy = await readLegacyHeader(fh, slab, bytesRead, stats);
        if (legacy) {
          opened.format = 'legacy';
          opened.info = legacy.info;
          opened.dataOffset = legacy.dataOffset;
          if (key !== '') opened.info.key = key; // '' keeps the stored key (decoding a hashed long name)
        } else {
          opened.format = 'foreign';
          opened.info = await foreignInfo(core, key, file, fh, stats, slab, bytesRead);
        }
      }
      const end = opened.dataOffset + opened.info.size;
      if (wantBytes && end <= bytesRead) {
        opened.data = Buffer.allocUnsafe(opened.info.size);
        slab.copy(opened.data, 0, opened.dataOffset, end);
      }
      return opened;
    } catch (e) {
      core.reads.closeSoon(fh);
      throw e;
    } finally {
      // Every read into it has completed (each was awaited), and only copies of its bytes leave this function.
      giveReadBuffer(slab);
    }
  }
}

/**
 * The header of an object in the old format, when the file has one whose size matches the file (a file
 * changed by another program since is a foreign file); undefined otherwise.
 */
async function readLegacyHeader(fh: ReadHandle, slab: Buffer, bytesRead: number, stats: Stats): Promise<{ info: ObjectInfo; dataOffset: number } | undefined> {
  const dataOffset = headerLength(slab, bytesRead);
  if (dataOffset === undefined || dataOffset > stats.size) return undefined;
  let buf = slab;
  if (dataOffset > bytesRead) {
    buf = Buffer.allocUnsafe(dataOffset);
    slab.copy(buf, 0, 0, bytesRead);
    const more = await fh.read(buf, bytesRead, dataOffset - bytesRead, bytesRead);
    if (bytesRead + more.bytesRead < dataOffset) return undefined;
  }
  try {
    const info = parseHeader(buf, dataOffset);
    return dataOffset + info.size === stats.size ? { info, dataOffset } : undefined;
  } catch {
    return undefined; // not JSON, or not an object header: the bytes of a foreign file
  }
}

/** The info of a foreign file: ETag from its bytes (cached for next time), the rest from its stats and name. */
async function foreignInfo(core: FileCore, key: string, path: string, fh: ReadHandle, stats: Stats, slab: Buffer, bytesRead: number): Promise<ObjectInfo> {
  const md5 = createHash('md5');
  if (stats.size <= bytesRead) md5.update(slab.subarray(0, stats.size));
  else {
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let pos = 0; pos < stats.size; ) {
      const { bytesRead: n } = await fh.read(chunk, 0, Math.min(chunk.length, stats.size - pos), pos);
      if (n === 0) throw new StorageError('Unavailable', 'The file became shorter while it was read', { key, retryable: true });
      md5.update(chunk.subarray(0, n));
      pos += n;
    }
  }
  const etag = md5.digest('hex');
  core.meta.cacheEtag(key, path, stats, etag);
  const info: ObjectInfo = { key, size: stats.size, etag, lastModified: new Date(Math.floor(stats.mtimeMs)), userMetadata: {}, tags: {} };
  const type = contentTypeFromKey(key === '' ? path : key);
  if (type !== undefined) info.contentType = type;
  return info;
}

/**
 * The info of the object file at `path` (listings): from its record when it has one, found by an lstat and
 * an attribute read without opening the file; else by opening it. Undefined when it is gone, or is not a
 * regular file.
 */
export async function readInfoAt(core: FileCore, key: string, path: string): Promise<ObjectInfo | undefined> {
  return core.fds.with(async () => {
    try {
      const st = await fsp.lstat(path);
      if (!st.isFile()) return undefined;
      const found = await core.meta.lookup(path, st, false);
      if (found && found !== 'race') return recordInfo(found.record, key);
      // The close is awaited here: the semaphore bounds the descriptors a listing's read-ahead holds.
      const o = await openPath(core, key, path, HEADER_READ_BYTES, false);
      await o.fh.close();
      return o.info;
    } catch (e) {
      if (isMissing(e) || errnoOf(e) === 'ELOOP' || e instanceof StorageError) return undefined;
      throw e;
    }
  });
}

/** The bytes of an opened object from `start` to `end` (inclusive, object offsets), as Buffers. */
export async function* objectBytes(o: OpenedObject, start = 0, end = o.info.size - 1): AsyncGenerator<Buffer> {
  if (end < start) return;
  if (o.data) {
    yield o.data.subarray(start, end + 1);
    return;
  }
  let pos = o.dataOffset + start;
  const to = o.dataOffset + end; // inclusive
  const chunk = 1 << 20;
  while (pos <= to) {
    const b = Buffer.allocUnsafe(Math.min(chunk, to - pos + 1));
    const { bytesRead } = await o.fh.read(b, 0, b.length, pos);
    if (bytesRead === 0) throw new StorageError('Corrupted', 'The object file is shorter than its size', { key: o.info.key });
    pos += bytesRead;
    yield bytesRead === b.length ? b : b.subarray(0, bytesRead);
  }
}
