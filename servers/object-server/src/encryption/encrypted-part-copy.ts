/**
 * UploadPartCopy when encryption is involved — https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html
 * ("x-amz-copy-source-server-side-encryption-customer-*", and the target's SSE-C headers "must be the same
 * encryption key specified in the initiate multipart upload request"):
 *
 * the source is opened as plaintext (decrypted with the master key or the customer key the
 * `x-amz-copy-source-…` headers name; a plain source is read as it is), `x-amz-copy-source-range` and the
 * `x-amz-copy-source-if-*` conditions apply to the plaintext and its reported ETag, and the bytes go into the
 * part sealed with the target upload's key when the upload is encrypted, else as they are. Sealed bytes are
 * never copied into a part: they would only decrypt under the source's key.
 */
import { Readable } from 'node:stream';
import { checkReadConditions, hasErrorCode, resolveRange } from '@strata/storage';
import type { ObjectInfo, ResolvedRange } from '@strata/storage';
import { readConditionsFrom } from '../conditions.ts';
import { header } from '../context.ts';
import type { S3Context, S3Response } from '../context.ts';
import { copyRange, partTarget } from '../handlers/multipart-upload-part.ts';
import { quoteEtag } from '../object-headers.ts';
import { S3Error } from '../s3-errors.ts';
import { storeSealedPart, partDataKey } from './encrypted-multipart.ts';
import { openEncrypted, openedBody } from './encrypted-read.ts';
import type { SseRecord } from './sse-record.ts';
import type { CustomerKey } from './sse-request.ts';

/** The source of a part copy, already looked up. */
export interface PartCopySource {
  storageKey: string;
  versionId: string | undefined;
  stored: ObjectInfo;
  /** The version's reported ETag when its stored bytes carry another (versioned-object.ts). */
  etag?: string | undefined;
  /** The key named by `x-amz-copy-source-server-side-encryption-customer-*`. */
  customer: CustomerKey | undefined;
}

/** The plaintext range to copy: `x-amz-copy-source-range` within the source's plaintext, else all of it. */
function sourceRange(ctx: S3Context, size: number): ResolvedRange | undefined {
  const asked = copyRange(header(ctx, 'x-amz-copy-source-range'));
  if (asked === undefined) return size === 0 ? undefined : { start: 0, end: size - 1 };
  if (!('start' in asked) || asked.end === undefined || asked.end >= size) {
    throw new S3Error('InvalidRange', `Range specified is not valid for source object of size: ${size}`);
  }
  return resolveRange(asked, size);
}

/** Copies (a range of) `source` into the request's part, decrypting and, for an encrypted upload, sealing. */
export async function copyPartWithEncryption(ctx: S3Context, source: PartCopySource, target: SseRecord | undefined): Promise<S3Response> {
  const { state } = ctx;
  // Checked before any byte is read: a wrong or missing target key answers without touching the source.
  const sealing = target === undefined ? undefined : partDataKey(ctx, target);
  const opened = await openEncrypted(state, source.storageKey, source.stored, source.customer, ctx.signal);
  const own = opened?.info ?? source.stored;
  const visible = source.etag === undefined ? own : { ...own, etag: source.etag };
  try {
    checkReadConditions(visible, readConditionsFrom(ctx, 'x-amz-copy-source-'));
  } catch (e) {
    if (hasErrorCode(e, 'NotModified')) throw new S3Error('PreconditionFailed', undefined, { cause: e });
    throw e;
  }
  const range = sourceRange(ctx, visible.size);
  const length = range === undefined ? 0 : range.end - range.start + 1;
  let plaintext: Readable;
  if (range === undefined) plaintext = Readable.from([]);
  else if (opened !== undefined) plaintext = await openedBody(state, source.storageKey, opened, range, ctx.signal);
  else plaintext = (await state.storage.get(source.storageKey, { ifMatch: source.stored.etag, range, signal: ctx.signal })).body;
  let part;
  if (target !== undefined && sealing !== undefined) {
    part = await storeSealedPart(ctx, target, sealing.dataKey, plaintext, length);
  } else {
    const { key, uploadId, partNumber } = partTarget(ctx);
    part = await state.storage.uploadPart(key, uploadId, partNumber, plaintext, { contentLength: length, signal: ctx.signal });
  }
  return {
    headers: { 'x-amz-copy-source-version-id': source.versionId, ...sealing?.headers },
    xml: { root: 'CopyPartResult', body: { ETag: quoteEtag(part.etag), LastModified: part.lastModified } },
  };
}
