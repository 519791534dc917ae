/**
 * CompleteMultipartUpload in a versioned bucket: the completed object becomes a new version, whose id the
 * answer carries in `x-amz-version-id` (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html).
 *
 * Storage assembles an upload at the key it was started for — the bucket's plain key — so the completion runs
 * inside the version store's change ({@link VersionStore.completeAtPlain}): its intent is written before the
 * assembly, and until the version index names the new version a failure or a crash puts the plain object back
 * to the key's current version. A half-made completion (assembled but not recorded) never stays visible.
 */
import type { ObjectInfo, VersionStore } from '@strata/storage';
import { storageKey } from '../context.ts';
import type { S3Context, S3Response } from '../context.ts';
import { forgetUploadLock, lockFieldsForCompletion } from '../object-lock/upload-lock.ts';

/** A completed upload: the object, and its version id when the bucket is versioned. */
export interface CompletedObject {
  info: ObjectInfo;
  versionId?: string;
}

/**
 * Completes upload `uploadId` of `key` in `bucket`: `assemble` stores the object at the storage key it is
 * given. In a versioned bucket that is one crash-safe version change, and the version gets the object lock
 * settings named when the upload started, or the bucket's default retention (object-lock/upload-lock.ts), and
 * its `partSizes` — the sizes the client uploaded, plaintext for an encrypted upload — for partNumber reads of
 * the version (version-parts.ts).
 */
export async function completeInBucket(
  ctx: S3Context,
  bucket: string,
  key: string,
  uploadId: string,
  assemble: (storageKey: string) => Promise<ObjectInfo>,
  partSizes: number[],
): Promise<CompletedObject> {
  // Before the object exists, versioned or not (once versioning is enabled, the first change of the key keeps
  // the object as a copy): the bucket's listings then report versions' ETags (listed-version-etags.ts).
  await ctx.state.versioning.multipartBuckets.mark(bucket);
  const mode = await ctx.state.versioning.mode(bucket);
  if (mode === null) return { info: await assemble(storageKey(bucket, key)) };
  const lock = await lockFieldsForCompletion(ctx, bucket, key, uploadId);
  const store: VersionStore = ctx.state.versioning.store(bucket);
  const { info, versionId } = await store.completeAtPlain(key, mode, assemble, { signal: ctx.signal }, { ...lock, partSizes });
  await forgetUploadLock(ctx.state.storage, uploadId);
  return { info, versionId };
}

/** The answer with `x-amz-version-id` when there is one. */
export function withVersionId(res: S3Response, versionId: string | undefined): S3Response {
  return versionId === undefined ? res : { ...res, headers: { ...res.headers, 'x-amz-version-id': versionId } };
}
