/**
 * CompleteMultipartUpload in a versioned bucket: the completed object becomes a new version, whose id the
 * answer carries in `x-amz-version-id` (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html).
 *
 * Storage assembles the upload at the plain key, so the key is first given an index (keeping an object
 * written before versioning as the null version), and the assembled object is then recorded as a version.
 * A crash between the two leaves the new object current in plain listings but not yet in the version index:
 * the one window the version store's intents do not cover (see the storage README).
 */
import type { VersioningMode } from '@strata/storage';
import type { S3Context, S3Response } from '../context.ts';
import { lockFieldsForWrite } from '../object-lock/lock-headers.ts';

/** Prepares a versioned key for a completion; the bucket's mode, or null when it is not versioned. */
export async function beforeVersionedComplete(ctx: S3Context, bucket: string, key: string): Promise<VersioningMode | null> {
  const mode = await ctx.state.versioning.mode(bucket);
  if (mode !== null) await ctx.state.versioning.store(bucket).ensureIndexed(key, { signal: ctx.signal });
  return mode;
}

/**
 * Records a completed object as a version, with the bucket's default object lock retention; its id, or
 * undefined when the bucket is not versioned.
 */
export async function afterVersionedComplete(ctx: S3Context, bucket: string, key: string, mode: VersioningMode | null): Promise<string | undefined> {
  if (mode === null) return undefined;
  const lock = await lockFieldsForWrite(ctx, bucket, mode, { requireIntegrity: false });
  return (await ctx.state.versioning.store(bucket).adoptPlain(key, mode, {}, lock))?.versionId;
}

/** The answer with `x-amz-version-id` when there is one. */
export function withVersionId(res: S3Response, versionId: string | undefined): S3Response {
  return versionId === undefined ? res : { ...res, headers: { ...res.headers, 'x-amz-version-id': versionId } };
}
