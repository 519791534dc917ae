/**
 * AbortMultipartUpload — https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html
 *
 * Besides the parts, an upload may have records of its own under the server's reserved prefix: the object lock
 * settings named when it started (object-lock/upload-lock.ts) and its encryption record
 * (encryption/upload-records.ts). Nothing reads them once the upload id is gone, so they go with it — also when
 * the upload was already gone (a retried abort, a crash after an earlier one), so none is left behind for good.
 */
import { hasErrorCode } from '@strata/storage';
import { bucketOf, keyOf, storageKey } from '../context.ts';
import type { Handler, S3Context } from '../context.ts';
import { forgetUploadLock } from '../object-lock/upload-lock.ts';

/** Removes the records kept beside upload `uploadId` of storage key `key`. */
async function forgetUploadRecords(ctx: S3Context, key: string, uploadId: string): Promise<void> {
  await forgetUploadLock(ctx.state.storage, uploadId);
  await ctx.state.encryption?.uploads.remove(key, uploadId);
}

/** Abandons an upload and frees its parts and records (NoSuchUpload when unknown). */
export const abortMultipartUpload: Handler = async (ctx) => {
  const uploadId = ctx.query.get('uploadId') ?? '';
  const key = storageKey(bucketOf(ctx), keyOf(ctx));
  try {
    await ctx.state.storage.abortMultipart(key, uploadId, { signal: ctx.signal });
  } catch (e) {
    if (hasErrorCode(e, 'NotFound')) await forgetUploadRecords(ctx, key, uploadId);
    throw e;
  }
  await forgetUploadRecords(ctx, key, uploadId);
  return { status: 204 };
};
