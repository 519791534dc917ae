/**
 * The version index of one key: every version, newest first, stored as one small JSON object. Writing it is
 * the commit point of a versioned put or delete (see version-store.ts), so it is written whole by one `put`,
 * which the contract makes atomic.
 *
 * Entries carry what ListObjectVersions answers without reading the version's bytes
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html). Per-version state that later
 * features need — object lock retention and legal hold — is added as optional fields of {@link VersionEntry}:
 * old indexes stay readable. A lifecycle worker's noncurrent-since time is derived ({@link noncurrentSince}).
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
  /** Object lock retention (AWS "Using S3 Object Lock"): the version may not be deleted before `until`. */
  retention?: VersionRetention;
  /** Object lock legal hold: while set, the version may not be deleted. */
  legalHold?: true;
  /**
   * The sizes of the parts a multipart version was completed from, in part order, so a read of one part
   * (GetObject `?versionId=&partNumber=`) finds its bytes whichever version is current.
   */
  partSizes?: number[];
}

/** An object version's retention period (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html). */
export interface VersionRetention {
  /** GOVERNANCE may be shortened or removed with a bypass; COMPLIANCE never before it ends. */
  mode: 'GOVERNANCE' | 'COMPLIANCE';
  /** ISO 8601 instant the retention ends. */
  until: string;
}

/** The per-version fields a writer may set besides the bytes (object lock settings, a multipart layout). */
export type VersionFields = Pick<VersionEntry, 'retention' | 'legalHold' | 'partSizes'>;

/**
 * When `versions[i]` became noncurrent: the instant its successor (the next newer entry) was written, as S3
 * counts NoncurrentDays (https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html);
 * undefined for the current version. Derived, so indexes need no extra field for it.
 */
export function noncurrentSince(versions: readonly VersionEntry[], i: number): Date | undefined {
  const successor = i > 0 ? versions[i - 1] : undefined;
  return successor ? new Date(successor.lastModified) : undefined;
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
