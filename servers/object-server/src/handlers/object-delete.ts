/**
 * DeleteObject — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
 *
 * Idempotent: deleting a missing key answers 204 like a present one (S3 without versioning).
 */
import { bucketOf, keyOf, storageKey } from '../context.ts';
import type { Handler } from '../context.ts';
import { forgetPartLayout } from '../part-layout.ts';

/** Deletes an object. */
export const deleteObject: Handler = async (ctx) => {
  const key = storageKey(bucketOf(ctx), keyOf(ctx));
  await ctx.state.storage.delete(key, { signal: ctx.signal });
  await forgetPartLayout(ctx.state.storage, key);
  return { status: 204 };
};
