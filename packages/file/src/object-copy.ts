/**
 * The staging halves of CopyObject and PutObjectTagging: what they write before (or instead of) a commit.
 * Copy streams the source's bytes into a staged file with the destination's record; setTags replaces the
 * record of the live file in place (bytes, ETag and Last-Modified unchanged, as on S3), or rewrites an object
 * of the old header format in the new one.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { checkReadConditions, checkWriteConditions, createChecksum, resolveRange } from '@strata/storage';
import type { ChecksumAlgorithm, Checksums, CopyOptions, ObjectInfo } from '@strata/storage';
import type { FileCore } from './core.ts';
import { keyToPath, storesKey } from './key-mapping.ts';
import { pickStandardHeaders } from '@strata/storage/adapter';
import { cloneInfo, objectRecord, stampOf } from './object-meta.ts';
import { FIRST_READ_BYTES, objectBytes, openObject } from './object-read.ts';
import { stageStream } from './object-write.ts';

const lowerKeys = (m: Record<string, string> | undefined) => Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

/**
 * Stages the copy of `source` as `destination` (conditions on the source checked here); the caller commits it
 * with the conditions on the destination. A whole single-part source keeps its ETag and checksums; a range or
 * a multipart source gets the MD5 (and checksums) of the copied bytes, as on S3.
 */
export async function stageCopy(core: FileCore, source: string, destination: string, options: CopyOptions): Promise<{ tmp: string; info: ObjectInfo }> {
  const src = await openObject(core, source, FIRST_READ_BYTES, true);
  let info!: ObjectInfo;
  try {
    checkReadConditions(src.info, options.source ?? {}, 'copy');
    const range = options.range ? resolveRange(options.range, src.info.size) : undefined;
    const start = range?.start ?? 0;
    const end = range?.end ?? src.info.size - 1;
    const meta = options.metadataDirective === 'replace' ? options : src.info;
    const base = { key: destination, ...pickStandardHeaders(meta), userMetadata: lowerKeys(meta.userMetadata), tags: { ...meta.tags } };
    const withKey = storesKey(keyToPath(destination));
    const keepDigests = !range && !src.info.partCount && src.info.checksumType === undefined;
    if (keepDigests) {
      info = { ...base, size: src.info.size, etag: src.info.etag, lastModified: new Date() };
      if (src.info.checksums) info.checksums = { ...src.info.checksums };
      const tmp = await stageStream(core, objectBytes(src, start, end), (stamp) => objectRecord(info, stamp, withKey));
      return { tmp, info };
    }
    const md5 = createHash('md5');
    const algorithms = Object.keys(src.info.checksums ?? {}) as ChecksumAlgorithm[];
    const sums = algorithms.map((a) => [a, createChecksum(a)] as const);
    const tmp = await stageStream(
      core,
      objectBytes(src, start, end),
      (stamp) => {
        info = { ...base, size: Math.max(0, end - start + 1), etag: md5.digest('hex'), lastModified: new Date() };
        if (sums.length > 0) info.checksums = Object.fromEntries(sums.map(([a, c]) => [a, c.digest().toString('base64')])) as Checksums;
        return objectRecord(info, stamp, withKey);
      },
      (chunk) => {
        md5.update(chunk);
        for (const [, c] of sums) c.update(chunk);
      },
    );
    return { tmp, info };
  } finally {
    await src.fh.close();
  }
}

/**
 * PutObjectTagging: replaces the file's record in place (meta-store.ts `replace`) and fsyncs the file (policy
 * `always`; an attribute is inode metadata). An object in the old header format is rewritten in the new one
 * (copy-on-write, published by one rename like any write). Caller holds the key's mutex.
 */
export async function setObjectTags(core: FileCore, key: string, tags: Record<string, string>, ifMatch: string | undefined): Promise<ObjectInfo> {
  const kp = keyToPath(key);
  const src = await openObject(core, key, FIRST_READ_BYTES, true, true);
  let info: ObjectInfo;
  let tmp: string | undefined;
  try {
    checkWriteConditions(src.info, { ifMatch }, 'setTags', key);
    info = { ...src.info, tags: { ...tags } };
    if (src.format === 'legacy') {
      tmp = await stageStream(core, objectBytes(src), (stamp) => objectRecord(info, stamp, storesKey(kp)));
    } else {
      const record = objectRecord(info, stampOf(src.stats), storesKey(kp));
      if (src.record?.partSizes) record.partSizes = src.record.partSizes;
      await core.meta.replace(src.path, record);
      if (core.durable) await syncFile(src.path);
    }
  } finally {
    await src.fh.close();
  }
  if (tmp !== undefined) {
    try {
      await core.commit(tmp, key, kp);
    } catch (e) {
      await core.discard(tmp);
      throw e;
    }
  }
  return cloneInfo(info);
}

/** fsyncs a file by path, never through a symbolic link. */
async function syncFile(path: string): Promise<void> {
  const fh = await fsp.open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
