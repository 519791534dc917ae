/**
 * DeleteBucket and versions: a bucket holding versions or delete markers is not empty, as in S3
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html: "All objects (including all object
 * versions and delete markers) in the bucket must be deleted before the bucket itself can be deleted"), and a
 * deleted bucket's versioning state goes with it, so a bucket created later under the same name starts unversioned.
 */
import type { S3Context } from '../context.ts';
import { S3Error } from '../s3-errors.ts';

/** Throws BucketNotEmpty when the bucket's version store holds any version or delete marker. */
export async function assertNoVersions(ctx: S3Context, bucket: string): Promise<void> {
  const store = ctx.state.versioning.store(bucket);
  const page = await ctx.state.storage.list({ prefix: store.indexPrefix, limit: 1, signal: ctx.signal });
  if (page.items.length > 0 || page.prefixes.length > 0) throw new S3Error('BucketNotEmpty', undefined, { extra: { BucketName: bucket } });
}

/** Forgets a deleted bucket's versioning state, object lock and lifecycle configurations. */
export async function forgetVersioning(ctx: S3Context, bucket: string): Promise<void> {
  if ((await ctx.state.versioning.mode(bucket)) !== null) await ctx.state.versioning.remove(bucket);
  if (await ctx.state.versioning.locks.get(bucket)) await ctx.state.versioning.locks.remove(bucket);
  if (await ctx.state.versioning.lifecycle.get(bucket)) await ctx.state.versioning.lifecycle.remove(bucket);
}
