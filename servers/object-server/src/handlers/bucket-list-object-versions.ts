/**
 * ListObjectVersions — https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html
 *
 * Keys in UTF-8 byte order, each key's versions newest first; `key-marker` / `version-id-marker` paging,
 * `prefix`, `delimiter`, `max-keys` and `encoding-type=url` as in ListObjects. A bucket that never had
 * versioning lists its objects as null versions.
 */
import { listObjectVersions } from '@strata/storage';
import { bucketOf } from '../context.ts';
import type { Handler } from '../context.ts';
import { withReportedSizes } from '../encryption/plaintext-sizes.ts';
import { S3Error } from '../s3-errors.ts';
import type { XmlObject } from '../xml.ts';
import { encoder, parseEncodingType, parseMaxKeys, prefixesXml } from './list-common.ts';
import { ownerXml } from './owner.ts';

/** Lists the versions and delete markers of a bucket. */
export const listObjectVersionsHandler: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const maxKeys = parseMaxKeys(ctx);
  const encodingType = parseEncodingType(ctx);
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') || undefined;
  const keyMarker = ctx.query.get('key-marker') || undefined;
  const versionIdMarker = ctx.query.get('version-id-marker') || undefined;
  if (versionIdMarker !== undefined && keyMarker === undefined) {
    throw new S3Error('InvalidArgument', 'A version-id marker cannot be specified without a key marker.', { extra: { ArgumentName: 'version-id-marker', ArgumentValue: versionIdMarker } });
  }
  const page = await listObjectVersions(ctx.state.versioning.store(bucket), {
    prefix,
    ...(delimiter !== undefined ? { delimiter } : {}),
    ...(keyMarker !== undefined ? { keyMarker } : {}),
    ...(versionIdMarker !== undefined ? { versionIdMarker } : {}),
    limit: maxKeys,
    signal: ctx.signal,
  });
  // Encrypted versions are listed with their plaintext size and reported ETag, as HeadObject reports them.
  const store = ctx.state.versioning.store(bucket);
  const listed = await withReportedSizes(ctx, bucket, page.versions, async (v) => {
    if (v.deleteMarker) return undefined;
    const found = await store.resolve(v.key, v.versionId, { signal: ctx.signal });
    return found.kind === 'object' ? found.storageKey : undefined;
  });
  const enc = encoder(encodingType);
  const owner = ownerXml(ctx.state.owner);
  const versions: XmlObject[] = [];
  const markers: XmlObject[] = [];
  for (const v of listed) {
    if (v.deleteMarker) {
      markers.push({ Key: enc(v.key), VersionId: v.versionId, IsLatest: v.isLatest, LastModified: v.lastModified, Owner: owner });
    } else {
      versions.push({ Key: enc(v.key), VersionId: v.versionId, IsLatest: v.isLatest, LastModified: v.lastModified, ETag: `"${v.etag}"`, Size: v.size, StorageClass: 'STANDARD', Owner: owner });
    }
  }
  return {
    xml: {
      root: 'ListVersionsResult',
      body: {
        Name: bucket,
        Prefix: enc(prefix),
        KeyMarker: enc(keyMarker ?? ''),
        VersionIdMarker: versionIdMarker ?? '',
        NextKeyMarker: page.isTruncated ? enc(page.nextKeyMarker) : undefined,
        NextVersionIdMarker: page.isTruncated ? page.nextVersionIdMarker : undefined,
        MaxKeys: maxKeys,
        Delimiter: enc(delimiter),
        EncodingType: encodingType,
        IsTruncated: page.isTruncated,
        Version: versions,
        DeleteMarker: markers,
        CommonPrefixes: prefixesXml(page.prefixes, enc),
      },
    },
  };
};
