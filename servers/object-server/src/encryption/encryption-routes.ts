/**
 * Server-side encryption wrapped around the plain object handlers, so those stay as they are and a request
 * that involves no encryption costs a property look-up or two:
 *
 * - reads ({@link decryptingRead}) run the plain handler first; its answer names the object's metadata, and
 *   when that holds an encryption record the answer is dropped and the object read again, decrypting
 *   (encrypted-read.ts). A 412 is checked again against the decrypting read, since the plain handler compared
 *   `If-Match` with the stored bytes' ETag (412s are rare, so the extra look-up costs little). A 304 of a
 *   bucket that may hold encrypted objects is checked again too, so that it carries the reported ETag; in
 *   other buckets it costs no extra look-up;
 * - writes ({@link encryptingPut}) take the encrypting path when the request's headers or the bucket's default
 *   ask for encryption (a cached look-up once the bucket's default is known);
 * - copies ({@link encryptingCopy}) decrypt and re-encrypt when the source is encrypted or the destination
 *   asks for encryption;
 * - multipart uploads ({@link encryptingCreate}, {@link encryptingPart}, {@link encryptingComplete}) are
 *   encrypted when CreateMultipartUpload's headers or the bucket's default ask for it, each part sealed on its
 *   own (encrypted-multipart.ts); a part request of a plain upload costs one cached look-up of the upload's
 *   record; AbortMultipartUpload drops the record (handlers/multipart-abort.ts);
 * - UploadPartCopy ({@link encryptingPartCopy}) decrypts an encrypted source and seals into an encrypted
 *   upload (encrypted-part-copy.ts); a plain source into a plain upload stays a byte copy.
 * - ListParts ({@link plaintextPartSizes}) of an encrypted upload reports the parts' plaintext sizes.
 */
import { hasErrorCode } from '@strata/storage';
import { bucketOf, keyOf, storageKey } from '../context.ts';
import type { Handler, S3Context, S3Response } from '../context.ts';
import { copySourceOf } from '../copy-source.ts';
import { S3Error } from '../s3-errors.ts';
import { resolveCopySource } from '../versioning/copy-source-version.ts';
import { isUnversioned, readVersioned, versionIdParam } from '../versioning/versioned-object.ts';
import { partTarget } from '../handlers/multipart-upload-part.ts';
import { copyWithEncryption } from './encrypted-copy.ts';
import { createEncryptedUpload, partDataKey, uploadEncryptedPart, uploadRecordOf } from './encrypted-multipart.ts';
import { copyPartWithEncryption } from './encrypted-part-copy.ts';
import { partPlainSize } from './part-cipher.ts';
import { putEncrypted } from './encrypted-put.ts';
import { readEncryptedAt } from './encrypted-read.ts';
import { encryptionFor } from './encrypted-write.ts';
import { SSE_RECORD_HEADER, recordOf } from './sse-record.ts';
import { customerKeyFrom, hasCustomerKey, hasSseHeaders, sseRequestFrom } from './sse-request.ts';
import type { SseRequest } from './sse-request.ts';

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => typeof (value as { then?: unknown }).then === 'function';

const CONDITIONAL = ['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since'];
const hasConditions = (ctx: S3Context) => CONDITIONAL.some((h) => ctx.headers[h] !== undefined);

/** Drops an answer's body (a stream holds a file handle or a page pin until destroyed). */
function discard(res: S3Response): void {
  const body = res.body;
  if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) body.destroy();
}

/** S3's answer to a client setting the metadata name the encryption record is kept under. */
export const reservedMetadata = () =>
  new S3Error('InvalidArgument', `The metadata name ${SSE_RECORD_HEADER} is reserved by this server.`, { extra: { ArgumentName: SSE_RECORD_HEADER } });

/** GetObject / HeadObject: the plain read, and the decrypting read for encrypted objects. */
export function decryptingRead(plain: Handler, withBody: boolean): Handler {
  const decrypting = (ctx: S3Context) => (isUnversioned(ctx) ? readEncryptedAt(ctx, withBody) : readVersioned(ctx, withBody, readEncryptedAt));
  /** Whether the request's object is encrypted (for a 412 or a 304, which carry no metadata). */
  const encrypted = async (ctx: S3Context): Promise<boolean> => {
    let key = storageKey(bucketOf(ctx), keyOf(ctx));
    if (!isUnversioned(ctx)) {
      // The version read: its bytes, whose stored ETag is not the one an SSE-S3 If-Match names.
      const found = await ctx.state.versioning.store(bucketOf(ctx)).resolve(keyOf(ctx), versionIdParam(ctx), { signal: ctx.signal });
      if (found.kind !== 'object') return false;
      key = found.storageKey;
    }
    const info = await ctx.state.storage.head(key, { signal: ctx.signal }).catch(() => undefined);
    return info !== undefined && recordOf(info) !== undefined;
  };
  /**
   * A plain 304 of an object in a bucket that may hold encrypted ones: read again decrypting when the object
   * is encrypted, so the 304 carries the ETag every other answer reports (RFC 9110 §15.4.5: a 304 carries the
   * ETag a 200 would), not the sealed bytes'.
   */
  const notModified = async (ctx: S3Context, res: S3Response): Promise<S3Response> => {
    const marks = ctx.state.encryption?.buckets;
    if (marks === undefined || !(await marks.mayHold(bucketOf(ctx))) || !(await encrypted(ctx))) return res;
    return decrypting(ctx);
  };
  const after = (ctx: S3Context, res: S3Response): S3Response | Promise<S3Response> => {
    if (res.headers !== undefined && res.headers[SSE_RECORD_HEADER] !== undefined) {
      discard(res);
      return decrypting(ctx);
    }
    if (res.status === 304) return notModified(ctx, res);
    // SSE-C headers on a read of an object stored in plaintext (S3 refuses them).
    if (res.status !== undefined && res.status < 300 && hasCustomerKey(ctx.headers) && customerKeyFrom(ctx) !== undefined) {
      discard(res);
      throw new S3Error('InvalidRequest', 'The encryption parameters are not applicable to this object.');
    }
    return res;
  };
  const failed = async (ctx: S3Context, e: unknown): Promise<S3Response> => {
    if (hasErrorCode(e, 'PreconditionFailed') || (e instanceof S3Error && e.code === 'PreconditionFailed')) {
      if (hasConditions(ctx) && (await encrypted(ctx))) return decrypting(ctx);
    }
    throw e;
  };
  return (ctx) => {
    let res: S3Response | Promise<S3Response>;
    try {
      res = plain(ctx);
    } catch (e) {
      return failed(ctx, e);
    }
    return isPromise(res) ? res.then((r) => after(ctx, r), (e: unknown) => failed(ctx, e)) : after(ctx, res);
  };
}

/** The encryption a new object gets: the request's headers (parsed only when present), else the bucket default. */
function targetEncryption(ctx: S3Context): SseRequest | undefined | Promise<SseRequest | undefined> {
  return encryptionFor(ctx.state, bucketOf(ctx), hasSseHeaders(ctx.headers) ? sseRequestFrom(ctx) : undefined);
}

/** PutObject: the plain put, or the encrypting one. */
export function encryptingPut(plain: Handler): Handler {
  return (ctx) => {
    if (ctx.headers[SSE_RECORD_HEADER] !== undefined) throw reservedMetadata();
    const sse = targetEncryption(ctx);
    if (sse === undefined) return plain(ctx);
    if (isPromise(sse)) return sse.then((s) => (s === undefined ? plain(ctx) : putEncrypted(ctx, s)));
    return putEncrypted(ctx, sse);
  };
}

/** CopyObject: the plain copy, or a decrypting / encrypting one. */
export function encryptingCopy(plain: Handler): Handler {
  return async (ctx) => {
    const target = await targetEncryption(ctx);
    const source = await copySourceOf(ctx);
    const resolved = await resolveCopySource(ctx, source);
    const stored = await ctx.state.storage.head(resolved.storageKey, { signal: ctx.signal });
    const customer = customerKeyFrom(ctx, true);
    if (target === undefined && customer === undefined && recordOf(stored) === undefined) return plain(ctx);
    return copyWithEncryption(ctx, { storageKey: resolved.storageKey, versionId: resolved.versionId, etag: resolved.etag, stored, customer }, target);
  };
}

/** CreateMultipartUpload: the plain start, or an encrypted upload (encrypted-multipart.ts). */
export function encryptingCreate(plain: Handler): Handler {
  return async (ctx) => {
    if (ctx.headers[SSE_RECORD_HEADER] !== undefined) throw reservedMetadata();
    const sse = await targetEncryption(ctx);
    if (sse === undefined) return plain(ctx);
    return createEncryptedUpload(ctx, plain, sse, storageKey(bucketOf(ctx), keyOf(ctx)));
  };
}

/** UploadPart: the plain part, or a sealed one when the upload is encrypted. */
export function encryptingPart(plain: Handler): Handler {
  return async (ctx) => {
    const { key, uploadId } = partTarget(ctx);
    const record = await uploadRecordOf(ctx, key, uploadId);
    if (record !== undefined) return uploadEncryptedPart(ctx, record);
    // SSE-C headers on a part of an upload started without them.
    if (hasCustomerKey(ctx.headers) && customerKeyFrom(ctx) !== undefined) {
      throw new S3Error('InvalidRequest', 'The encryption parameters are not applicable to this object.');
    }
    return plain(ctx);
  };
}

/** UploadPartCopy: the plain byte copy, or a decrypting / sealing one when the source or the upload is encrypted. */
export function encryptingPartCopy(plain: Handler): Handler {
  return async (ctx) => {
    const { key, uploadId } = partTarget(ctx);
    const target = await uploadRecordOf(ctx, key, uploadId);
    const resolved = await resolveCopySource(ctx, await copySourceOf(ctx));
    const stored = await ctx.state.storage.head(resolved.storageKey, { signal: ctx.signal });
    const customer = customerKeyFrom(ctx, true);
    if (target === undefined && customer === undefined && recordOf(stored) === undefined) return plain(ctx);
    return copyPartWithEncryption(ctx, { storageKey: resolved.storageKey, versionId: resolved.versionId, etag: resolved.etag, stored, customer }, target);
  };
}

/** CompleteMultipartUpload: the plain complete; for an encrypted upload, answering its encryption headers. */
export function encryptingComplete(plain: Handler): Handler {
  return async (ctx) => {
    const key = storageKey(bucketOf(ctx), keyOf(ctx));
    const uploadId = ctx.query.get('uploadId') ?? '';
    const record = await uploadRecordOf(ctx, key, uploadId);
    if (record === undefined) {
      const res = await plain(ctx);
      // Known plain (looked up above): forgetting it costs no storage call.
      await ctx.state.encryption?.uploads.remove(key, uploadId).catch(() => undefined);
      return res;
    }
    // SSE-C keys are optional here; one that is sent must be the upload's.
    const sseHeaders = record.mode === 'C' && !hasCustomerKey(ctx.headers) ? { 'x-amz-server-side-encryption-customer-algorithm': 'AES256' } : partDataKey(ctx, record).headers;
    const res = await plain(ctx);
    await ctx.state.encryption?.uploads.remove(key, uploadId).catch(() => undefined);
    return { ...res, headers: { ...res.headers, ...sseHeaders } };
  };
}

/** ListParts: the plain listing; for an encrypted upload, each part's size is its plaintext size, as S3 reports. */
export function plaintextPartSizes(plain: Handler): Handler {
  return async (ctx) => {
    const res = await plain(ctx);
    const record = await uploadRecordOf(ctx, storageKey(bucketOf(ctx), keyOf(ctx)), ctx.query.get('uploadId') ?? '');
    const body = res.xml?.body;
    if (record === undefined || typeof body !== 'object' || !Array.isArray(body.Part)) return res;
    for (const part of body.Part as { Size?: unknown }[]) {
      if (typeof part.Size === 'number') part.Size = partPlainSize(part.Size) ?? part.Size;
    }
    return res;
  };
}
