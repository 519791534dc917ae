/**
 * DeleteBucket — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html
 *
 * Only an empty bucket can be deleted (BucketNotEmpty). In-progress multipart uploads do not count as content
 * in S3; they are aborted here so a bucket created later under the same name does not inherit them.
 *
 * A bucket found in the storage (a directory made by hand in the file store's root) is deleted like any other:
 * its record goes. Its directory is already gone when it held only objects (the file store removes a
 * directory its last delete emptied); one still holding what is no object (a symbolic link, a name that is not
 * UTF-8) stays on disk and is no bucket.
 */
import { bucketOf } from '../context.ts';
import type { Handler } from '../context.ts';
import { S3Error } from '../s3-errors.ts';
import { assertNoVersions, forgetVersioning } from '../versioning/bucket-versions.ts';

/** Deletes an empty bucket. */
export const deleteBucket: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const { storage } = ctx.state;
  const prefix = `${bucket}/`;
  const page = await storage.list({ prefix, limit: 1, signal: ctx.signal });
  if (page.items.length > 0 || page.prefixes.length > 0) throw new S3Error('BucketNotEmpty', undefined, { extra: { BucketName: bucket } });
  await assertNoVersions(ctx, bucket);
  for (let round = 0; round < 100; round++) {
    const uploads = await storage.listMultipartUploads({ prefix, signal: ctx.signal });
    for (const u of uploads.uploads) await storage.abortMultipart(u.key, u.uploadId).catch(() => undefined);
    if (uploads.nextKeyMarker === undefined) break;
  }
  await ctx.state.cors.remove(bucket);
  // A bucket created later under the same name must not inherit the default encryption.
  await ctx.state.encryption?.defaults.remove(bucket);
  await forgetVersioning(ctx, bucket);
  await ctx.state.buckets.remove(bucket);
  return { status: 204 };
};
