/**
 * The version index of one key: every version, newest first, stored as one small JSON object. Writing it is
 * the commit point of a versioned put or delete (see version-store.ts), so it is written whole by one `put`,
 * which the contract makes atomic.
 *
 * Entries carry what ListObjectVersions answers without reading the version's bytes
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html). Per-version state that later
 * features need — object lock retention and legal hold, a lifecycle worker's noncurrent-since time — is
 * added as optional fields of {@link VersionEntry}: old indexes stay readable.
 */
import { randomBytes } from 'node:crypto';

/** One version of a key: an object version or a delete marker. */
export interface VersionEntry {
  /** The version id; `'null'` for the null version (written while versioning was never enabled or suspended). */
  id: string;
  /** True for a delete marker (which has no bytes). */
  marker?: true;
  /** The storage id of the version's bytes (absent for delete markers). */
  data?: string;
  etag: string;
  size: number;
  /** ISO 8601 instant the version was written. */
  lastModified: string;
}

/** A key's index as stored. */
export interface VersionIndex {
  /** Format version of the record. */
  v: 1;
  /** Newest first: the first entry is the current version. */
  versions: VersionEntry[];
}

/** The version id of the null version (AWS: "Working with objects in a versioning-suspended bucket"). */
export const NULL_VERSION_ID = 'null';

let lastMillis = 0;
let sequence = 0;

/**
 * A new version id: 32 URL-safe characters, unique, and increasing with time within a process (a millisecond
 * clock and a sequence, then randomness), so ids written later sort later. S3's ids are opaque; clients only
 * echo them back.
 */
export function newVersionId(now = Date.now()): string {
  if (now <= lastMillis) sequence++;
  else {
    lastMillis = now;
    sequence = 0;
  }
  const time = lastMillis.toString(32).padStart(10, '0');
  const seq = sequence.toString(32).padStart(4, '0');
  return `${time}${seq}${randomBytes(14).toString('base64url')}`.slice(0, 32);
}

/** Whether `id` has the shape of a version id this store issues (or is the null version's). */
export function isVersionIdShape(id: string): boolean {
  return id === NULL_VERSION_ID || /^[0-9a-v]{14}[A-Za-z0-9_-]{18}$/.test(id);
}

/** Parses a stored index; throws on a record of another format. */
export function parseIndex(text: string): VersionIndex {
  const parsed = JSON.parse(text) as Partial<VersionIndex>;
  if (parsed.v !== 1 || !Array.isArray(parsed.versions)) throw new Error('not a version index record');
  return parsed as VersionIndex;
}
