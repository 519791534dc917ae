/**
 * The version PutObjectRetention, GetObjectRetention, PutObjectLegalHold and GetObjectLegalHold act on: the
 * one `?versionId=` names, else the current version (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectRetention.html).
 * Lock settings exist only in buckets with object lock enabled: elsewhere the request is InvalidRequest.
 */
import type { VersionEntry } from '@strata/storage';
import { hasErrorCode } from '@strata/storage';
import { bucketOf, keyOf } from '../context.ts';
import type { S3Context } from '../context.ts';
import { S3Error } from '../s3-errors.ts';
import { versionIdParam } from '../versioning/versioned-object.ts';

/** Throws InvalidRequest when the request's bucket has no object lock. */
export async function assertLockEnabled(ctx: S3Context): Promise<void> {
  if (!(await ctx.state.versioning.locks.get(bucketOf(ctx)))) throw new S3Error('InvalidRequest', 'Bucket is missing Object Lock Configuration');
}

function missing(ctx: S3Context, versionId: string | undefined): S3Error {
  return versionId === undefined
    ? new S3Error('NoSuchKey', undefined, { extra: { Key: ctx.key as string } })
    : new S3Error('NoSuchVersion', undefined, { extra: { Key: ctx.key as string, VersionId: versionId } });
}

function refuseMarker(ctx: S3Context, entry: VersionEntry): void {
  if (entry.marker) throw new S3Error('MethodNotAllowed', undefined, { extra: { Method: ctx.method, ResourceType: 'DeleteMarker' } });
}

/** The version the request addresses, for a read. */
export async function lockTarget(ctx: S3Context): Promise<VersionEntry> {
  await assertLockEnabled(ctx);
  const versionId = versionIdParam(ctx);
  const found = await ctx.state.versioning.store(bucketOf(ctx)).resolve(keyOf(ctx), versionId, { signal: ctx.signal });
  if (found.kind === 'absent') throw missing(ctx, versionId);
  refuseMarker(ctx, found.entry);
  return found.entry;
}

/** Changes the version the request addresses by `update` (which may refuse by throwing); the version's id. */
export async function updateLockTarget(ctx: S3Context, update: (entry: VersionEntry) => VersionEntry): Promise<string> {
  await assertLockEnabled(ctx);
  const versionId = versionIdParam(ctx);
  try {
    const entry = await ctx.state.versioning.store(bucketOf(ctx)).updateVersion(keyOf(ctx), versionId, (old) => {
      refuseMarker(ctx, old);
      return update(old);
    }, { signal: ctx.signal });
    return entry.id;
  } catch (e) {
    if (hasErrorCode(e, 'NotFound')) throw missing(ctx, versionId);
    throw e;
  }
}
