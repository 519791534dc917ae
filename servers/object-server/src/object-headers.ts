/**
 * Object metadata in and out of HTTP headers: `x-amz-meta-*` user metadata, the standard representation
 * headers, tags from `x-amz-tagging`, and the response headers of GetObject/HeadObject
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_ResponseSyntax).
 */
import type { ChecksumAlgorithm, ObjectInfo, StandardHeaders } from '@strata/storage';
import { header } from './context.ts';
import type { S3Context } from './context.ts';
import { S3Error } from './s3-errors.ts';
import { parseTagQuery } from './tags.ts';
import { OBJECT_ACL_TAG } from './iam/acl-store.ts';

const META = 'x-amz-meta-';
/** S3 limits user metadata to 2 KB (names plus values), https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html */
const MAX_METADATA_BYTES = 2048;
/** Every ASCII character, controls included. */
const ASCII = /^[\x00-\x7f]*$/;

/**
 * Node decodes header bytes as latin1; clients send UTF-8. Values are stored as the Unicode the client meant
 * and written back as the same bytes. Bytes that are not valid UTF-8 are kept as they came.
 */
export function headerToUnicode(value: string): string {
  // ASCII reads the same in latin1 and UTF-8: the common case needs no round trip through buffers.
  if (ASCII.test(value)) return value;
  const bytes = Buffer.from(value, 'latin1');
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : value;
}

/** The inverse of {@link headerToUnicode}: a Unicode string as a header value carrying its UTF-8 bytes. */
export function unicodeToHeader(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1');
}

/** Printable US-ASCII and tab: what a metadata header returns as is. */
const PRINTABLE_ASCII = /^[\t\x20-\x7e]*$/;

/**
 * A user metadata value as S3 returns it: as is when it is US-ASCII, else "first character-encoded using UTF-8
 * and then encoded into US-ASCII", the RFC 2047 encoded-word `=?UTF-8?B?<base64>?=` ("User-defined object
 * metadata", https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html). S3's own example reads
 * the received bytes as ISO-8859-1 first, so UTF-8 sent by a client comes back encoded twice; the server encodes
 * the text the client meant ({@link headerToUnicode}), which decodes to what was sent. Control characters,
 * which no header may carry, are encoded too.
 */
export function metadataHeaderValue(value: string): string {
  return PRINTABLE_ASCII.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** User metadata from `x-amz-meta-*` headers (names lower-cased by HTTP already). */
export function userMetadataFrom(ctx: Pick<S3Context, 'headers'>): Record<string, string> {
  const out: Record<string, string> = {};
  let size = 0;
  for (const [name, value] of Object.entries(ctx.headers)) {
    if (!name.startsWith(META) || value === undefined) continue;
    const v = headerToUnicode(Array.isArray(value) ? value.join(',') : value);
    const n = name.slice(META.length);
    out[n] = v;
    size += Buffer.byteLength(n) + Buffer.byteLength(v);
  }
  if (size > MAX_METADATA_BYTES) throw new S3Error('MetadataTooLarge', undefined, { extra: { MaxSizeAllowed: String(MAX_METADATA_BYTES) } });
  return out;
}

/** The standard headers S3 stores with an object. */
export function standardHeadersFrom(ctx: Pick<S3Context, 'headers'>): StandardHeaders {
  const out: StandardHeaders = {};
  const set = (field: keyof StandardHeaders, name: string) => {
    const v = header(ctx, name);
    if (v !== undefined) out[field] = headerToUnicode(v);
  };
  set('contentType', 'content-type');
  set('contentEncoding', 'content-encoding');
  set('contentDisposition', 'content-disposition');
  set('contentLanguage', 'content-language');
  set('cacheControl', 'cache-control');
  set('expires', 'expires');
  if (out.contentEncoding !== undefined) {
    const kept = withoutAwsChunked(out.contentEncoding);
    if (kept === undefined) delete out.contentEncoding;
    else out.contentEncoding = kept;
  }
  return out;
}

/**
 * A Content-Encoding list without `aws-chunked`, which is the transfer framing of a streaming upload, not an
 * encoding of the object: S3 stores the other codings, in order, as they were written
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html, "Content-Encoding"), so SDKs that append
 * `,aws-chunked` to `deflate, gzip` read back `deflate, gzip`. Undefined when nothing else is left.
 */
export function withoutAwsChunked(value: string): string | undefined {
  const codings = value.split(',');
  if (!codings.some((c) => c.trim().toLowerCase() === 'aws-chunked')) return value;
  const kept = codings.filter((c) => c.trim() !== '' && c.trim().toLowerCase() !== 'aws-chunked').join(',').trim();
  return kept === '' ? undefined : kept;
}

/** Tags from the `x-amz-tagging` header (a URL query string), or undefined when absent. */
export function tagsFrom(ctx: Pick<S3Context, 'headers'>): Record<string, string> | undefined {
  const v = header(ctx, 'x-amz-tagging');
  return v === undefined ? undefined : parseTagQuery(v);
}

/** `Last-Modified` and other HTTP dates: RFC 9110 IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`). */
export function httpDate(d: Date): string {
  return d.toUTCString();
}

/** The quoted ETag header value. */
export function quoteEtag(etag: string): string {
  return `"${etag}"`;
}

/** The checksum response headers (`x-amz-checksum-crc32`, …) of stored checksums. */
export function checksumHeaders(checksums: Partial<Record<ChecksumAlgorithm, string>> | undefined, type?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [alg, v] of Object.entries(checksums ?? {})) if (v !== undefined) out[`x-amz-checksum-${alg}`] = v;
  if (type !== undefined && Object.keys(out).length > 0) out['x-amz-checksum-type'] = type;
  return out;
}

/**
 * The response headers describing an object (GetObject and HeadObject). Checksums are whole-object values, so
 * they are left out of `partial` (range or part) answers, as S3 does — clients would check them against the slice.
 */
export function objectHeaders(info: ObjectInfo, ctx: Pick<S3Context, 'headers'>, partial = false): Record<string, string | number | undefined> {
  const out: Record<string, string | number | undefined> = {
    etag: quoteEtag(info.etag),
    'last-modified': httpDate(info.lastModified),
    'accept-ranges': 'bytes',
    'content-type': unicodeToHeader(info.contentType ?? 'binary/octet-stream'),
    'content-encoding': info.contentEncoding && unicodeToHeader(info.contentEncoding),
    'content-disposition': info.contentDisposition && unicodeToHeader(info.contentDisposition),
    'content-language': info.contentLanguage && unicodeToHeader(info.contentLanguage),
    'cache-control': info.cacheControl && unicodeToHeader(info.cacheControl),
    expires: info.expires && unicodeToHeader(info.expires),
  };
  for (const [n, v] of Object.entries(info.userMetadata)) out[META + n] = metadataHeaderValue(v);
  // The ACL the server keeps among the tags (iam/acl-store.ts) is not one of the client's.
  const tagCount = Object.keys(info.tags).length - (OBJECT_ACL_TAG in info.tags ? 1 : 0);
  if (tagCount > 0) out['x-amz-tagging-count'] = tagCount;
  if (!partial && asksForChecksums(ctx)) {
    Object.assign(out, checksumHeaders(info.checksums, info.checksumType ?? (info.partCount ? 'COMPOSITE' : 'FULL_OBJECT')));
  }
  return out;
}

/**
 * Whether the request asks for the object's stored checksums (`x-amz-checksum-mode: ENABLED`; AWS GetObject and
 * HeadObject, "ChecksumMode"): the one test every answer that may carry them makes.
 */
export function asksForChecksums(ctx: Pick<S3Context, 'headers'>): boolean {
  return header(ctx, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED';
}
