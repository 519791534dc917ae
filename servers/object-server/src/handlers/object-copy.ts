/**
 * CopyObject — https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 *
 * Metadata and tags are kept (COPY, the default) or replaced by this request's headers (REPLACE), each with its
 * own directive. Conditions on the source come from `x-amz-copy-source-if-*`; every failed one is 412 for a
 * copy (S3 never answers 304 here). Copying an object onto itself without changing anything is refused, as S3 does.
 */
import { hasErrorCode } from '@strata/storage';
import type { ObjectInfo } from '@strata/storage';
import { checksumXml } from '../checksum-fields.ts';
import { writeConditionsFrom } from '../conditions.ts';
import { bucketOf, header, keyOf, storageKey } from '../context.ts';
import type { Handler, S3Context } from '../context.ts';
import { copySourceOf } from '../copy-source.ts';
import { standardHeadersFrom, tagsFrom, userMetadataFrom } from '../object-headers.ts';
import { tagsWithAcl, visibleTags, OBJECT_ACL_TAG } from '../iam/acl-store.ts';
import { writeGrants } from '../iam/acl-write.ts';
import { S3Error } from '../s3-errors.ts';
import { copySourceConditions, resolveCopySource } from '../versioning/copy-source-version.ts';
import { lockFieldsForWrite } from '../object-lock/lock-headers.ts';

function directive(ctx: S3Context, name: string): 'COPY' | 'REPLACE' {
  const v = (header(ctx, name) ?? 'COPY').toUpperCase();
  if (v !== 'COPY' && v !== 'REPLACE') throw new S3Error('InvalidArgument', `Unknown ${name}`, { extra: { ArgumentName: name, ArgumentValue: v } });
  return v;
}

/** Copies an object, possibly onto itself with new metadata. */
export const copyObject: Handler = async (ctx) => {
  const source = await copySourceOf(ctx);
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const metadata = directive(ctx, 'x-amz-metadata-directive');
  const tagging = directive(ctx, 'x-amz-tagging-directive');
  const resolved = await resolveCopySource(ctx, source);
  const from = resolved.storageKey;
  const to = storageKey(bucket, key);
  if (from === to && metadata === 'COPY' && tagging === 'COPY') {
    throw new S3Error(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const { storage } = ctx.state;
  // A copy takes no ACL from its source: the request's, or the default ("CopyObject": the new object's ACL is
  // private unless the request names one). Source tags kept by COPY are the client's only (iam/acl-store.ts).
  const grants = writeGrants(ctx, bucket);
  const aclTags = (tags: Record<string, string> | undefined): Record<string, string> => tagsWithAcl(tags, grants, ctx.state.owner) ?? {};
  const replaceTags = tagging === 'REPLACE' ? aclTags(tagsFrom(ctx)) : undefined;
  const destinationConditions = writeConditionsFrom(ctx);
  /** Copies the source to `target`; conditions on the destination are the version store's in a versioned bucket. */
  const copyTo = async (target: string, conditions: typeof destinationConditions): Promise<ObjectInfo> => {
    try {
      const sourceConditions = await copySourceConditions(ctx, resolved);
      if (metadata === 'REPLACE') {
        // Tags follow their own directive: with COPY they are the source's, read first.
        const tags = replaceTags ?? aclTags(visibleTags((await storage.head(from, { ...sourceConditions, signal: ctx.signal })).tags));
        return await storage.copy(from, target, {
          metadataDirective: 'replace',
          ...standardHeadersFrom(ctx),
          userMetadata: userMetadataFrom(ctx),
          tags,
          source: sourceConditions,
          ...conditions,
          signal: ctx.signal,
        });
      }
      const copied = await storage.copy(from, target, { metadataDirective: 'copy', source: sourceConditions, ...conditions, signal: ctx.signal });
      const tags = replaceTags ?? (grants !== undefined || OBJECT_ACL_TAG in copied.tags ? aclTags(visibleTags(copied.tags)) : undefined);
      return tags ? await storage.setTags(target, tags, { ifMatch: copied.etag, signal: ctx.signal }) : copied;
    } catch (e) {
      if (hasErrorCode(e, 'NotModified')) throw new S3Error('PreconditionFailed', undefined, { cause: e, extra: { Condition: 'x-amz-copy-source-If-None-Match' } });
      throw e;
    }
  };
  // A versioned destination gets a new version (AWS "Using versioning in S3 buckets"); others the plain copy.
  const mode = ctx.state.versioning.peek(bucket) ?? (await ctx.state.versioning.mode(bucket));
  const written =
    mode === null
      ? { info: await copyTo(to, destinationConditions), versionId: undefined }
      : await ctx.state.versioning.store(bucket).write(key, mode, destinationConditions, (dataKey) => copyTo(dataKey, {}), { signal: ctx.signal }, await lockFieldsForWrite(ctx, bucket, mode, { requireIntegrity: false }));
  const info = written.info;
  // The destination was overwritten: a part-layout record of what it held before is stale.
  await ctx.state.layouts.forget(to);
  return {
    headers: { 'x-amz-copy-source-version-id': resolved.versionId, 'x-amz-version-id': written.versionId },
    xml: { root: 'CopyObjectResult', body: { ETag: `"${info.etag}"`, LastModified: info.lastModified, ...checksumXml(info.checksums) } },
  };
};
