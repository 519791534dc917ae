/**
 * GetObjectTagging — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectTagging.html
 * PutObjectTagging — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectTagging.html
 * DeleteObjectTagging — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjectTagging.html
 *
 * Tags change without rewriting the object (storage.setTags keeps the ETag).
 */
import { bucketOf, keyOf, storageKey } from '../context.ts';
import type { Handler } from '../context.ts';
import { readXmlBody } from '../request-body.ts';
import { parseTaggingXml, tagSetXml } from '../tags.ts';

/** Returns an object's tags. */
export const getObjectTagging: Handler = async (ctx) => {
  const info = await ctx.state.storage.head(storageKey(bucketOf(ctx), keyOf(ctx)), { signal: ctx.signal });
  return { xml: { root: 'Tagging', body: tagSetXml(info.tags) } };
};

/** Replaces an object's tags. */
export const putObjectTagging: Handler = async (ctx) => {
  const key = storageKey(bucketOf(ctx), keyOf(ctx));
  const tags = parseTaggingXml(await readXmlBody(ctx));
  await ctx.state.storage.setTags(key, tags, { signal: ctx.signal });
  return {};
};

/** Removes an object's tags. */
export const deleteObjectTagging: Handler = async (ctx) => {
  await ctx.state.storage.setTags(storageKey(bucketOf(ctx), keyOf(ctx)), {}, { signal: ctx.signal });
  return { status: 204 };
};
