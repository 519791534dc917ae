/**
 * The object a copy reads (CopyObject, UploadPartCopy): `x-amz-copy-source: bucket/key?versionId=…` names a
 * version; without it, the source's current version. A delete marker cannot be copied: named by id it is
 * 400 InvalidRequest, as the current version it is 404 NoSuchKey
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html, "Versioning").
 */
import { checkReadConditions, isVersionIdShape } from '@strata/storage';
import type { ReadConditions } from '@strata/storage';
import { readConditionsFrom } from '../conditions.ts';
import { storageKey } from '../context.ts';
import type { S3Context } from '../context.ts';
import type { CopySource } from '../copy-source.ts';
import { S3Error } from '../s3-errors.ts';
import { versionEtag } from './versioned-object.ts';

/**
 * Where a copy source's bytes are stored, its version id when versioned, and the version's reported ETag when
 * its stored bytes carry another (versioned-object.ts): `x-amz-copy-source-if-*` compare against that one.
 */
export interface ResolvedCopySource {
  storageKey: string;
  versionId?: string;
  etag?: string;
}

/**
 * The conditions storage is to check on a copy source: the request's `x-amz-copy-source-if-*`, or — for a
 * source reported with another ETag than its stored bytes' — those conditions checked here against the
 * reported ETag, and storage asked only that the bytes be the ones checked. An unmet one throws storage's
 * `PreconditionFailed` or `NotModified`, as storage would.
 */
export async function copySourceConditions(ctx: S3Context, source: ResolvedCopySource): Promise<ReadConditions> {
  const conditions = readConditionsFrom(ctx, 'x-amz-copy-source-');
  if (source.etag === undefined || Object.keys(conditions).length === 0) return conditions;
  const stored = await ctx.state.storage.head(source.storageKey, { signal: ctx.signal });
  checkReadConditions({ ...stored, etag: source.etag }, conditions, 'copy');
  return { ifMatch: stored.etag };
}

/** Resolves a copy source to the storage key of the version it names. */
export async function resolveCopySource(ctx: S3Context, source: CopySource): Promise<ResolvedCopySource> {
  const mode = ctx.state.versioning.peek(source.bucket) ?? (await ctx.state.versioning.mode(source.bucket));
  if (source.versionId === undefined && mode === null) return { storageKey: storageKey(source.bucket, source.key) };
  if (source.versionId !== undefined && !isVersionIdShape(source.versionId)) {
    throw new S3Error('InvalidArgument', 'Invalid version id specified', { extra: { ArgumentName: 'x-amz-copy-source', ArgumentValue: source.versionId } });
  }
  const found = await ctx.state.versioning.store(source.bucket).resolve(source.key, source.versionId, { signal: ctx.signal });
  if (found.kind === 'absent') {
    throw new S3Error(source.versionId === undefined ? 'NoSuchKey' : 'NoSuchVersion', undefined, { extra: { Key: source.key, ...(source.versionId ? { VersionId: source.versionId } : {}) } });
  }
  if (found.kind === 'marker') {
    if (source.versionId !== undefined) throw new S3Error('InvalidRequest', 'The source of a copy request may not specifically refer to a delete marker by version id.');
    throw new S3Error('NoSuchKey', undefined, { extra: { Key: source.key } });
  }
  const etag = versionEtag(found.entry);
  return { storageKey: found.storageKey, versionId: found.entry.id, ...(etag !== undefined ? { etag } : {}) };
}
