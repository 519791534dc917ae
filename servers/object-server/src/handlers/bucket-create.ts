/**
 * CreateBucket — https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
 *
 * The optional body is a CreateBucketConfiguration with a LocationConstraint; it is accepted (and checked to be
 * well-formed), and the bucket lives in the server's region either way: there is one region per server.
 */
import { bucketOf } from '../context.ts';
import type { Handler } from '../context.ts';
import { assertBucketName } from '../bucket-names.ts';
import { readXmlBody } from '../request-body.ts';
import { childText, parseXml } from '../xml.ts';

/** Creates a bucket; `BucketAlreadyOwnedByYou` when it exists. */
export const createBucket: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  assertBucketName(bucket);
  const body = await readXmlBody(ctx);
  if (body.trim() !== '') childText(parseXml(body, 'CreateBucketConfiguration'), 'LocationConstraint');
  await ctx.state.buckets.create(bucket, ctx.state.region);
  return { headers: { location: `/${bucket}` } };
};
