/**
 * Deleting a selection of objects and folders: DeleteObjects in batches of at most 1000 keys, S3's limit per
 * request (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html), in quiet mode so the
 * answer lists only the keys that failed. A folder is every key under its prefix, listed without delimiter.
 */
import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';

/** S3's most keys per DeleteObjects request. */
export const DELETE_BATCH = 1000;

/** What a deletion did. */
export interface DeleteResult {
  deleted: number;
  failed: { key: string; message: string }[];
}

/** Every key under `prefix`, page by page (ListObjectsV2 without delimiter). */
export async function* keysUnder(client: S3Client, bucket: string, prefix: string, signal?: AbortSignal): AsyncGenerator<string[]> {
  let token: string | undefined;
  do {
    const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }), { abortSignal: signal });
    yield (out.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key]));
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
}

/** Deletes `keys` in batches; per-key failures are collected, not thrown. */
export async function deleteKeys(client: S3Client, bucket: string, keys: readonly string[], signal?: AbortSignal): Promise<DeleteResult> {
  const result: DeleteResult = { deleted: 0, failed: [] };
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    const batch = keys.slice(i, i + DELETE_BATCH);
    const out = await client.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Quiet: true, Objects: batch.map((Key) => ({ Key })) } }),
      { abortSignal: signal },
    );
    const errors = out.Errors ?? [];
    result.deleted += batch.length - errors.length;
    for (const e of errors) result.failed.push({ key: e.Key ?? '', message: e.Message ?? e.Code ?? 'failed' });
  }
  return result;
}

/** Deletes the selected objects and everything under the selected folders. */
export async function deleteSelection(
  client: S3Client,
  bucket: string,
  selection: { keys: readonly string[]; folders: readonly string[] },
  signal?: AbortSignal,
): Promise<DeleteResult> {
  const total = await deleteKeys(client, bucket, selection.keys, signal);
  for (const folder of selection.folders) {
    for await (const page of keysUnder(client, bucket, folder, signal)) {
      const r = await deleteKeys(client, bucket, page, signal);
      total.deleted += r.deleted;
      total.failed.push(...r.failed);
    }
  }
  return total;
}
