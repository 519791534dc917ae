/**
 * The metadata record of a data file: what the file adapter knows about an object (or a multipart part) beyond
 * its bytes, kept in the file's `user.strata.meta` attribute in a compact binary form or, where attributes
 * cannot hold it, as JSON in a metadata file (meta-store.ts; both forms: record-codec.ts). The file itself
 * holds exactly the object's bytes. As JSON:
 *
 * ```json
 * {"v":1,"ino":1835021,"size":11,"mtimeMs":1732435200123.4563,"etag":"…","lastModified":1732435200125,
 *  "contentType":"application/x-report","userMetadata":{"a":"1"},"checksums":{"crc32":"…"}}
 * ```
 *
 * **The stamp** (`ino`, `size`, `mtimeMs`) is the data file as it was when the record was written. A record
 * describes a file only while the file's size and modification time still match it: a file rewritten in place
 * by another program (which keeps its attributes) is then a foreign file again, and its old ETag and metadata
 * are never served with its new bytes. The inode number tells a copy (`cp -a`, `rsync -X`: same bytes, size
 * and mtime, attributes copied along, a new inode — the record still holds) from a reader that opened one file
 * and read the attribute of another put at the path meanwhile (a race the reader retries).
 *
 * Optional fields are left out when empty or at their default, to keep the record small: an ext4 inode has
 * room for a value of about 60 bytes, and a larger one costs every durable put one more block (record-codec.ts).
 */
import type { Stats } from 'node:fs';
import type { Checksums, ObjectInfo, PartInfo } from '@strata/storage';
import { contentTypeFromKey } from '@strata/storage';
import { STANDARD_HEADER_NAMES } from '@strata/storage/adapter';
import { decodeAny, encodeCompact, encodeJson } from './record-codec.ts';

/** What identifies the data file a record was written for. */
export interface Stamp {
  ino: number;
  size: number;
  /** `Stats.mtimeMs` exactly (sub-millisecond: Node derives it from the nanosecond timestamp). */
  mtimeMs: number;
}

/** The stored record: the stamp, the ETag, and what else is known. */
export interface MetaRecord extends Stamp {
  /** The schema of these fields (version 1, whichever form stored them: record-codec.ts). */
  v: 1;
  etag: string;
  /** Milliseconds since the epoch; absent for a file the adapter did not write (its mtime is used). */
  lastModified?: number;
  /** The key, for files whose path does not spell it (hashed keys and long segments). */
  key?: string;
  contentType?: string;
  /** The content type is the one the key's extension gives (`contentTypeFromKey`), so it is not stored. */
  typeFromKey?: true;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  userMetadata?: Record<string, string>;
  tags?: Record<string, string>;
  checksums?: Checksums;
  checksumType?: 'FULL_OBJECT' | 'COMPOSITE';
  partCount?: number;
  /** A multipart object's part sizes, run-length coded: `[[size, count], …]` in part order. */
  partSizes?: [number, number][];
  /** A multipart part file: its part number. */
  partNumber?: number;
}

/** The stamp of a file from its stats. */
export function stampOf(st: Pick<Stats, 'ino' | 'size' | 'mtimeMs'>): Stamp {
  return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
}

/** Whether `record` still describes the file of `st` (size and mtime unchanged; see the module doc for `ino`). */
export function stampMatches(record: Stamp, st: Pick<Stats, 'size' | 'mtimeMs'>): boolean {
  return record.size === st.size && record.mtimeMs === st.mtimeMs;
}

/** The record of an object written by the adapter (`info` as returned to the writer). */
export function objectRecord(info: ObjectInfo, stamp: Stamp, withKey: boolean, partSizes?: number[]): MetaRecord {
  const r: MetaRecord = { v: 1, ...stamp, etag: info.etag, lastModified: info.lastModified.getTime() };
  if (withKey) r.key = info.key;
  for (const h of STANDARD_HEADER_NAMES) if (info[h] !== undefined) r[h] = info[h];
  if (r.contentType !== undefined && r.contentType === contentTypeFromKey(info.key)) {
    delete r.contentType;
    r.typeFromKey = true;
  }
  if (Object.keys(info.userMetadata).length > 0) r.userMetadata = { ...info.userMetadata };
  if (Object.keys(info.tags).length > 0) r.tags = { ...info.tags };
  if (info.checksums && Object.keys(info.checksums).length > 0) r.checksums = { ...info.checksums };
  if (info.checksumType !== undefined) r.checksumType = info.checksumType;
  if (info.partCount !== undefined) r.partCount = info.partCount;
  if (partSizes && partSizes.length > 0) r.partSizes = runLengths(partSizes);
  return r;
}

/** The ObjectInfo a record describes, for `key` (the record's own key when `key` is ''). */
export function recordInfo(r: MetaRecord, key: string): ObjectInfo {
  const info: ObjectInfo = {
    key: key === '' ? (r.key ?? '') : key,
    size: r.size,
    etag: r.etag,
    lastModified: new Date(r.lastModified ?? Math.floor(r.mtimeMs)),
    userMetadata: { ...r.userMetadata },
    tags: { ...r.tags },
  };
  for (const h of STANDARD_HEADER_NAMES) if (r[h] !== undefined) info[h] = r[h];
  if (r.typeFromKey) {
    const type = contentTypeFromKey(info.key);
    if (type !== undefined) info.contentType = type;
  }
  if (r.checksums) info.checksums = { ...r.checksums };
  if (r.checksumType !== undefined) info.checksumType = r.checksumType;
  if (r.partCount !== undefined) info.partCount = r.partCount;
  return info;
}

/** The record of a multipart part file. */
export function partRecord(part: PartInfo, stamp: Stamp): MetaRecord {
  const r: MetaRecord = { v: 1, ...stamp, etag: part.etag, lastModified: part.lastModified.getTime(), partNumber: part.partNumber };
  if (part.checksums && Object.keys(part.checksums).length > 0) r.checksums = { ...part.checksums };
  return r;
}

/** The PartInfo a part record describes. */
export function recordPart(r: MetaRecord): PartInfo {
  const part: PartInfo = { partNumber: r.partNumber ?? 0, size: r.size, etag: r.etag, lastModified: new Date(r.lastModified ?? Math.floor(r.mtimeMs)) };
  if (r.checksums) part.checksums = { ...r.checksums };
  return part;
}

/** The record's bytes in an extended attribute: the compact form (record-codec.ts). */
export function encodeRecord(r: MetaRecord): Buffer {
  return encodeCompact(r);
}

/** The record's bytes in a metadata file: JSON, for people to read. */
export function encodeRecordJson(r: MetaRecord): Buffer {
  return encodeJson(r);
}

/** Parses a record of either form; undefined for anything that is not one (damaged, or another program's). */
export function decodeRecord(bytes: Buffer | string): MetaRecord | undefined {
  return decodeAny(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
}

/** `[a, a, a, b]` → `[[a, 3], [b, 1]]`: a multipart object's parts are nearly all of one size. */
function runLengths(sizes: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const s of sizes) {
    const last = out[out.length - 1];
    if (last && last[0] === s) last[1]++;
    else out.push([s, 1]);
  }
  return out;
}

/** Copies `info` so callers cannot mutate what the adapter holds. */
export function cloneInfo(info: ObjectInfo): ObjectInfo {
  return {
    ...info,
    lastModified: new Date(info.lastModified.getTime()),
    userMetadata: { ...info.userMetadata },
    tags: { ...info.tags },
    ...(info.checksums ? { checksums: { ...info.checksums } } : {}),
  };
}
