/**
 * PutBucketLifecycleConfiguration — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html
 * GetBucketLifecycleConfiguration — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLifecycleConfiguration.html
 * DeleteBucketLifecycle — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketLifecycle.html
 *
 * A PUT replaces the whole configuration; a bucket without one answers NoSuchLifecycleConfiguration. The rules
 * are applied by the lifecycle worker (lifecycle/lifecycle-worker.ts).
 */
import { bucketOf } from '../context.ts';
import type { Handler } from '../context.ts';
import { readXmlBody } from '../request-body.ts';
import { S3Error } from '../s3-errors.ts';
import { lifecycleXml, parseLifecycle } from '../lifecycle/lifecycle-xml.ts';

/** Sets a bucket's lifecycle configuration. */
export const putBucketLifecycle: Handler = async (ctx) => {
  const config = parseLifecycle(await readXmlBody(ctx));
  await ctx.state.versioning.lifecycle.set(bucketOf(ctx), config);
  return {};
};

/** Reads a bucket's lifecycle configuration. */
export const getBucketLifecycle: Handler = async (ctx) => {
  const config = await ctx.state.versioning.lifecycle.get(bucketOf(ctx));
  if (!config) throw new S3Error('NoSuchLifecycleConfiguration', undefined, { extra: { BucketName: bucketOf(ctx) } });
  return { xml: { root: 'LifecycleConfiguration', body: lifecycleXml(config) } };
};

/** Removes a bucket's lifecycle configuration. */
export const deleteBucketLifecycle: Handler = async (ctx) => {
  if (await ctx.state.versioning.lifecycle.get(bucketOf(ctx))) await ctx.state.versioning.lifecycle.remove(bucketOf(ctx));
  return { status: 204 };
};
