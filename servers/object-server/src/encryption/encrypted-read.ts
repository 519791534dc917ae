/**
 * GetObject and HeadObject of an encrypted object — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 *
 * The object is described as its plaintext: Content-Length, ranges and Content-Range count plaintext bytes, the
 * ETag is the one S3 reports (encrypted-write.ts), conditional headers compare against it, the record is not
 * shown. A range reads only the sealed segments covering it (segment-cipher.ts).
 *
 * Keys, as "Using server-side encryption with customer-provided keys (SSE-C)"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html) has them: an
 * SSE-C object read without its key is 400 InvalidRequest, with another key 403 AccessDenied; SSE-C headers on
 * an object not stored so are 400 InvalidRequest.
 */
import { pipeline } from 'node:stream';
import { checkReadConditions, contentRange, hasErrorCode, resolveRange } from '@strata/storage';
import type { ObjectInfo, ResolvedRange } from '@strata/storage';
import { readConditionsFrom } from '../conditions.ts';
import { bucketOf, header, keyOf, storageKey } from '../context.ts';
import type { S3Context, S3Response, ServerState } from '../context.ts';
import { parseRange } from '../handlers/object-get.ts';
import { httpDate, objectHeaders, quoteEtag, unicodeToHeader } from '../object-headers.ts';
import { parsePartNumber } from '../part-layout.ts';
import { S3Error } from '../s3-errors.ts';
import { readAll } from '../streams.ts';
import { masterKeyOf } from './encrypted-write.ts';
import { customerKeyHmac, unwrapKey } from './key-wrap.ts';
import { multipartBody, sealedPartsOf } from './multipart-read.ts';
import type { SealedPart } from './multipart-read.ts';
import { FOOTER_SIZE, createOpenStream, openFooter, plaintextSize, sealedSpan } from './segment-cipher.ts';
import { recordOf, visibleMetadata } from './sse-record.ts';
import type { SseRecord } from './sse-record.ts';
import { customerKeyFrom, sseResponseHeaders } from './sse-request.ts';
import type { CustomerKey } from './sse-request.ts';

/** An encrypted object opened for reading: its plaintext description and what decrypts it. */
export interface OpenedObject {
  /** The stored object's info (stored size, stored ETag). */
  stored: ObjectInfo;
  /** The info as clients see it: plaintext size, reported ETag, no record in the metadata. */
  info: ObjectInfo;
  record: SseRecord;
  dataKey: Buffer;
  nonce: Buffer;
  /** The encryption headers of answers about the object. */
  sseHeaders: Record<string, string>;
  /** For an object assembled by a multipart upload: where its sealed parts are. */
  parts?: SealedPart[];
}

const notApplicable = () => new S3Error('InvalidRequest', 'The encryption parameters are not applicable to this object.');

/** The object's data key, unwrapped with the master key or the customer's key. */
function dataKeyOf(state: ServerState, record: SseRecord, customer: CustomerKey | undefined): Buffer {
  if (record.mode === 'S3') {
    if (customer !== undefined) throw notApplicable();
    const key = unwrapKey(masterKeyOf(state), record.key, 'sse-s3');
    if (key === undefined) throw new S3Error('InternalError', 'The object was encrypted under another master key than the server holds.');
    return key;
  }
  if (customer === undefined) {
    throw new S3Error('InvalidRequest', 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.');
  }
  const key = customerKeyHmac(Buffer.from(record.salt, 'base64'), customer.key) === record.hmac ? unwrapKey(customer.key, record.key, 'sse-c') : undefined;
  if (key === undefined) throw new S3Error('AccessDenied');
  return key;
}

/**
 * Opens the object at `key` given its stored info, with the customer key `customer` (from the request, or the
 * copy source's headers); undefined when the object is stored in plaintext (then SSE-C headers are refused).
 */
export async function openEncrypted(state: ServerState, key: string, stored: ObjectInfo, customer: CustomerKey | undefined, signal?: AbortSignal): Promise<OpenedObject | undefined> {
  const record = recordOf(stored);
  if (record === undefined) {
    if (customer !== undefined) throw notApplicable();
    return undefined;
  }
  const dataKey = dataKeyOf(state, record, customer);
  const nonce = Buffer.from(record.nonce, 'base64');
  const sseHeaders = sseResponseHeaders(record.mode, customer?.keyMd5);
  if (record.multipart === true) {
    // The ETag stays S3's multipart form, `md5-of-part-ETags-N` over the stored parts.
    const parts = await sealedPartsOf(state, key, stored, signal);
    const size = parts.reduce((n, p) => n + p.plainSize, 0);
    return { stored, info: plainInfo(stored, size, stored.etag), record, dataKey, nonce, sseHeaders, parts };
  }
  const size = plaintextSize(stored.size);
  if (size === undefined) throw new S3Error('InternalError', 'The stored size of the encrypted object is not one the server writes.');
  let etag = stored.etag;
  if (record.mode === 'S3') {
    const footer = await state.storage.get(key, { ifMatch: stored.etag, range: { start: stored.size - FOOTER_SIZE, end: stored.size - 1 }, ...(signal ? { signal } : {}) });
    etag = openFooter(dataKey, nonce, size, await readAll(footer.body, FOOTER_SIZE));
  }
  return { stored, info: plainInfo(stored, size, etag), record, dataKey, nonce, sseHeaders };
}

/** The info clients see of an encrypted object: plaintext size, reported ETag, no record. */
function plainInfo(stored: ObjectInfo, size: number, etag: string): ObjectInfo {
  const info: ObjectInfo = { ...stored, size, etag, userMetadata: visibleMetadata(stored.userMetadata) };
  // Whole-object checksums were computed over sealed bytes by storage: they describe nothing a client holds.
  delete info.checksums;
  delete info.checksumType;
  return info;
}

/** The plaintext bytes `[range.start, range.end]` of an opened object, read from only the segments covering them. */
export async function openedBody(state: ServerState, key: string, opened: OpenedObject, range: ResolvedRange | undefined, signal?: AbortSignal) {
  const size = opened.info.size;
  const { start, end } = range ?? { start: 0, end: size - 1 };
  if (opened.parts !== undefined) return multipartBody(state, key, opened.stored, opened.parts, opened.dataKey, opened.nonce, start, end, signal);
  const span = sealedSpan(start, Math.max(start, end), size);
  const result = await state.storage.get(key, { ifMatch: opened.stored.etag, range: span.stored, ...(signal ? { signal } : {}) });
  const plain = createOpenStream(opened.dataKey, opened.nonce, size, span, end - start + 1);
  pipeline(result.body, plain, () => {});
  return plain;
}

/** The `response-*` overrides of GetObject (already validated by the plain read that routed here). */
function overrides(ctx: S3Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['content-type', 'content-language', 'expires', 'cache-control', 'content-disposition', 'content-encoding']) {
    const v = ctx.query.get(`response-${name}`);
    if (v !== null) out[name] = unicodeToHeader(v);
  }
  return out;
}

function unsatisfiable(ctx: S3Context, size: number, cause?: unknown): S3Error {
  const requested = header(ctx, 'range');
  return new S3Error('InvalidRange', undefined, { cause, extra: { ...(requested !== undefined ? { RangeRequested: requested } : {}), ActualObjectSize: String(size) } });
}

/** S3's 416 for a part beyond the last, with the part asked for and the actual count. */
const invalidPartNumber = (requested: number, actual: number) =>
  new S3Error('InvalidPartNumber', undefined, { extra: { PartNumberRequested: String(requested), ActualPartCount: String(actual) } });

/**
 * What a request reads: a plaintext range, the whole object (undefined), or an empty part of a multipart object
 * (which has no byte range to name).
 */
type AskedRange = ResolvedRange | 'empty part' | undefined;

/**
 * The plaintext range of `partNumber=N`: part N of a multipart object (`'empty part'` for a part of no bytes —
 * an empty last part is not the whole object), or for an object stored by one put, part 1 is the whole object.
 */
function partNumberRange(value: string, opened: OpenedObject): AskedRange {
  const n = parsePartNumber(value) ?? 1;
  const parts = opened.parts;
  if (parts === undefined) {
    if (n !== 1) throw invalidPartNumber(n, 1);
    return undefined;
  }
  const part = parts[n - 1];
  if (part === undefined) throw invalidPartNumber(n, parts.length);
  return part.plainSize === 0 ? 'empty part' : { start: part.plainStart, end: part.plainStart + part.plainSize - 1 };
}

/** The plaintext range a request asks for, by `partNumber` or `Range`. */
function askedRange(ctx: S3Context, opened: OpenedObject): AskedRange {
  const size = opened.info.size;
  const partNumber = ctx.query.get('partNumber');
  if (partNumber !== null) return partNumberRange(partNumber, opened);
  const range = parseRange(header(ctx, 'range'));
  if (range === undefined) return undefined;
  if (size === 0) throw unsatisfiable(ctx, 0);
  try {
    return resolveRange(range, size);
  } catch (e) {
    throw hasErrorCode(e, 'InvalidRange') ? unsatisfiable(ctx, size, e) : e;
  }
}

/**
 * Reads an encrypted object (GET with `withBody`, else HEAD) at `key` (a version's storage key, or the
 * request's object); `etag` is a version's reported ETag when its stored bytes carry another
 * (versioned-object.ts). Has the shape of the versioned read's `ReadAt`.
 */
export async function readEncryptedAt(ctx: S3Context, withBody: boolean, key = storageKey(bucketOf(ctx), keyOf(ctx)), etag?: string): Promise<S3Response> {
  const { state } = ctx;
  const stored = await state.storage.head(key, { signal: ctx.signal });
  const opened = await openEncrypted(state, key, stored, customerKeyFrom(ctx), ctx.signal);
  // Replaced by a plaintext object since the first read: a retry takes the plain path.
  if (opened === undefined) throw new S3Error('InternalError', 'The object changed while it was read; retry the request.');
  if (etag !== undefined) opened.info = { ...opened.info, etag };
  const { info } = opened;
  try {
    checkReadConditions(info, readConditionsFrom(ctx));
  } catch (e) {
    if (hasErrorCode(e, 'NotModified')) return { status: 304, headers: { etag: quoteEtag(info.etag), 'last-modified': httpDate(info.lastModified) } };
    throw e;
  }
  const asked = askedRange(ctx, opened);
  const headers: Record<string, string | number | undefined> = { ...objectHeaders(info, ctx, asked !== undefined), ...overrides(ctx), ...opened.sseHeaders };
  // A part read of a multipart object names the part count (x-amz-mp-parts-count), as S3 does.
  if (opened.parts !== undefined && ctx.query.get('partNumber') !== null) headers['x-amz-mp-parts-count'] = opened.parts.length;
  // An empty part: no bytes, and no Content-Range, which cannot name an empty span (RFC 9110 §14.4).
  if (asked === 'empty part') {
    headers['content-length'] = 0;
    return { status: 200, headers, ...(withBody ? { body: Buffer.alloc(0) } : {}) };
  }
  const range = asked;
  if (range) headers['content-range'] = contentRange(range, info.size);
  headers['content-length'] = range ? range.end - range.start + 1 : info.size;
  const status = range ? 206 : 200;
  if (!withBody) return { status, headers };
  if (info.size === 0) return { status, headers, body: Buffer.alloc(0) };
  return { status, headers, body: await openedBody(state, key, opened, range, ctx.signal) };
}
