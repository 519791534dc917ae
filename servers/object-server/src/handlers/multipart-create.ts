/**
 * CreateMultipartUpload — https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
 *
 * Metadata, tags and the checksum algorithm/type given here apply to the completed object.
 */
import { checksumAlgorithmFrom, checksumTypeFrom } from '../checksum-fields.ts';
import { bucketOf, keyOf, storageKey } from '../context.ts';
import type { Handler } from '../context.ts';
import { standardHeadersFrom, tagsFrom, userMetadataFrom } from '../object-headers.ts';

/** Starts a multipart upload. */
export const createMultipartUpload: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const algorithm = checksumAlgorithmFrom(ctx);
  const checksumType = checksumTypeFrom(ctx);
  const tags = tagsFrom(ctx);
  const upload = await ctx.state.storage.startMultipart(storageKey(bucket, key), {
    ...standardHeadersFrom(ctx),
    userMetadata: userMetadataFrom(ctx),
    ...(tags ? { tags } : {}),
    ...(algorithm ? { checksumAlgorithms: [algorithm] } : {}),
    ...(checksumType ? { checksumType } : {}),
    signal: ctx.signal,
  });
  return {
    headers: {
      'x-amz-checksum-algorithm': algorithm?.toUpperCase(),
      'x-amz-checksum-type': algorithm ? (checksumType ?? 'COMPOSITE') : undefined,
    },
    xml: { root: 'InitiateMultipartUploadResult', body: { Bucket: bucket, Key: key, UploadId: upload.uploadId } },
  };
};
