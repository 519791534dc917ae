/**
 * The object a copy reads (CopyObject, UploadPartCopy): `x-amz-copy-source: bucket/key?versionId=…` names a
 * version; without it, the source's current version. A delete marker cannot be copied: named by id it is
 * 400 InvalidRequest, as the current version it is 404 NoSuchKey
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html, "Versioning").
 */
import { isVersionIdShape } from '@strata/storage';
import { storageKey } from '../context.ts';
import type { S3Context } from '../context.ts';
import type { CopySource } from '../copy-source.ts';
import { S3Error } from '../s3-errors.ts';

/** Where a copy source's bytes are stored, and its version id when versioned. */
export interface ResolvedCopySource {
  storageKey: string;
  versionId?: string;
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
  return { storageKey: found.storageKey, versionId: found.entry.id };
}
