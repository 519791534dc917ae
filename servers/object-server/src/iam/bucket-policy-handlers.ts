/**
 * PutBucketPolicy — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html
 * GetBucketPolicy — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicy.html
 * DeleteBucketPolicy — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketPolicy.html
 * GetBucketPolicyStatus — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicyStatus.html
 *
 * A policy is validated when written (MalformedPolicy) and returned as the JSON text the client sent.
 * A bucket's policy goes with the bucket: {@link withPolicyCleanup} removes it once DeleteBucket succeeded,
 * so a new bucket of the same name starts without one.
 */
import { bucketOf } from '../context.ts';
import type { Handler } from '../context.ts';
import { readSmallBody } from '../request-body.ts';
import { S3Error } from '../s3-errors.ts';
import { isPublicPolicy, MAX_BUCKET_POLICY_BYTES, parseBucketPolicy } from './bucket-policy-store.ts';
import type { Policy } from './policy-document.ts';
import { iamOf } from './iam-state.ts';

/** Sets a bucket's policy (204). */
export const putBucketPolicy: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  let text: string;
  try {
    text = (await readSmallBody(ctx, MAX_BUCKET_POLICY_BYTES)).toString('utf8');
  } catch (e) {
    if (e instanceof S3Error && e.code === 'MaxMessageLengthExceeded') throw new S3Error('MalformedPolicy', 'Policies cannot be larger than 20 KB');
    throw e;
  }
  const policy = parseBucketPolicy(bucket, text);
  const iam = iamOf(ctx.state);
  if (iam.access.get(bucket).publicAccessBlock?.BlockPublicPolicy === true && isPublicPolicy(policy)) {
    throw new S3Error('AccessDenied', 'User is not authorized to perform: s3:PutBucketPolicy because public policies are blocked by the BlockPublicPolicy block public access setting.');
  }
  await iam.policies.put(bucket, policy);
  return { status: 204 };
};

function policyOf(ctx: Parameters<Handler>[0]): Policy {
  const bucket = bucketOf(ctx);
  const policy = iamOf(ctx.state).policies.peek(bucket);
  if (policy === undefined) throw new S3Error('NoSuchBucketPolicy', undefined, { extra: { BucketName: bucket } });
  return policy;
}

/** Returns a bucket's policy document; NoSuchBucketPolicy when it has none. */
export const getBucketPolicy: Handler = (ctx) => {
  const text = policyOf(ctx).text;
  return { headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }, body: Buffer.from(text) };
};

/** Removes a bucket's policy (204, also when it had none, as S3 answers). */
export const deleteBucketPolicy: Handler = async (ctx) => {
  await iamOf(ctx.state).policies.remove(bucketOf(ctx));
  return { status: 204 };
};

/** Says whether the bucket's policy makes it public; NoSuchBucketPolicy when it has none. */
export const getBucketPolicyStatus: Handler = (ctx) => ({
  xml: { root: 'PolicyStatus', body: { IsPublic: isPublicPolicy(policyOf(ctx)) ? 'true' : 'false' } },
});

/** Wraps DeleteBucket so that the bucket's policy and access settings are removed with it. */
export function withPolicyCleanup(deleteBucket: Handler): Handler {
  return async (ctx) => {
    const res = await deleteBucket(ctx);
    const iam = iamOf(ctx.state);
    await iam.policies.remove(bucketOf(ctx));
    await iam.access.remove(bucketOf(ctx));
    return res;
  };
}
