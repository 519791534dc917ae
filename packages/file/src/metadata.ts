/**
 * The object header of the earlier on-disk format: every object file (and multipart part file) started with
 * its metadata, then the bytes. Objects are plain files now (object-meta.ts); this format is only read — for
 * objects and part files written by an earlier version, until they are next written or migrated — and written
 * by tests that make such a data directory.
 *
 * Layout (text, so `head -2 file` showed it and `tail -n +3 file` yielded the object's bytes):
 *
 * ```
 * #strata1 00000321\n          ← magic and the data offset, 8 decimal digits (18 bytes)
 * {"key":"a/b","size":…}  \n   ← ObjectInfo as one JSON line (lastModified in ms), maybe padded with spaces
 * <the object's bytes>
 * ```
 */
import type { ObjectInfo } from '@strata/storage';

const MAGIC = '#strata1 ';
/** Bytes of the first line: magic, 8 digits, newline. */
export const PREFIX_BYTES = MAGIC.length + 8 + 1;
/** The largest header accepted (keys are ≤ 2 KiB; metadata and tags are small). */
export const MAX_HEADER_BYTES = 1 << 20;

/** The JSON form of {@link ObjectInfo} stored in the header. */
type StoredInfo = Omit<ObjectInfo, 'lastModified'> & { lastModified: number };

/** Builds a header for `info`, padded with spaces to at least `minBytes` bytes. */
export function encodeHeader(info: ObjectInfo, minBytes = 0): Buffer {
  const stored: StoredInfo = { ...info, lastModified: info.lastModified.getTime() };
  return encodeJsonHeader(stored, minBytes);
}

/** Builds a header holding any JSON value (multipart parts use it too), padded to at least `minBytes`. */
export function encodeJsonHeader(value: unknown, minBytes = 0): Buffer {
  const json = JSON.stringify(value);
  const bytes = Buffer.byteLength(json, 'utf8');
  const total = Math.max(PREFIX_BYTES + bytes + 1, minBytes);
  // Written into one buffer of its final size: no padded copy of the JSON string and no second encoding.
  const out = Buffer.allocUnsafe(total);
  out.write(`${MAGIC}${String(total).padStart(8, '0')}\n`, 0, 'latin1');
  out.write(json, PREFIX_BYTES, 'utf8');
  out.fill(0x20, PREFIX_BYTES + bytes, total - 1);
  out[total - 1] = 0x0a;
  return out;
}

/** Reads the data offset from the first line; undefined when the buffer does not start with a header. */
export function headerLength(buf: Buffer, length: number): number | undefined {
  if (length < PREFIX_BYTES || buf.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
  const n = Number(buf.toString('latin1', MAGIC.length, MAGIC.length + 8));
  if (!Number.isSafeInteger(n) || n < PREFIX_BYTES + 2 || n > MAX_HEADER_BYTES) return undefined;
  return n;
}

/** Parses the JSON of a complete header (`buf` holds at least `dataOffset` bytes). */
export function parseJsonHeader<T>(buf: Buffer, dataOffset: number): T {
  return JSON.parse(buf.toString('utf8', PREFIX_BYTES, dataOffset - 1)) as T;
}

/** Parses an object header (`buf` holds at least `dataOffset` bytes). */
export function parseHeader(buf: Buffer, dataOffset: number): ObjectInfo {
  const stored = parseJsonHeader<StoredInfo>(buf, dataOffset);
  if (typeof stored.key !== 'string' || typeof stored.size !== 'number' || typeof stored.etag !== 'string') {
    throw new Error('malformed object header');
  }
  return { ...stored, lastModified: new Date(stored.lastModified), userMetadata: stored.userMetadata ?? {}, tags: stored.tags ?? {} };
}
