/**
 * GetObjectTagging — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectTagging.html
 * PutObjectTagging — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectTagging.html
 * DeleteObjectTagging — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjectTagging.html
 *
 * Tags change without rewriting the object (storage.setTags keeps the ETag).
 */
import type { Handler, S3Context } from '../context.ts';
import { readXmlBody } from '../request-body.ts';
import { clientTagsWithAcl, OBJECT_ACL_TAG, visibleTags } from '../iam/acl-store.ts';
import { parseTaggingXml, tagSetXml } from '../tags.ts';
import { taggingTarget } from '../versioning/tagging-target.ts';
import type { TaggingTarget } from '../versioning/tagging-target.ts';

/** Returns an object's tags. */
export const getObjectTagging: Handler = async (ctx) => {
  const target = await taggingTarget(ctx);
  const info = await ctx.state.storage.head(target.storageKey, { signal: ctx.signal });
  return { headers: { 'x-amz-version-id': target.versionId }, xml: { root: 'Tagging', body: tagSetXml(visibleTags(info.tags)) } };
};

/**
 * Sets the tags of the target and of its plain mirror, when it has one (the current version of a versioned key).
 * The object's ACL, kept among its stored tags (iam/acl-store.ts), stays.
 */
async function setTags(ctx: S3Context, target: TaggingTarget, clientTags: Record<string, string>): Promise<void> {
  const acl = (await ctx.state.storage.head(target.storageKey, { signal: ctx.signal })).tags[OBJECT_ACL_TAG];
  const tags = clientTagsWithAcl(clientTags, acl);
  await ctx.state.storage.setTags(target.storageKey, tags, { signal: ctx.signal });
  if (target.mirror !== undefined) await ctx.state.storage.setTags(target.mirror, tags, { signal: ctx.signal });
}

/** Replaces an object's tags. */
export const putObjectTagging: Handler = async (ctx) => {
  const target = await taggingTarget(ctx);
  const tags = parseTaggingXml(await readXmlBody(ctx));
  await setTags(ctx, target, tags);
  return { headers: { 'x-amz-version-id': target.versionId } };
};

/** Removes an object's tags. */
export const deleteObjectTagging: Handler = async (ctx) => {
  const target = await taggingTarget(ctx);
  await setTags(ctx, target, {});
  return { status: 204, headers: { 'x-amz-version-id': target.versionId } };
};
