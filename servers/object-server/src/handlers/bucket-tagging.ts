/**
 * PutBucketTagging — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketTagging.html
 * GetBucketTagging — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketTagging.html
 * DeleteBucketTagging — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketTagging.html
 *
 * A bucket's tags follow the limits of "Using cost allocation S3 bucket tags"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/CostAllocTagging.html) and of the Tag data type
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Tag.html): at most 50 tags, keys of 1..128 and values of
 * 0..256 Unicode characters, keys unique and never in the `aws:` namespace (which is AWS's own) — InvalidTag
 * otherwise. A document without a TagSet, or a Tag without Key or Value, is MalformedXML. Content-MD5 and
 * x-amz-checksum-* are verified when sent (readXmlBody). A TagSet with no tags removes the bucket's tags, as S3
 * then answers GetBucketTagging with NoSuchTagSet.
 *
 * The tags go with the bucket: {@link withBucketTaggingCleanup} removes them once DeleteBucket succeeded, so a
 * bucket created later under the same name starts without any.
 */
import { bucketTaggingOf } from '../bucket-tagging-store.ts';
import type { BucketTagSet } from '../bucket-tagging-store.ts';
import { bucketOf } from '../context.ts';
import type { Handler } from '../context.ts';
import { readXmlBody } from '../request-body.ts';
import { S3Error } from '../s3-errors.ts';
import { childText, children, parseXml } from '../xml.ts';

/** The most tags a bucket can have. */
export const MAX_BUCKET_TAGS = 50;
const MAX_KEY_CHARS = 128;
const MAX_VALUE_CHARS = 256;

/** Unicode characters (code points), as S3 counts tag lengths, not UTF-16 units or bytes. */
const chars = (s: string): number => [...s].length;

/** Parses and validates a bucket's Tagging document into its tags, in document order. */
export function parseBucketTaggingXml(body: string): BucketTagSet {
  const tagSets = children(parseXml(body, 'Tagging'), 'TagSet');
  if (tagSets.length !== 1) throw new S3Error('MalformedXML', 'A Tagging document holds exactly one TagSet');
  const tags = children(tagSets[0], 'Tag');
  if (tags.length > MAX_BUCKET_TAGS) throw new S3Error('InvalidTag', `Bucket tag count cannot be greater than ${MAX_BUCKET_TAGS}`);
  const seen = new Set<string>();
  return tags.map((tag) => {
    const key = childText(tag, 'Key');
    const value = childText(tag, 'Value');
    if (key === undefined || value === undefined) throw new S3Error('MalformedXML', 'Every Tag needs a Key and a Value');
    if (chars(key) < 1 || chars(key) > MAX_KEY_CHARS) throw new S3Error('InvalidTag', 'The TagKey you have provided is invalid', { extra: { TagKey: key } });
    if (chars(value) > MAX_VALUE_CHARS) throw new S3Error('InvalidTag', 'The TagValue you have provided is invalid', { extra: { TagKey: key } });
    if (key.toLowerCase().startsWith('aws:')) throw new S3Error('InvalidTag', 'User-defined tag keys cannot start with aws:', { extra: { TagKey: key } });
    if (seen.has(key)) throw new S3Error('InvalidTag', 'Cannot provide multiple Tags with the same key', { extra: { TagKey: key } });
    seen.add(key);
    return [key, value];
  });
}

/** Replaces a bucket's tags (204, as S3 answers). */
export const putBucketTagging: Handler = async (ctx) => {
  const tags = parseBucketTaggingXml(await readXmlBody(ctx));
  const store = bucketTaggingOf(ctx.state);
  if (tags.length === 0) await store.remove(bucketOf(ctx));
  else await store.put(bucketOf(ctx), tags);
  return { status: 204 };
};

/** Returns a bucket's tags; NoSuchTagSet (404) when it has none. */
export const getBucketTagging: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const tags = await bucketTaggingOf(ctx.state).get(bucket);
  if (tags === undefined) throw new S3Error('NoSuchTagSet', undefined, { extra: { BucketName: bucket } });
  return { xml: { root: 'Tagging', body: { TagSet: { Tag: tags.map(([Key, Value]) => ({ Key, Value })) } } } };
};

/** Removes a bucket's tags (204, also when it had none). */
export const deleteBucketTagging: Handler = async (ctx) => {
  await bucketTaggingOf(ctx.state).remove(bucketOf(ctx));
  return { status: 204 };
};

/** Wraps DeleteBucket so the bucket's tags go once the bucket is gone (and stay when the delete fails). */
export function withBucketTaggingCleanup(deleteBucket: Handler): Handler {
  return async (ctx) => {
    const res = await deleteBucket(ctx);
    await bucketTaggingOf(ctx.state).remove(bucketOf(ctx));
    return res;
  };
}
