/**
 * DeleteBucket — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html
 *
 * Only an empty bucket can be deleted (BucketNotEmpty). In-progress multipart uploads do not count as content
 * in S3; they are aborted here so a bucket created later under the same name does not inherit them.
 */
import { bucketOf } from '../context.ts';
import type { Handler } from '../context.ts';
import { S3Error } from '../s3-errors.ts';

/** Deletes an empty bucket. */
export const deleteBucket: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const { storage } = ctx.state;
  const prefix = `${bucket}/`;
  const page = await storage.list({ prefix, limit: 1, signal: ctx.signal });
  if (page.items.length > 0 || page.prefixes.length > 0) throw new S3Error('BucketNotEmpty', undefined, { extra: { BucketName: bucket } });
  for (let round = 0; round < 100; round++) {
    const uploads = await storage.listMultipartUploads({ prefix, signal: ctx.signal });
    for (const u of uploads.uploads) await storage.abortMultipart(u.key, u.uploadId).catch(() => undefined);
    if (uploads.nextKeyMarker === undefined) break;
  }
  await ctx.state.cors.remove(bucket);
  await ctx.state.buckets.remove(bucket);
  return { status: 204 };
};
