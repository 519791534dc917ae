/**
 * CreateBucket — https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
 *
 * The optional body is a CreateBucketConfiguration with a LocationConstraint; it is accepted (and checked to be
 * well-formed), and the bucket lives in the server's region either way: there is one region per server.
 *
 * Creating a bucket that already exists (there is one tenant, so it is always the caller's) answers as S3 does in
 * the server's region: 409 BucketAlreadyOwnedByYou everywhere except us-east-1, where S3 answers 200 OK for
 * legacy compatibility (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html, "Errors":
 * BucketAlreadyOwnedByYou). The existing bucket and its objects are left as they are — also a bucket no one
 * created through S3: a top-level directory another program made in the file store's root (bucket-registry.ts).
 */
import { bucketOf } from '../context.ts';
import type { Handler } from '../context.ts';
import { assertBucketName } from '../bucket-names.ts';
import { readXmlBody } from '../request-body.ts';
import { isS3Error } from '../s3-errors.ts';
import { enableLockAtCreation } from '../object-lock/lock-at-creation.ts';
import { creationSettings } from '../iam/acl-write.ts';
import { iamOf } from '../iam/iam-state.ts';
import { childText, parseXml } from '../xml.ts';

/** The region where S3 answers a repeated CreateBucket of one's own bucket with 200. */
const LEGACY_REGION = 'us-east-1';

/** Creates a bucket; an existing one is 200 in us-east-1 and `BucketAlreadyOwnedByYou` elsewhere. */
export const createBucket: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  assertBucketName(bucket);
  const body = await readXmlBody(ctx);
  if (body.trim() !== '') childText(parseXml(body, 'CreateBucketConfiguration'), 'LocationConstraint');
  // Object Ownership and the ACL the headers name (iam/acl-write.ts), checked before the bucket is made.
  const access = creationSettings(ctx);
  try {
    await ctx.state.buckets.create(bucket, ctx.state.region);
    await enableLockAtCreation(ctx, bucket);
    await iamOf(ctx.state).access.update(bucket, access);
  } catch (e) {
    if (!(isS3Error(e) && e.code === 'BucketAlreadyOwnedByYou' && ctx.state.region === LEGACY_REGION)) throw e;
  }
  return { headers: { location: `/${bucket}` } };
};
