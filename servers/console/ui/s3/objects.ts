/**
 * Object actions of the bucket browser and the details page: a folder-like listing (ListObjectsV2 with
 * delimiter `/`, https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html), an object's details
 * (HeadObject with checksum mode, GetObjectTagging), metadata edits as a copy onto itself with
 * `x-amz-metadata-directive: REPLACE` (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html —
 * S3 changes an existing object's metadata no other way), tags (PutObjectTagging) and "new folder" markers.
 */
import { CopyObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import type { ChecksumAlgorithm, S3Client, Tag } from '@aws-sdk/client-s3';

/** An object row of a listing. */
export interface ObjectEntry {
  key: string;
  size: number;
  lastModified: Date | undefined;
  etag: string;
}

/** One page of a folder. */
export interface FolderPage {
  /** Sub-folders: the common prefixes, each ending in `/`. */
  folders: string[];
  objects: ObjectEntry[];
  /** The continuation token of the next page, when there is one. */
  nextToken: string | undefined;
}

/** What to list. */
export interface FolderQuery {
  bucket: string;
  /** The folder: empty or ending in `/`. */
  prefix: string;
  /** Only names in the folder that start with this (a prefix search within the folder). */
  search?: string;
  /** The continuation token of the page wanted; none for the first. */
  token?: string;
  /** Keys and folders per page (S3 returns at most 1000). @default 100 */
  pageSize?: number;
}

/**
 * One page of a folder. The folder's own marker object (key equal to the prefix, as "New folder" creates) is
 * not listed as a file of itself.
 */
export async function listFolder(client: S3Client, query: FolderQuery, signal?: AbortSignal): Promise<FolderPage> {
  const out = await client.send(
    new ListObjectsV2Command({
      Bucket: query.bucket,
      Prefix: query.prefix + (query.search ?? ''),
      Delimiter: '/',
      MaxKeys: query.pageSize ?? 100,
      ...(query.token ? { ContinuationToken: query.token } : {}),
    }),
    { abortSignal: signal },
  );
  return {
    folders: (out.CommonPrefixes ?? []).flatMap((p) => (p.Prefix ? [p.Prefix] : [])),
    objects: (out.Contents ?? [])
      .filter((o) => o.Key !== undefined && o.Key !== query.prefix)
      .map((o) => ({ key: o.Key as string, size: o.Size ?? 0, lastModified: o.LastModified, etag: o.ETag ?? '' })),
    nextToken: out.IsTruncated ? out.NextContinuationToken : undefined,
  };
}

/** The standard headers an object's metadata edit can change. */
export interface StandardHeaders {
  contentType: string;
  cacheControl: string;
  contentDisposition: string;
  contentEncoding: string;
  contentLanguage: string;
}

/** Everything the details page shows. */
export interface ObjectDetails extends StandardHeaders {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  lastModified: Date | undefined;
  /** Flexible checksums the object was stored with (`CRC32`, `SHA256`…), base64 as S3 returns them. */
  checksums: { algorithm: ChecksumAlgorithm; value: string }[];
  /** `FULL_OBJECT` or `COMPOSITE` (a multipart object's checksum of part checksums). */
  checksumType: string | undefined;
  /** User metadata (`x-amz-meta-*`), names lower-cased. */
  metadata: Record<string, string>;
  tags: Tag[];
}

const CHECKSUM_FIELDS = ['ChecksumCRC32', 'ChecksumCRC32C', 'ChecksumCRC64NVME', 'ChecksumSHA1', 'ChecksumSHA256'] as const;

/** An object's details: HeadObject (asking for its checksums) and its tags. */
export async function objectDetails(client: S3Client, bucket: string, key: string): Promise<ObjectDetails> {
  const [head, tagging] = await Promise.all([
    client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' })),
    client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key })),
  ]);
  return {
    bucket,
    key,
    size: head.ContentLength ?? 0,
    etag: head.ETag ?? '',
    lastModified: head.LastModified,
    contentType: head.ContentType ?? '',
    cacheControl: head.CacheControl ?? '',
    contentDisposition: head.ContentDisposition ?? '',
    contentEncoding: head.ContentEncoding ?? '',
    contentLanguage: head.ContentLanguage ?? '',
    checksums: CHECKSUM_FIELDS.flatMap((f) => (head[f] ? [{ algorithm: f.slice('Checksum'.length) as ChecksumAlgorithm, value: head[f] as string }] : [])),
    checksumType: head.ChecksumType,
    metadata: head.Metadata ?? {},
    tags: tagging.TagSet ?? [],
  };
}

/** The `x-amz-copy-source` of an object: bucket and key, URL-encoded segment by segment. */
export const copySource = (bucket: string, key: string) => `${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;

/**
 * Replaces an object's metadata: a copy onto itself with `MetadataDirective: REPLACE` carrying every header
 * and all user metadata (what is left out is gone). The copy is conditional on the ETag the form was filled
 * from (`x-amz-copy-source-if-match`), so an object changed meanwhile is not overwritten with stale content
 * type or metadata: the server answers PreconditionFailed instead. Tags are copied (TaggingDirective COPY).
 */
export async function replaceMetadata(client: S3Client, details: ObjectDetails, headers: StandardHeaders, metadata: Record<string, string>): Promise<void> {
  const optional = (v: string) => (v.trim() === '' ? undefined : v.trim());
  await client.send(
    new CopyObjectCommand({
      Bucket: details.bucket,
      Key: details.key,
      CopySource: copySource(details.bucket, details.key),
      CopySourceIfMatch: details.etag || undefined,
      MetadataDirective: 'REPLACE',
      TaggingDirective: 'COPY',
      ContentType: optional(headers.contentType),
      CacheControl: optional(headers.cacheControl),
      ContentDisposition: optional(headers.contentDisposition),
      ContentEncoding: optional(headers.contentEncoding),
      ContentLanguage: optional(headers.contentLanguage),
      Metadata: metadata,
      // The copy keeps a checksum of the algorithm the object had (S3 otherwise computes none for a copy).
      ...(details.checksums[0] ? { ChecksumAlgorithm: details.checksums[0].algorithm } : {}),
    }),
  );
}

/** Replaces an object's tag set (at most 10 tags, https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectTagging.html). */
export async function putTags(client: S3Client, bucket: string, key: string, tags: Tag[]): Promise<void> {
  await client.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: key, Tagging: { TagSet: tags } }));
}

/** Creates an empty "folder" marker `prefix + name + '/'`, so an empty folder shows in listings. */
export async function createFolder(client: S3Client, bucket: string, prefix: string, name: string): Promise<string> {
  const key = `${prefix}${name.replace(/\/+$/, '')}/`;
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: new Uint8Array(0), ContentType: 'application/x-directory' }));
  return key;
}
