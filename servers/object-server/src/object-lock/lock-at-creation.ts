/**
 * CreateBucket with `x-amz-bucket-object-lock-enabled: true`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html): the new bucket gets object lock,
 * which "automatically enables versioning" (AWS "Using S3 Object Lock"), and keeps both for good — versioning
 * of a bucket with object lock cannot be suspended.
 */
import { header } from '../context.ts';
import type { S3Context } from '../context.ts';
import { S3Error } from '../s3-errors.ts';

/** Enables object lock and versioning on a bucket just created, when the request asks for it. */
export async function enableLockAtCreation(ctx: S3Context, bucket: string): Promise<void> {
  const value = header(ctx, 'x-amz-bucket-object-lock-enabled');
  if (value === undefined || value.toLowerCase() !== 'true') return;
  await ctx.state.versioning.set(bucket, 'Enabled');
  await ctx.state.versioning.locks.set(bucket, { enabled: true });
}

/** Refuses to suspend versioning on a bucket with object lock. */
export async function assertMaySuspend(ctx: S3Context, bucket: string): Promise<void> {
  if (await ctx.state.versioning.locks.get(bucket)) {
    throw new S3Error('InvalidBucketState', 'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.');
  }
}
