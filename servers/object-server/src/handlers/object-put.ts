/**
 * PutObject — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 *
 * The body streams from the socket through the payload decoder into storage. Conditional writes
 * (`If-None-Match: *`, `If-Match`) are passed to storage, which evaluates them atomically with the write.
 */
import { checksumHeaders, quoteEtag, standardHeadersFrom, userMetadataFrom } from '../object-headers.ts';
import { writeConditionsFrom } from '../conditions.ts';
import { bucketOf, keyOf, storageKey } from '../context.ts';
import type { Handler } from '../context.ts';
import { objectBody } from '../request-body.ts';
import { lockFieldsForWrite } from '../object-lock/lock-headers.ts';
import { writeTagsFrom } from '../iam/acl-write.ts';

/** Stores an object. */
export const putObject: Handler = async (ctx) => {
  const key = storageKey(bucketOf(ctx), keyOf(ctx));
  const userMetadata = userMetadataFrom(ctx);
  const tags = writeTagsFrom(ctx, bucketOf(ctx));
  const conditions = writeConditionsFrom(ctx);
  const headers = standardHeadersFrom(ctx);
  const { body, options } = objectBody(ctx);
  const putOptions = { ...headers, userMetadata, ...(tags ? { tags } : {}), ...conditions, ...options, signal: ctx.signal };
  // Versioned buckets keep every version (AWS "Using versioning in S3 buckets"); others take the plain path.
  const mode = ctx.state.versioning.peek(bucketOf(ctx)) ?? (await ctx.state.versioning.mode(bucketOf(ctx)));
  // Object lock settings of the new version (object-lock/lock-headers.ts): refused where lock is off.
  const lock = await lockFieldsForWrite(ctx, bucketOf(ctx), mode);
  const written = mode === null ? { info: await ctx.state.storage.put(key, body, putOptions), versionId: undefined } : await ctx.state.versioning.store(bucketOf(ctx)).put(keyOf(ctx), body, mode, putOptions, lock);
  const info = written.info;
  // An overwritten multipart object's part-layout record is stale (no storage call when there is none).
  await ctx.state.layouts.forget(key);
  return { headers: { etag: quoteEtag(info.etag), 'x-amz-version-id': written.versionId, ...checksumHeaders(info.checksums, 'FULL_OBJECT') } };
};
