/**
 * The bytes of a metadata record (object-meta.ts). Two forms, told apart by the first byte:
 *
 * - **Compact (version 2)**, what the adapter writes into the `user.strata.meta` attribute. On ext4 a file's
 *   attributes live inside its inode only while they fit the space left there (256-byte inodes: a value of at
 *   most 60 bytes under this name, measured with `st_blocks`); a larger value takes a separate 4 KiB attribute
 *   block, one more block that every durable put writes and journals (on the development VM a durable 4 KiB
 *   put costs ~0.50 ms with a 180-byte record against ~0.45 ms with none or a 40-byte one:
 *   `bench/scripts/xattr-floor.mjs`). The stamp, ETag and Last-Modified of a typical small put take 46 bytes:
 *
 *   | bytes | field                                                                                  |
 *   |-------|----------------------------------------------------------------------------------------|
 *   | 1     | `0x02`, the version                                                                    |
 *   | 1     | flags: 1 Last-Modified present, 2 ETag is a packed MD5, 4 content type is the key's,   |
 *   |       | 8 content type is `application/octet-stream`                                           |
 *   | 8 × 3 | `ino`, `size`, `mtimeMs` as float64 LE (bit-exact: `mtimeMs` is compared with `===`)   |
 *   | 4     | Last-Modified − ⌊mtimeMs⌋ in ms, int32 LE (flag 1)                                      |
 *   | 16    | the MD5 an ETag of 32 hex digits spells (flag 2), else 1 byte of length and the ETag    |
 *   | rest  | the other fields, when any, as JSON with short names ({@link SHORT_NAMES})              |
 *
 *   Fields at their default are left out: no user metadata, no tags, checksums only when asked for, the
 *   content type when it is the one the key's extension gives (flag 4). `application/octet-stream` is a flag
 *   too (8): SDKs send it when their caller names no type (aws-sdk-java, aws-sdk-js v2, minio-java), and its
 *   33 bytes in the tail would push a small put's record out of the inode.
 * - **JSON (version 1)**, `{"v":1,"ino":…,"etag":…}` with the fields' full names: what earlier versions wrote
 *   into the attribute, and what metadata files hold (their size does not matter, and a person can read them).
 *   Both forms are read wherever a record is.
 *
 * A record that the compact form cannot express (an ETag over 255 bytes, a Last-Modified beyond ±24 days of
 * the file's mtime) is written as JSON.
 */
import type { MetaRecord } from './object-meta.ts';

const COMPACT_VERSION = 2;
const HAS_LAST_MODIFIED = 1;
const PACKED_MD5 = 2;
const TYPE_FROM_KEY = 4;
const OCTET_STREAM = 8;
const OCTET_STREAM_TYPE = 'application/octet-stream';
/** Version byte, flags, three float64. */
const FIXED_BYTES = 2 + 3 * 8;
const MD5_HEX = /^[0-9a-f]{32}$/;

/** Short JSON names of the optional fields in the compact form's tail (one entry per optional field). */
const SHORT_NAMES = {
  key: 'k',
  contentType: 'ct',
  contentEncoding: 'ce',
  contentDisposition: 'cd',
  contentLanguage: 'cl',
  cacheControl: 'cc',
  expires: 'ex',
  userMetadata: 'm',
  tags: 't',
  checksums: 'ck',
  checksumType: 'cx',
  partCount: 'pc',
  partSizes: 'ps',
  partNumber: 'pn',
} as const satisfies Record<Exclude<keyof MetaRecord, 'v' | 'ino' | 'size' | 'mtimeMs' | 'etag' | 'lastModified' | 'typeFromKey'>, string>;

type TailName = keyof typeof SHORT_NAMES;
const TAIL_NAMES = Object.keys(SHORT_NAMES) as TailName[];

/** The compact bytes of `r` (or its JSON bytes when the compact form cannot hold it). */
export function encodeCompact(r: MetaRecord): Buffer {
  const delta = r.lastModified === undefined ? 0 : r.lastModified - Math.floor(r.mtimeMs);
  const etagBytes = Buffer.byteLength(r.etag, 'utf8');
  if (!Number.isInteger(delta) || delta < -0x8000_0000 || delta > 0x7fff_ffff || etagBytes > 255) return encodeJson(r);
  const packed = MD5_HEX.test(r.etag);
  const tail: Record<string, unknown> = {};
  let hasTail = false;
  const octets = r.contentType === OCTET_STREAM_TYPE;
  for (const name of TAIL_NAMES) {
    if (r[name] === undefined || (octets && name === 'contentType')) continue;
    tail[SHORT_NAMES[name]] = r[name];
    hasTail = true;
  }
  const tailBytes = hasTail ? Buffer.from(JSON.stringify(tail), 'utf8') : undefined;
  const size = FIXED_BYTES + (r.lastModified === undefined ? 0 : 4) + (packed ? 16 : 1 + etagBytes) + (tailBytes?.length ?? 0);
  const out = Buffer.allocUnsafe(size);
  out[0] = COMPACT_VERSION;
  out[1] = (r.lastModified === undefined ? 0 : HAS_LAST_MODIFIED) | (packed ? PACKED_MD5 : 0) | (r.typeFromKey ? TYPE_FROM_KEY : 0) | (octets ? OCTET_STREAM : 0);
  out.writeDoubleLE(r.ino, 2);
  out.writeDoubleLE(r.size, 10);
  out.writeDoubleLE(r.mtimeMs, 18);
  let at = FIXED_BYTES;
  if (r.lastModified !== undefined) at = out.writeInt32LE(delta, at);
  if (packed) at += out.write(r.etag, at, 'hex');
  else {
    out[at++] = etagBytes;
    at += out.write(r.etag, at, 'utf8');
  }
  tailBytes?.copy(out, at);
  return out;
}

/** The JSON bytes of `r` (version 1 field names; metadata files). */
export function encodeJson(r: MetaRecord): Buffer {
  return Buffer.from(JSON.stringify({ ...r, v: 1 }), 'utf8');
}

/** Parses either form; undefined for anything that is not a record (damaged, or another program's attribute). */
export function decodeAny(bytes: Buffer): MetaRecord | undefined {
  return bytes[0] === COMPACT_VERSION ? decodeCompact(bytes) : decodeJson(bytes);
}

function decodeCompact(b: Buffer): MetaRecord | undefined {
  if (b.length < FIXED_BYTES + 1) return undefined;
  const flags = b[1] as number;
  const mtimeMs = b.readDoubleLE(18);
  const r: MetaRecord = { v: 1, ino: b.readDoubleLE(2), size: b.readDoubleLE(10), mtimeMs, etag: '' };
  let at = FIXED_BYTES;
  try {
    if (flags & HAS_LAST_MODIFIED) {
      r.lastModified = Math.floor(mtimeMs) + b.readInt32LE(at);
      at += 4;
    }
    if (flags & PACKED_MD5) {
      if (at + 16 > b.length) return undefined;
      r.etag = b.toString('hex', at, at + 16);
      at += 16;
    } else {
      if (at >= b.length) return undefined;
      const n = b[at++] as number;
      if (at + n > b.length) return undefined;
      r.etag = b.toString('utf8', at, at + n);
      at += n;
    }
    if (flags & TYPE_FROM_KEY) r.typeFromKey = true;
    if (flags & OCTET_STREAM) r.contentType = OCTET_STREAM_TYPE;
    if (at < b.length) {
      const tail = JSON.parse(b.toString('utf8', at)) as Record<string, unknown>;
      if (typeof tail !== 'object' || tail === null) return undefined;
      const target = r as unknown as Record<string, unknown>;
      for (const name of TAIL_NAMES) if (tail[SHORT_NAMES[name]] !== undefined) target[name] = tail[SHORT_NAMES[name]];
    }
  } catch {
    return undefined; // a truncated number or a tail that is not JSON
  }
  return Number.isFinite(r.ino) && Number.isFinite(r.size) && Number.isFinite(mtimeMs) ? r : undefined;
}

function decodeJson(bytes: Buffer): MetaRecord | undefined {
  let r: MetaRecord;
  try {
    r = JSON.parse(bytes.toString('utf8')) as MetaRecord;
  } catch {
    return undefined;
  }
  if (typeof r !== 'object' || r === null || r.v !== 1) return undefined;
  if (typeof r.etag !== 'string' || typeof r.size !== 'number' || typeof r.mtimeMs !== 'number' || typeof r.ino !== 'number') return undefined;
  return r;
}
