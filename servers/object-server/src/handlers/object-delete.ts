/**
 * DeleteObject — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
 *
 * Idempotent: deleting a missing key answers 204 like a present one (S3 without versioning).
 */
import { hasErrorCode } from '@strata/storage';
import { bucketOf, keyOf, storageKey } from '../context.ts';
import type { Handler } from '../context.ts';
import { deleteVersioned, versioningOf } from '../versioning/versioned-object.ts';

/** Deletes an object. */
export const deleteObject: Handler = async (ctx) => {
  const key = storageKey(bucketOf(ctx), keyOf(ctx));
  const versioning = await versioningOf(ctx);
  if (versioning !== undefined) {
    const res = await deleteVersioned(ctx, versioning.mode, versioning.versionId);
    await ctx.state.layouts.forget(key);
    return res;
  }
  try {
    await ctx.state.storage.delete(key, { signal: ctx.signal });
  } catch (e) {
    // Deletes are idempotent in S3, whatever a backend says about a key that is gone: `aws s3 rb --force` once
    // failed with NoSuchKey here when the file adapter raced two deletes emptying one directory (fixed there).
    if (!hasErrorCode(e, 'NotFound')) throw e;
  }
  await ctx.state.layouts.forget(key);
  return { status: 204 };
};
