/**
 * Multipart uploads of encrypted objects, wrapped around the plain multipart handlers
 * ("Using server-side encryption with customer-provided keys (SSE-C)",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html, and
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html):
 *
 * - CreateMultipartUpload with `x-amz-server-side-encryption`, SSE-C headers or a bucket default draws the
 *   upload's data key, puts its record in the upload's metadata (so the completed object carries it) and in
 *   the upload records (upload-records.ts) before answering, and answers the encryption headers;
 * - every UploadPart of such an upload is sealed on its own (part-cipher.ts). SSE-C parts need the upload's
 *   key: none is 400 InvalidRequest, another key 400 InvalidArgument; SSE-C headers on a part of an SSE-S3 or
 *   plain upload are 400 InvalidRequest. Content-Length is required (it goes in the part header);
 * - CompleteMultipartUpload is the plain one (the ETag stays `md5-of-part-ETags-N`, the part sizes are
 *   recorded) answering the encryption headers; the upload record is dropped after it, and after an abort.
 *
 * Part ETags are the stored (sealed) part's MD5, which Complete checks: S3 too reports ETags of SSE-C parts
 * that are not an MD5 of their data. Checksums (`x-amz-checksum-*`, Content-MD5) are verified on the
 * plaintext as it arrives (plain-digest.ts) but not stored: storage only ever sees sealed bytes, whose
 * checksums describe nothing a client holds, so an encrypted upload is started without a checksum algorithm.
 */
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { bucketOf } from '../context.ts';
import type { Handler, S3Context, S3Response } from '../context.ts';
import { partTarget } from '../handlers/multipart-upload-part.ts';
import { quoteEtag } from '../object-headers.ts';
import { objectBody } from '../request-body.ts';
import { S3Error } from '../s3-errors.ts';
import { masterKeyOf, newSealing } from './encrypted-write.ts';
import { customerKeyHmac, unwrapKey } from './key-wrap.ts';
import { partStoredSize, sealPart } from './part-cipher.ts';
import { PlainDigest } from './plain-digest.ts';
import { markEncryptedBucket } from './plaintext-sizes.ts';
import { SSE_RECORD_HEADER, encodeRecord } from './sse-record.ts';
import type { SseRecord } from './sse-record.ts';
import { customerKeyFrom, hasCustomerKey, sseResponseHeaders } from './sse-request.ts';
import type { SseRequest } from './sse-request.ts';

/** The record of the upload a part request names, or undefined for a plain upload. */
export async function uploadRecordOf(ctx: S3Context, key: string, uploadId: string): Promise<SseRecord | undefined> {
  const uploads = ctx.state.encryption?.uploads;
  return uploads === undefined ? undefined : uploads.get(key, uploadId);
}

const notApplicable = () => new S3Error('InvalidRequest', 'The encryption parameters are not applicable to this object.');

/** An encrypted upload's data key for a part request, checking the SSE-C headers it must (not) carry. */
export function partDataKey(ctx: S3Context, record: SseRecord): { dataKey: Buffer; headers: Record<string, string> } {
  const customer = hasCustomerKey(ctx.headers) ? customerKeyFrom(ctx) : undefined;
  if (record.mode === 'S3') {
    if (customer !== undefined) throw notApplicable();
    const dataKey = unwrapKey(masterKeyOf(ctx.state), record.key, 'sse-s3');
    if (dataKey === undefined) throw new S3Error('InternalError', 'The upload was encrypted under another master key than the server holds.');
    return { dataKey, headers: sseResponseHeaders('S3') };
  }
  if (customer === undefined) {
    throw new S3Error('InvalidRequest', 'The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.');
  }
  const dataKey = customerKeyHmac(Buffer.from(record.salt, 'base64'), customer.key) === record.hmac ? unwrapKey(customer.key, record.key, 'sse-c') : undefined;
  if (dataKey === undefined) {
    throw new S3Error('InvalidArgument', 'The provided encryption parameters did not match the ones used originally.', { extra: { ArgumentName: 'x-amz-server-side-encryption-customer-key' } });
  }
  return { dataKey, headers: sseResponseHeaders('C', customer.keyMd5) };
}

/** The upload id of a CreateMultipartUpload answer. */
function uploadIdOf(res: S3Response): string {
  const body = res.xml?.body;
  const id = typeof body === 'object' && body !== null ? (body as { UploadId?: unknown }).UploadId : undefined;
  if (typeof id !== 'string') throw new S3Error('InternalError', 'CreateMultipartUpload answered without an upload id.');
  return id;
}

/**
 * CreateMultipartUpload of an object to be encrypted as `sse` asks (the caller decided it is encrypted). The
 * plain handler builds the upload from the request's headers, so the record rides in as the reserved metadata
 * header (clients cannot send it: the caller refuses that first), and the checksum algorithm is taken out.
 */
export async function createEncryptedUpload(ctx: S3Context, plain: Handler, sse: SseRequest, key: string): Promise<S3Response> {
  const uploads = ctx.state.encryption?.uploads;
  if (uploads === undefined) throw new S3Error('NotImplemented', 'Server-side encryption is not configured on this server.');
  const { record } = newSealing(ctx.state, sse);
  await markEncryptedBucket(ctx.state, bucketOf(ctx));
  record.multipart = true;
  const encoded = encodeRecord(record);
  ctx.headers[SSE_RECORD_HEADER] = encoded;
  delete ctx.headers['x-amz-checksum-algorithm'];
  delete ctx.headers['x-amz-checksum-type'];
  const res = await plain(ctx);
  const uploadId = uploadIdOf(res);
  try {
    await uploads.save(key, uploadId, encoded);
  } catch (e) {
    // Without its record the upload's parts would be stored as they come: it must not exist.
    await ctx.state.storage.abortMultipart(key, uploadId).catch(() => undefined);
    throw e;
  }
  return { ...res, headers: { ...res.headers, ...sseResponseHeaders(sse.mode, sse.mode === 'C' ? sse.keyMd5 : undefined) } };
}

/** Stores `plaintext` (exactly `size` bytes, verified by `digest` upstream) sealed as part `partNumber`. */
export async function storeSealedPart(ctx: S3Context, record: SseRecord, dataKey: Buffer, plaintext: Readable, size: number) {
  const { key, uploadId, partNumber } = partTarget(ctx);
  const sealed = sealPart(dataKey, Buffer.from(record.nonce, 'base64'), partNumber, size, plaintext);
  return ctx.state.storage.uploadPart(key, uploadId, partNumber, sealed, { contentLength: partStoredSize(size), signal: ctx.signal });
}

/** UploadPart of an encrypted upload: the body verified as plaintext, sealed, stored. */
export async function uploadEncryptedPart(ctx: S3Context, record: SseRecord): Promise<S3Response> {
  const { dataKey, headers } = partDataKey(ctx, record);
  const { body, options } = objectBody(ctx);
  if (options.contentLength === undefined) throw new S3Error('MissingContentLength');
  const digest = new PlainDigest(options);
  pipeline(body, digest, () => {});
  let part;
  try {
    part = await storeSealedPart(ctx, record, dataKey, digest, options.contentLength);
  } catch (e) {
    // A failed integrity check is the answer, whatever storage made of the interrupted body.
    throw digest.failure ?? e;
  }
  return { headers: { etag: quoteEtag(part.etag), ...headers } };
}
