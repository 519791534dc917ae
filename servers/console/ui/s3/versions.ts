/**
 * Versioning: a bucket's state (GetBucketVersioning, PutBucketVersioning:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html) and one object's versions
 * (ListObjectVersions, https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html), deleted
 * one by one with DeleteObject and a versionId.
 *
 * A bucket starts unversioned; once enabled it can be suspended but never be unversioned again ("Once you
 * version-enable a bucket, it can never return to an unversioned state",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html).
 */
import { DeleteObjectCommand, GetBucketVersioningCommand, ListObjectVersionsCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';

/** A bucket's versioning state; `Unversioned` is S3's answer without a Status. */
export type VersioningState = 'Unversioned' | 'Enabled' | 'Suspended';

/** A bucket's versioning state. */
export async function getVersioning(client: S3Client, bucket: string, signal?: AbortSignal): Promise<VersioningState> {
  const out = await client.send(new GetBucketVersioningCommand({ Bucket: bucket }), { abortSignal: signal });
  return out.Status === 'Enabled' || out.Status === 'Suspended' ? out.Status : 'Unversioned';
}

/** The PutBucketVersioning command of a state. */
export const putVersioningCommand = (bucket: string, status: 'Enabled' | 'Suspended') =>
  new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: status } });

/** Enables or suspends versioning. */
export async function putVersioning(client: S3Client, bucket: string, status: 'Enabled' | 'Suspended'): Promise<void> {
  await client.send(putVersioningCommand(bucket, status));
}

/** One version of an object, or a delete marker. */
export interface ObjectVersion {
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
  lastModified: Date | undefined;
  size: number;
  etag: string;
}

/** Most listing pages read for one key (1000 versions each): a bound, not a limit anyone meets by hand. */
const MAX_PAGES = 20;

/**
 * Every version of exactly `key`, newest first. ListObjectVersions takes a prefix, so versions of longer keys
 * (`key` is a prefix of `key.bak`) are filtered out; S3 lists a key's versions newest first already, and the
 * sort by date (latest first on ties) keeps that when versions and delete markers interleave.
 */
export async function listVersions(client: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<ObjectVersion[]> {
  const versions: ObjectVersion[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }), { abortSignal: signal });
    for (const v of out.Versions ?? []) {
      if (v.Key === key) versions.push({ versionId: v.VersionId ?? 'null', isLatest: v.IsLatest ?? false, deleteMarker: false, lastModified: v.LastModified, size: v.Size ?? 0, etag: v.ETag ?? '' });
    }
    for (const m of out.DeleteMarkers ?? []) {
      if (m.Key === key) versions.push({ versionId: m.VersionId ?? 'null', isLatest: m.IsLatest ?? false, deleteMarker: true, lastModified: m.LastModified, size: 0, etag: '' });
    }
    // Keys after ours in the listing are longer keys: nothing of ours follows.
    const pastKey = [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])].some((v) => v.Key !== undefined && v.Key > key);
    if (!out.IsTruncated || pastKey) break;
    keyMarker = out.NextKeyMarker;
    versionIdMarker = out.NextVersionIdMarker;
  }
  return newestFirst(versions);
}

/** Versions newest first; on equal dates the latest first (Array.prototype.sort is stable: S3's order otherwise). */
function newestFirst<T extends ObjectVersion>(versions: T[]): T[] {
  const time = (v: ObjectVersion) => v.lastModified?.getTime() ?? 0;
  return versions.sort((a, b) => time(b) - time(a) || Number(b.isLatest) - Number(a.isLatest));
}

/** A version in a folder listing: which key it belongs to. */
export interface KeyVersion extends ObjectVersion {
  key: string;
}

/** One page of a folder with every version of every key. */
export interface VersionedFolderPage {
  /** Sub-folders: the common prefixes, each ending in `/`. */
  folders: string[];
  /** Versions and delete markers, by key, each key's newest first. */
  versions: KeyVersion[];
  /** The token of the next page (the key and version-id markers, as JSON), when there is one. */
  nextToken: string | undefined;
}

/**
 * One page of a folder with all versions (ListObjectVersions with delimiter `/`): the browser's "show versions"
 * view. A page ends after MaxKeys versions, so one key's versions may continue on the next page.
 */
export async function listFolderVersions(
  client: S3Client,
  query: { bucket: string; prefix: string; search?: string; token?: string; pageSize?: number },
  signal?: AbortSignal,
): Promise<VersionedFolderPage> {
  const [keyMarker, versionIdMarker] = query.token ? (JSON.parse(query.token) as [string | undefined, string | undefined]) : [];
  const out = await client.send(
    new ListObjectVersionsCommand({
      Bucket: query.bucket,
      Prefix: query.prefix + (query.search ?? ''),
      Delimiter: '/',
      MaxKeys: query.pageSize ?? 100,
      KeyMarker: keyMarker,
      VersionIdMarker: versionIdMarker,
    }),
    { abortSignal: signal },
  );
  const byKey = new Map<string, KeyVersion[]>();
  const add = (v: KeyVersion) => byKey.set(v.key, [...(byKey.get(v.key) ?? []), v]);
  for (const v of out.Versions ?? []) {
    if (v.Key !== undefined && v.Key !== query.prefix) add({ key: v.Key, versionId: v.VersionId ?? 'null', isLatest: v.IsLatest ?? false, deleteMarker: false, lastModified: v.LastModified, size: v.Size ?? 0, etag: v.ETag ?? '' });
  }
  for (const m of out.DeleteMarkers ?? []) {
    if (m.Key !== undefined && m.Key !== query.prefix) add({ key: m.Key, versionId: m.VersionId ?? 'null', isLatest: m.IsLatest ?? false, deleteMarker: true, lastModified: m.LastModified, size: 0, etag: '' });
  }
  const keys = [...byKey.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    folders: (out.CommonPrefixes ?? []).flatMap((p) => (p.Prefix ? [p.Prefix] : [])),
    versions: keys.flatMap((k) => newestFirst(byKey.get(k) ?? [])),
    nextToken: out.IsTruncated ? JSON.stringify([out.NextKeyMarker, out.NextVersionIdMarker]) : undefined,
  };
}

/** Deletes one version for good (or removes a delete marker, which brings the version below it back). */
export async function deleteVersion(client: S3Client, bucket: string, key: string, versionId: string): Promise<void> {
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
}
