/**
 * PutBucketAcl — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketAcl.html
 * PutObjectAcl — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectAcl.html
 *
 * The ACL comes from a canned `x-amz-acl`, `x-amz-grant-*` headers or an AccessControlPolicy body (acl-write.ts
 * checks it against Object Ownership and Block Public Access). An object's ACL is set on the version the
 * request names (the current one without `versionId`), like its tags, without rewriting it (acl-store.ts).
 * GetBucketAcl and GetObjectAcl are handlers/bucket-config.ts's `getAcl`.
 */
import { bucketOf } from '../context.ts';
import type { Handler, S3Context } from '../context.ts';
import { readXmlBody } from '../request-body.ts';
import { S3Error } from '../s3-errors.ts';
import { taggingTarget } from '../versioning/tagging-target.ts';
import type { Grant } from './acl-document.ts';
import { setBucketGrants, tagsWithAcl, visibleTags } from './acl-store.ts';
import { assertAclWritable, requestedGrants } from './acl-write.ts';

/** The ACL the request names, checked against the bucket's settings; MalformedACLError when it names none. */
async function grantsOfRequest(ctx: S3Context): Promise<Grant[]> {
  const grants = requestedGrants(ctx, await readXmlBody(ctx));
  if (grants === undefined) throw new S3Error('MalformedACLError', 'An ACL is required: x-amz-acl, x-amz-grant-* headers or an AccessControlPolicy body');
  assertAclWritable(ctx.state, bucketOf(ctx), grants);
  return grants;
}

/** Replaces a bucket's ACL (checked again where it is written, against a concurrent ownership change). */
export const putBucketAcl: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const grants = await grantsOfRequest(ctx);
  await setBucketGrants(ctx.state, bucket, grants, () => assertAclWritable(ctx.state, bucket, grants));
  return {};
};

/** Replaces the ACL of an object (or of the version named by `versionId`), keeping its tags and bytes. */
export const putObjectAcl: Handler = async (ctx) => {
  const grants = await grantsOfRequest(ctx);
  const target = await taggingTarget(ctx);
  const { storage, owner } = ctx.state;
  const info = await storage.head(target.storageKey, { signal: ctx.signal });
  const tags = tagsWithAcl(visibleTags(info.tags), grants, owner) ?? {};
  // The ETag condition keeps an ACL from landing on an object written meanwhile.
  await storage.setTags(target.storageKey, tags, { ifMatch: info.etag, signal: ctx.signal });
  if (target.mirror !== undefined) await storage.setTags(target.mirror, tags, { signal: ctx.signal });
  return { headers: { 'x-amz-version-id': target.versionId } };
};
