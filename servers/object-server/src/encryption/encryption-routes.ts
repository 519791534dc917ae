/**
 * Server-side encryption wrapped around the plain object handlers, so those stay as they are and a request
 * that involves no encryption costs a property look-up or two:
 *
 * - reads ({@link decryptingRead}) run the plain handler first; its answer names the object's metadata, and
 *   when that holds an encryption record the answer is dropped and the object read again, decrypting
 *   (encrypted-read.ts). A 412 is checked again against the decrypting read, since the plain handler compared
 *   `If-Match` with the stored bytes' ETag (412s are rare, so the extra look-up costs little). A 304 is left
 *   as it is: `If-Modified-Since` holds alike for both, and an `If-None-Match` naming an SSE-S3 object's
 *   plaintext ETag never matches the stored one, so it reaches the decrypting read through a 200 — a plain
 *   304 costs no extra look-up, though for an SSE-S3 object it carries the stored bytes' ETag;
 * - writes ({@link encryptingPut}) take the encrypting path when the request's headers or the bucket's default
 *   ask for encryption (a cached look-up once the bucket's default is known);
 * - copies ({@link encryptingCopy}) decrypt and re-encrypt when the source is encrypted or the destination
 *   asks for encryption;
 * - multipart uploads ({@link refusingEncryptedMultipart}) of encrypted objects are not built yet: they answer
 *   NotImplemented rather than store plaintext where encryption was asked for, and so does UploadPartCopy from
 *   an encrypted source ({@link refusingEncryptedPartSource}), which would copy sealed bytes into a part.
 */
import { hasErrorCode } from '@strata/storage';
import { bucketOf, keyOf, storageKey } from '../context.ts';
import type { Handler, S3Context, S3Response } from '../context.ts';
import { copySourceOf } from '../copy-source.ts';
import { S3Error } from '../s3-errors.ts';
import { resolveCopySource } from '../versioning/copy-source-version.ts';
import { isUnversioned, readVersioned } from '../versioning/versioned-object.ts';
import { copyWithEncryption } from './encrypted-copy.ts';
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
  /** Whether the request's object is encrypted (for a 412, which carries no metadata). */
  const encrypted = async (ctx: S3Context): Promise<boolean> => {
    if (!isUnversioned(ctx)) return false;
    const info = await ctx.state.storage.head(storageKey(bucketOf(ctx), keyOf(ctx)), { signal: ctx.signal }).catch(() => undefined);
    return info !== undefined && recordOf(info) !== undefined;
  };
  const after = (ctx: S3Context, res: S3Response): S3Response | Promise<S3Response> => {
    if (res.headers !== undefined && res.headers[SSE_RECORD_HEADER] !== undefined) {
      discard(res);
      return decrypting(ctx);
    }
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
    return copyWithEncryption(ctx, { storageKey: resolved.storageKey, versionId: resolved.versionId, stored, customer }, target);
  };
}

/** CreateMultipartUpload: refused when the object would be encrypted (not built yet). */
export function refusingEncryptedMultipart(plain: Handler): Handler {
  return async (ctx) => {
    if ((await targetEncryption(ctx)) !== undefined) {
      throw new S3Error('NotImplemented', 'Multipart uploads of encrypted objects are not implemented by this server yet.');
    }
    return plain(ctx);
  };
}

/** UploadPartCopy: refused when the source is encrypted (its stored bytes are sealed). */
export function refusingEncryptedPartSource(plain: Handler): Handler {
  return async (ctx) => {
    const resolved = await resolveCopySource(ctx, await copySourceOf(ctx));
    const stored = await ctx.state.storage.head(resolved.storageKey, { signal: ctx.signal });
    if (recordOf(stored) !== undefined || customerKeyFrom(ctx, true) !== undefined) {
      throw new S3Error('NotImplemented', 'UploadPartCopy from an encrypted source is not implemented by this server yet.');
    }
    return plain(ctx);
  };
}
