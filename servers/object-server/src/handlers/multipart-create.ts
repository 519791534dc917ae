/**
 * CreateMultipartUpload — https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
 *
 * Metadata, tags, the checksum algorithm/type and the object lock settings given here apply to the completed
 * object (object lock: object-lock/upload-lock.ts).
 */
import { checksumAlgorithmFrom, checksumTypeFrom } from '../checksum-fields.ts';
import { bucketOf, keyOf, storageKey } from '../context.ts';
import type { Handler } from '../context.ts';
import { standardHeadersFrom, userMetadataFrom } from '../object-headers.ts';
import { writeTagsFrom } from '../iam/acl-write.ts';
import { lockFieldsForUpload, rememberUploadLock } from '../object-lock/upload-lock.ts';

/** Starts a multipart upload. */
export const createMultipartUpload: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const algorithm = checksumAlgorithmFrom(ctx);
  const checksumType = checksumTypeFrom(ctx);
  const tags = writeTagsFrom(ctx, bucket);
  const lock = await lockFieldsForUpload(ctx, bucket);
  const upload = await ctx.state.storage.startMultipart(storageKey(bucket, key), {
    ...standardHeadersFrom(ctx),
    userMetadata: userMetadataFrom(ctx),
    ...(tags ? { tags } : {}),
    ...(algorithm ? { checksumAlgorithms: [algorithm] } : {}),
    ...(checksumType ? { checksumType } : {}),
    signal: ctx.signal,
  });
  await rememberUploadLock(ctx, bucket, key, upload.uploadId, lock);
  return {
    headers: {
      'x-amz-checksum-algorithm': algorithm?.toUpperCase(),
      'x-amz-checksum-type': algorithm ? (checksumType ?? 'COMPOSITE') : undefined,
    },
    xml: { root: 'InitiateMultipartUploadResult', body: { Bucket: bucket, Key: key, UploadId: upload.uploadId } },
  };
};
