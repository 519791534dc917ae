/**
 * GetObject — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 * HeadObject — https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html
 *
 * The stored bytes stream to the socket. Range: a single `bytes=a-b`, `a-` or `-n`; a multi-range request
 * gets the whole object with 200, as AWS does. A 304 carries the ETag and Last-Modified (RFC 9110 §15.4.5).
 *
 * An unsatisfiable range — any range of an empty object, or one starting at or past the end — is 416
 * InvalidRange with `Content-Range: bytes *\/<size>` (RFC 9110 §15.5.17), as S3 answers.
 *
 * `response-*` overrides are written as the UTF-8 bytes of their value, like stored metadata (see
 * object-headers.ts), so `attachment; filename="отчёт.pdf"` reaches the client as the bytes it asked for.
 */
import { checkReadConditions, contentRange, hasErrorCode, readCached, resolveRange } from '@strata/storage';
import type { ByteRange, ObjectInfo, ReadConditions, ResolvedRange } from '@strata/storage';
import { readConditionsFrom } from '../conditions.ts';
import { bucketOf, header, keyOf, storageKey } from '../context.ts';
import type { Handler, S3Context, S3Response } from '../context.ts';
import { asksForChecksums, httpDate, objectHeaders, quoteEtag, unicodeToHeader } from '../object-headers.ts';
import { parsePartNumber, partRange } from '../part-layout.ts';
import { S3Error } from '../s3-errors.ts';
import { isUnversioned, readVersioned } from '../versioning/versioned-object.ts';

/** Parses a Range header; undefined for absent, multi-range or unparsable values (which S3 ignores). */
export function parseRange(value: string | undefined): ByteRange | undefined {
  const m = value === undefined ? null : /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(value);
  if (!m) return undefined;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') return { suffix: Number(b) };
  if (b !== '' && Number(b) < Number(a)) return undefined;
  return b === '' ? { start: Number(a) } : { start: Number(a), end: Number(b) };
}

/** Characters no header value can carry (RFC 9110 §5.5: controls other than HTAB, and DEL). */
const NOT_IN_HEADER = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * The `response-*` query overrides of GetObject (response-content-type, …). S3 refuses them on anonymous
 * requests (InvalidRequest): they exist for signed and presigned requests only. A value no header can carry
 * (a line break, another control character) is InvalidArgument, never a half-written answer.
 */
function overrides(ctx: S3Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['content-type', 'content-language', 'expires', 'cache-control', 'content-disposition', 'content-encoding']) {
    const v = ctx.query.get(`response-${name}`);
    if (v === null) continue;
    if (NOT_IN_HEADER.test(v)) {
      throw new S3Error('InvalidArgument', 'Header value contains a character that is not allowed in an HTTP header.', {
        extra: { ArgumentName: `response-${name}`, ArgumentValue: v },
      });
    }
    out[name] = unicodeToHeader(v);
  }
  if (ctx.auth.accessKeyId === null && Object.keys(out).length > 0) {
    throw new S3Error('InvalidRequest', 'Request specific response headers cannot be used for anonymous GET requests.');
  }
  return out;
}

/** S3's 416 for a range `requested` of an object of `size` bytes (the error handler adds `Content-Range: bytes *\/size`). */
function unsatisfiable(requested: string | undefined, size: number, cause?: unknown): S3Error {
  return new S3Error('InvalidRange', undefined, { cause, extra: { ...(requested !== undefined ? { RangeRequested: requested } : {}), ActualObjectSize: String(size) } });
}

/**
 * Resolves a range against an object's size; an asked-for range (not a part's) of an empty object, or one
 * starting past the end, is S3's 416.
 */
function resolveAsked(ctx: S3Context, range: ByteRange, size: number, ofPart: boolean): ResolvedRange | undefined {
  if (size === 0 && !ofPart) throw unsatisfiable(header(ctx, 'range'), 0);
  try {
    return resolveRange(range, size);
  } catch (e) {
    throw hasErrorCode(e, 'InvalidRange') ? unsatisfiable(header(ctx, 'range'), size, e) : e;
  }
}

async function notModified(ctx: S3Context, key: string, etag: string | undefined): Promise<S3Response> {
  const info = await ctx.state.storage.head(key, { signal: ctx.signal });
  return { status: 304, headers: { etag: quoteEtag(etag ?? info.etag), 'last-modified': httpDate(info.lastModified) } };
}

type Headers = Record<string, string | number | undefined>;

/**
 * The headers of whole-object answers, per info, for infos that cannot change: a read cache hands the same
 * frozen info to every hit, so a hot object's headers (dates and UTF-8 conversions included) are built once.
 * Answers to `x-amz-checksum-mode: ENABLED`, which add the stored checksums (AWS GetObject, "ChecksumMode"),
 * are kept apart: SDK clients that validate responses send it on every GET (the AWS SDK's default
 * `responseChecksumValidation`, Strata's S3 adapter).
 */
const wholeObjectHeaders = new WeakMap<ObjectInfo, Readonly<Headers>>();
const wholeObjectHeadersWithChecksums = new WeakMap<ObjectInfo, Readonly<Headers>>();

/** Whether the query carries a `response-*` override (a loop over the names, no allocation). */
function hasOverrides(ctx: S3Context): boolean {
  const query = ctx.query;
  for (let i = 0; i < query.size; i++) if ((query.nameAt(i) as string).startsWith('response-')) return true;
  return false;
}

function responseHeaders(ctx: S3Context, info: ObjectInfo, resolved: { start: number; end: number } | undefined, partsCount?: number): Headers {
  const whole = resolved === undefined && partsCount === undefined && !hasOverrides(ctx);
  if (whole && Object.isFrozen(info)) {
    // The test objectHeaders makes, so each cache holds one kind of answer.
    const cache = asksForChecksums(ctx) ? wholeObjectHeadersWithChecksums : wholeObjectHeaders;
    let cached = cache.get(info);
    if (cached === undefined) cache.set(info, (cached = Object.freeze(buildHeaders(ctx, info, undefined))));
    return cached;
  }
  return buildHeaders(ctx, info, resolved, partsCount);
}

function buildHeaders(ctx: S3Context, info: ObjectInfo, resolved: { start: number; end: number } | undefined, partsCount?: number): Headers {
  const headers: Headers = { ...objectHeaders(info, ctx, resolved !== undefined), ...overrides(ctx), 'x-amz-mp-parts-count': partsCount };
  if (resolved) headers['content-range'] = contentRange(resolved, info.size);
  headers['content-length'] = resolved ? resolved.end - resolved.start + 1 : info.size;
  return headers;
}

/** The answer to `partNumber=N` naming an empty part of a multipart object (an empty last part). */
function emptyPart(ctx: S3Context, info: ObjectInfo, partsCount: number | undefined, withBody: boolean): S3Response {
  const headers: Headers = { ...buildHeaders(ctx, info, undefined, partsCount), 'content-length': 0 };
  // Whole-object checksums describe no bytes of this answer.
  for (const name of Object.keys(headers)) if (name.startsWith('x-amz-checksum-')) delete headers[name];
  return { status: 200, headers, ...(withBody ? { body: Buffer.alloc(0) } : {}) };
}

/**
 * Reads the object at `versionKey` (a version's bytes) or the request's object. `etag` is the version's
 * reported ETag when its stored bytes carry another (versioned-object.ts): the answer carries it and the
 * conditions are evaluated here against it, storage being asked only for the bytes.
 */
async function read(ctx: S3Context, withBody: boolean, versionKey?: string, etag?: string): Promise<S3Response> {
  const key = versionKey ?? storageKey(bucketOf(ctx), keyOf(ctx));
  const partNumber = parsePartNumber(ctx.query.get('partNumber'));
  if (ctx.auth.accessKeyId === null) overrides(ctx); // refused before any storage call
  const conditions: ReadConditions = readConditionsFrom(ctx);
  const storage = ctx.state.storage;
  try {
    if (partNumber === undefined && withBody && etag === undefined) {
      // The common path: one storage call; storage resolves the range and evaluates the conditions. No abort
      // signal: a read leaves nothing behind, and fastify destroys the body stream when the client goes away
      // (reply.js sendStream), which is all a signal would do here — at the cost of a controller and three
      // listeners per request (GET profile).
      const range = parseRange(header(ctx, 'range'));
      const result = await storage.get(key, range ? { ...conditions, range } : conditions);
      if (range && result.info.size === 0) {
        result.body.destroy();
        throw unsatisfiable(header(ctx, 'range'), 0);
      }
      return { status: result.range ? 206 : 200, headers: responseHeaders(ctx, result.info, result.range), body: result.body };
    }
    const signal = ctx.signal;
    const stored = await storage.head(key, etag === undefined ? { ...conditions, signal } : { signal });
    const info = etag === undefined ? stored : { ...stored, etag };
    if (etag !== undefined) checkReadConditions(info, conditions);
    let range: ByteRange | undefined = parseRange(header(ctx, 'range'));
    let partsCount: number | undefined;
    if (partNumber !== undefined) {
      const part = await partRange(ctx.state.layouts, info, partNumber);
      // An empty part: no bytes, and no Content-Range, which cannot name an empty span (RFC 9110 §14.4).
      if (part !== undefined && part.end < part.start) return emptyPart(ctx, info, part.count, withBody);
      range = part ? { start: part.start, end: part.end } : undefined;
      partsCount = part?.count;
    }
    const resolved = range === undefined ? undefined : resolveAsked(ctx, range, info.size, partNumber !== undefined);
    const headers = responseHeaders(ctx, info, resolved, partsCount);
    const status = resolved ? 206 : 200;
    if (!withBody) return { status, headers };
    // Read by ETag so an object replaced since the head is never served under the old headers.
    const result = await storage.get(key, { ifMatch: stored.etag, ...(resolved ? { range: resolved } : {}), signal });
    return { status, headers, body: result.body };
  } catch (e) {
    if (hasErrorCode(e, 'NotModified')) return notModified(ctx, key, etag);
    // The common path learns of an unsatisfiable range from storage; the 416 names the object's size.
    if (hasErrorCode(e, 'InvalidRange')) {
      const info = await storage.head(key, { signal: ctx.signal }).catch(() => undefined);
      if (info) throw unsatisfiable(header(ctx, 'range'), info.size, e);
    }
    throw e;
  }
}

/** The conditions of a request without conditional headers (RFC 9110 §13.1), shared. */
const NO_CONDITIONS: ReadConditions = Object.freeze({});

/**
 * A GET answered from the read cache's memory, synchronously (no storage promise, no stream), or undefined:
 * then the full path answers — also every failure here (a condition, a bad range or part number, an
 * anonymous override), which the full path meets again and turns into S3's answer.
 */
function fromCache(ctx: S3Context): S3Response | undefined {
  try {
    if (ctx.query.has('partNumber')) return undefined;
    const key = storageKey(bucketOf(ctx), keyOf(ctx));
    const h = ctx.headers;
    const conditional = h['if-match'] !== undefined || h['if-none-match'] !== undefined || h['if-modified-since'] !== undefined || h['if-unmodified-since'] !== undefined;
    const conditions = conditional ? readConditionsFrom(ctx) : NO_CONDITIONS;
    const range = h.range === undefined ? undefined : parseRange(header(ctx, 'range'));
    const hit = readCached(ctx.state.storage, key, range ? { ...conditions, range } : conditions);
    if (hit === undefined || (range && hit.info.size === 0)) return undefined;
    return { status: hit.range ? 206 : 200, headers: responseHeaders(ctx, hit.info, hit.range), body: hit.bytes };
  } catch {
    return undefined;
  }
}

/** Reads an object (or a range or part of it). */
export const getObject: Handler = (ctx) => (isUnversioned(ctx) ? (fromCache(ctx) ?? read(ctx, true)) : readVersioned(ctx, true, read));

/** Reads an object's headers. */
export const headObject: Handler = (ctx) => (isUnversioned(ctx) ? read(ctx, false) : readVersioned(ctx, false, read));
