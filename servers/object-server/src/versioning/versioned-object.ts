/**
 * GET, HEAD and DELETE of objects in buckets with versioning (AWS "Using versioning in S3 buckets",
 * "Deleting object versions", "Working with objects in a versioning-suspended bucket"). The handlers of those
 * operations call in here only for a bucket that has (or had) versioning enabled, or a request naming a
 * `versionId`; every other request takes the unversioned path unchanged.
 *
 * - GET/HEAD of a key whose current version is a delete marker: 404 NoSuchKey with `x-amz-delete-marker: true`
 *   and the marker's `x-amz-version-id`; GET/HEAD `?versionId=` of a delete marker: 405 MethodNotAllowed
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, "Versioning").
 * - DELETE without a version id adds a delete marker; with one, it removes that version for good.
 * - GET/HEAD `?partNumber=` of a multipart version reads that part, current or not (version-parts.ts).
 */
import { isVersionIdShape } from '@strata/storage';
import type { VersionEntry, VersioningMode } from '@strata/storage';
import { bucketOf, keyOf } from '../context.ts';
import type { S3Context, S3Response } from '../context.ts';
import { S3Error } from '../s3-errors.ts';
import { deletionGuard } from '../object-lock/lock-guard.ts';
import { lockHeaders } from '../object-lock/lock-headers.ts';
import { versionPartRead, withPartsCount } from './version-parts.ts';

/** The request's `versionId`, checked: a value this server cannot have issued is InvalidArgument, as in S3. */
export function versionIdParam(ctx: Pick<S3Context, 'query'>): string | undefined {
  const id = ctx.query.get('versionId');
  if (id === null) return undefined;
  if (!isVersionIdShape(id)) throw new S3Error('InvalidArgument', 'Invalid version id specified', { extra: { ArgumentName: 'versionId', ArgumentValue: id } });
  return id;
}

/** Whether a request takes the unversioned path: a bucket known never to have had versioning, no versionId. */
export function isUnversioned(ctx: S3Context): boolean {
  return ctx.state.versioning.peek(ctx.bucket as string) === null && !ctx.query.has('versionId');
}

/** The bucket's mode and the request's version id, or undefined for a plain request to an unversioned bucket. */
export async function versioningOf(ctx: S3Context): Promise<{ mode: VersioningMode | null; versionId: string | undefined } | undefined> {
  const versionId = versionIdParam(ctx);
  const mode = await ctx.state.versioning.mode(bucketOf(ctx));
  return mode === null && versionId === undefined ? undefined : { mode, versionId };
}

/**
 * Reads the object at `storageKey` as the unversioned path does (object-get.ts). `etag`, when given, is the
 * version's ETag as S3 reports it ({@link versionEtag}): the answer carries it and conditional headers compare
 * against it, instead of the stored bytes' ETag.
 */
export type ReadAt = (ctx: S3Context, withBody: boolean, storageKey?: string, etag?: string) => Promise<S3Response>;

/** S3's multipart ETag form: the MD5 of the parts' MD5s, a dash, the part count. */
const MULTIPART_ETAG = /^[0-9a-f]{32}-\d+$/;

/**
 * The ETag a version is reported with when its stored bytes carry another one, else undefined. A version
 * completed from a multipart upload is kept as a copy of the assembled object, and a copy's ETag is the MD5 of
 * its bytes; S3 keeps the completion's `md5-of-part-md5s-N` for the version ("Object", ETag:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_Object.html), which the version index records and
 * ListObjectVersions and CompleteMultipartUpload answer. Every other version's stored ETag is its own.
 */
export function versionEtag(entry: Pick<VersionEntry, 'etag'>): string | undefined {
  return MULTIPART_ETAG.test(entry.etag) ? entry.etag : undefined;
}

/** An error answer that carries headers (the delete-marker ones), which thrown errors cannot. */
function errorAnswer(ctx: S3Context, withBody: boolean, code: 'NoSuchKey' | 'MethodNotAllowed', headers: Record<string, string>): S3Response {
  const err = new S3Error(code);
  const extra = code === 'MethodNotAllowed' ? { Method: ctx.method, ResourceType: 'DeleteMarker' } : { Key: ctx.key as string };
  return {
    status: err.status,
    headers,
    ...(withBody ? { xml: { root: 'Error', noNamespace: true, body: { Code: code, Message: err.message, ...extra, RequestId: ctx.requestId, HostId: ctx.requestId } } } : {}),
  };
}

/** GET or HEAD in a versioned bucket, or of a named version. */
export async function readVersioned(ctx: S3Context, withBody: boolean, readAt: ReadAt): Promise<S3Response> {
  const v = await versioningOf(ctx);
  if (v === undefined) return readAt(ctx, withBody);
  const store = ctx.state.versioning.store(bucketOf(ctx));
  const found = await store.resolve(keyOf(ctx), v.versionId, { signal: ctx.signal });
  if (found.kind === 'absent') throw new S3Error(v.versionId === undefined ? 'NoSuchKey' : 'NoSuchVersion', undefined, { extra: v.versionId === undefined ? { Key: ctx.key as string } : { Key: ctx.key as string, VersionId: v.versionId } });
  if (found.kind === 'marker') {
    const headers = { 'x-amz-delete-marker': 'true', 'x-amz-version-id': found.entry.id, 'last-modified': new Date(found.entry.lastModified).toUTCString() };
    return errorAnswer(ctx, withBody, v.versionId === undefined ? 'NoSuchKey' : 'MethodNotAllowed', v.versionId === undefined ? headers : { ...headers, allow: 'DELETE' });
  }
  // `?partNumber=` of a multipart version is a ranged read of that part (version-parts.ts).
  const part = versionPartRead(ctx, found.entry);
  const res = withPartsCount(await readAt(part?.ctx ?? ctx, withBody && part?.empty !== true, found.storageKey, versionEtag(found.entry)), part, withBody);
  return { ...res, headers: { ...res.headers, 'x-amz-version-id': found.entry.id, ...lockHeaders(found.entry) } };
}

/** DELETE in a versioned bucket, or of a named version; a version object lock protects is AccessDenied. */
export async function deleteVersioned(ctx: S3Context, mode: VersioningMode | null, versionId: string | undefined): Promise<S3Response> {
  const store = ctx.state.versioning.store(bucketOf(ctx));
  const result = await store.delete(keyOf(ctx), mode ?? 'Suspended', versionId, { signal: ctx.signal }, deletionGuard(ctx));
  return {
    status: 204,
    headers: {
      'x-amz-version-id': result.versionId,
      'x-amz-delete-marker': result.deleteMarker ? 'true' : undefined,
    },
  };
}
