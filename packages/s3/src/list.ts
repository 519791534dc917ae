/**
 * list and deleteMany.
 *
 * list is ListObjectsV2 (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html): S3 lists in
 * UTF-8 binary order, counts keys plus common prefixes against MaxKeys — the contract's rules — so a page maps
 * one to one: `cursor` is S3's continuation token in base64url. The encoding lets a cursor that was never
 * handed out be refused here with `InvalidArgument` (InvalidCursor), as S3 refuses a forged token: some
 * endpoints do not (Ceph RGW 16's token is the last key, and any string is taken as one). S3 caps a page at 1000
 * entries; a larger `limit` is filled from several S3 pages so that pages are the same on every adapter.
 * Keys are requested with `encoding-type=url`, since XML 1.0 cannot carry control characters that keys may hold.
 *
 * deleteMany is DeleteObjects in batches of 1000, the S3 maximum
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html), in quiet mode: only failures are
 * listed, every other key was deleted (S3 reports a missing key as deleted, which is the contract's idempotence).
 */
import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { DeleteObjectsCommandOutput, ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { StorageError, hasErrorCode, normalizeEtag } from '@strata/storage';
import type { DeleteResult, ListItem, ListOptions, ListResult, OperationOptions } from '@strata/storage';
import type { S3Core } from './core.ts';
import { decodeListedKey } from './metadata-codec.ts';
import { toStorageError } from './to-storage-error.ts';

/** S3's largest page of ListObjectsV2 and largest batch of DeleteObjects. */
export const S3_PAGE_MAX = 1000;

const encodeCursor = (token: string) => Buffer.from(token, 'utf8').toString('base64url');

/** The continuation token of a cursor this adapter handed out; `InvalidArgument` (InvalidCursor) for any other. */
function decodeCursor(cursor: string): string {
  const token = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[A-Za-z0-9_-]+$/.test(cursor) || encodeCursor(token) !== cursor) {
    throw new StorageError('InvalidArgument', 'The list cursor is not valid for this listing', { op: 'list', reason: 'InvalidCursor' });
  }
  return token;
}

/** One page of the contract's listing (see the module doc). */
export async function listObjects(core: S3Core, options: ListOptions): Promise<ListResult> {
  const limit = options.limit ?? S3_PAGE_MAX;
  const items: ListItem[] = [];
  const prefixes: string[] = [];
  let token = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
  let truncated = false;
  do {
    const want = Math.min(S3_PAGE_MAX, limit - items.length - prefixes.length);
    let out: ListObjectsV2CommandOutput;
    try {
      out = await core.send<ListObjectsV2CommandOutput>(
        new ListObjectsV2Command({
          Bucket: core.bucket,
          Prefix: core.prefix + (options.prefix ?? ''),
          Delimiter: options.delimiter === '' ? undefined : options.delimiter,
          StartAfter: token === undefined && options.startAfter !== undefined ? core.s3Key(options.startAfter) : undefined,
          ContinuationToken: token,
          MaxKeys: want,
          EncodingType: 'url',
        }),
        { op: 'list', signal: options.signal },
      );
    } catch (e) {
      if (token !== undefined && hasErrorCode(e, 'InvalidArgument')) {
        throw new StorageError('InvalidArgument', 'The list cursor is not valid for this listing', { op: 'list', reason: 'InvalidCursor', cause: e });
      }
      throw e;
    }
    const encoded = out.EncodingType === 'url';
    for (const c of out.Contents ?? []) {
      if (c.Key === undefined) continue;
      items.push({
        key: core.contractKey(decodeListedKey(c.Key, encoded)),
        size: c.Size ?? 0,
        etag: normalizeEtag(c.ETag ?? ''),
        lastModified: c.LastModified ?? new Date(0),
      });
    }
    for (const p of out.CommonPrefixes ?? []) {
      if (p.Prefix !== undefined) prefixes.push(core.contractKey(decodeListedKey(p.Prefix, encoded)));
    }
    truncated = out.IsTruncated === true && out.NextContinuationToken !== undefined;
    token = truncated ? out.NextContinuationToken : undefined;
  } while (truncated && items.length + prefixes.length < limit);
  const result: ListResult = { items, prefixes };
  if (truncated && token !== undefined) result.cursor = encodeCursor(token);
  return result;
}

/** Deletes many keys, one result per key in input order. A failed batch marks each of its keys failed. */
export async function deleteObjects(core: S3Core, keys: string[], options: OperationOptions): Promise<DeleteResult[]> {
  const failures = new Map<string, Error>();
  const unique = [...new Set(keys)];
  for (let i = 0; i < unique.length; i += S3_PAGE_MAX) {
    const batch = unique.slice(i, i + S3_PAGE_MAX);
    try {
      const out = await core.send<DeleteObjectsCommandOutput>(
        new DeleteObjectsCommand({
          Bucket: core.bucket,
          Delete: { Objects: batch.map((k) => ({ Key: core.s3Key(k) })), Quiet: true },
        }),
        { op: 'deleteMany', signal: options.signal },
      );
      for (const err of out.Errors ?? []) {
        if (err.Key === undefined) continue;
        const key = core.contractKey(err.Key);
        const native = Object.assign(new Error(err.Message ?? err.Code ?? 'delete failed'), { name: err.Code ?? 'Unknown' });
        failures.set(key, toStorageError(native, { op: 'deleteMany', key }));
      }
    } catch (e) {
      if (hasErrorCode(e, 'Aborted')) throw e;
      for (const key of batch) failures.set(key, e as Error);
    }
  }
  return keys.map((key): DeleteResult => {
    const error = failures.get(key);
    return error === undefined ? { key, ok: true } : { key, ok: false, error };
  });
}
