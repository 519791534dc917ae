/**
 * AbortMultipartUpload — https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html
 */
import { bucketOf, keyOf, storageKey } from '../context.ts';
import type { Handler } from '../context.ts';

/** Abandons an upload and frees its parts (NoSuchUpload when unknown). */
export const abortMultipartUpload: Handler = async (ctx) => {
  const uploadId = ctx.query.get('uploadId') ?? '';
  await ctx.state.storage.abortMultipart(storageKey(bucketOf(ctx), keyOf(ctx)), uploadId, { signal: ctx.signal });
  return { status: 204 };
};
