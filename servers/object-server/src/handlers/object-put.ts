/**
 * PutObject — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 *
 * The body streams from the socket through the payload decoder into storage. Conditional writes
 * (`If-None-Match: *`, `If-Match`) are passed to storage, which evaluates them atomically with the write.
 */
import { checksumHeaders, quoteEtag, standardHeadersFrom, tagsFrom, userMetadataFrom } from '../object-headers.ts';
import { writeConditionsFrom } from '../conditions.ts';
import { bucketOf, keyOf, storageKey } from '../context.ts';
import type { Handler } from '../context.ts';
import { objectBody } from '../request-body.ts';

/** Stores an object. */
export const putObject: Handler = async (ctx) => {
  const key = storageKey(bucketOf(ctx), keyOf(ctx));
  const userMetadata = userMetadataFrom(ctx);
  const tags = tagsFrom(ctx);
  const conditions = writeConditionsFrom(ctx);
  const headers = standardHeadersFrom(ctx);
  const { body, options } = objectBody(ctx);
  const info = await ctx.state.storage.put(key, body, {
    ...headers,
    userMetadata,
    ...(tags ? { tags } : {}),
    ...conditions,
    ...options,
    signal: ctx.signal,
  });
  // An overwritten multipart object's part-layout record is stale (no storage call when there is none).
  await ctx.state.layouts.forget(key);
  return { headers: { etag: quoteEtag(info.etag), ...checksumHeaders(info.checksums, 'FULL_OBJECT') } };
};
