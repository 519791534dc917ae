/**
 * The canonical request of Signature Version 4, built from a request as it arrived on the wire.
 *
 * Rules from "Create a signed AWS API request" (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)
 * and the S3 page "Signature Calculations for the Authorization Header"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html):
 * - every name and value is URI-encoded with the RFC 3986 unreserved set (`A-Z a-z 0-9 - _ . ~`), uppercase hex;
 * - S3 neither normalizes the path (`//`, `.`, `..` stay) nor encodes it twice: the canonical URI is the
 *   object path encoded once, `/` kept;
 * - the query is sorted by encoded name, then value; a name without `=` has an empty value;
 * - headers are lower-cased, values trimmed, inner whitespace runs collapsed to one space, repeats joined by `,`.
 *
 * Clients send the path already encoded, and not all of them encode it the same way (s3cmd and older SDKs
 * leave characters like `+`, `!`, `$` or `@` bare). The server therefore re-encodes from the decoded form
 * (the AWS rule, as MinIO's `EncodePath` and versitygw do) and, only when that does not match, also tries the
 * path exactly as sent — see {@link canonicalUriCandidates}.
 */
import type { RequestHeaders } from './types.ts';

/** RFC 3986 encoding of a string: everything but the unreserved set becomes `%XX` of its UTF-8 bytes. */
export function uriEncode(value: string): string {
  // Most names and values are plain (`X-Amz-Date`, `20240101T000000Z`): nothing to encode, no new string.
  if (UNRESERVED.test(value)) return value;
  // encodeURIComponent leaves !'()* bare, which RFC 3986 (and SigV4) reserve.
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Strings made of RFC 3986 unreserved characters only, which {@link uriEncode} leaves as they are. */
const UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;

/** Percent-decodes `value`, or returns `undefined` when it is not valid percent-encoded UTF-8. */
export function tryDecode(value: string): string | undefined {
  // No escape, nothing to decode: skip decodeURIComponent's copy (most segments and query values).
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** Splits `/path?query` into its raw (still encoded) parts. */
export function splitRawUrl(rawUrl: string): { rawPath: string; rawQuery: string } {
  const hash = rawUrl.indexOf('#');
  const url = hash === -1 ? rawUrl : rawUrl.slice(0, hash);
  const q = url.indexOf('?');
  return q === -1 ? { rawPath: url, rawQuery: '' } : { rawPath: url.slice(0, q), rawQuery: url.slice(q + 1) };
}

/**
 * Canonical URIs to try, best first: the path decoded and re-encoded segment by segment (AWS's rule), then —
 * if different — the path exactly as the client sent it (clients that sign what they send, unencoded
 * characters included). Both name the same object, so accepting either weakens nothing.
 */
export function canonicalUriCandidates(rawPath: string): string[] {
  const path = rawPath === '' ? '/' : rawPath;
  const segments = path.split('/').map((s) => {
    const decoded = tryDecode(s);
    return decoded === undefined ? undefined : uriEncode(decoded);
  });
  const reencoded = segments.every((s) => s !== undefined) ? segments.join('/') : undefined;
  if (reencoded === undefined) return [path];
  return reencoded === path ? [reencoded] : [reencoded, path];
}

/** One `name=value` pair of a raw query string, still encoded. */
export interface RawQueryPair {
  name: string;
  value: string;
}

/** Splits a raw query string into its pairs, in order; empty pieces (`a&&b`) are dropped. */
export function parseRawQuery(rawQuery: string): RawQueryPair[] {
  const pairs: RawQueryPair[] = [];
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    pairs.push(eq === -1 ? { name: piece, value: '' } : { name: piece.slice(0, eq), value: piece.slice(eq + 1) });
  }
  return pairs;
}

/** Decodes a query component; `+` means a space in a query as HTML forms (and S3) read it. */
export function decodeQueryComponent(value: string, plusIsSpace = true): string {
  const v = plusIsSpace && value.includes('+') ? value.replace(/\+/g, ' ') : value;
  return tryDecode(v) ?? v;
}

/**
 * The canonical query string: pairs decoded, RFC 3986 re-encoded, sorted by name then value, joined by `&`.
 * `exclude` names (exact, decoded) are left out — `X-Amz-Signature` for a presigned URL.
 */
export function canonicalQuery(pairs: RawQueryPair[], exclude?: string, plusIsSpace = true): string {
  const encoded: [string, string][] = [];
  for (const p of pairs) {
    const name = decodeQueryComponent(p.name, plusIsSpace);
    if (name === exclude) continue;
    encoded.push([uriEncode(name), uriEncode(decodeQueryComponent(p.value, plusIsSpace))]);
  }
  // Plain code-unit order equals byte order here: encoded strings are ASCII.
  encoded.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return encoded.map(([n, v]) => `${n}=${v}`).join('&');
}

/** Headers with lower-cased names (Node already lower-cases; callers' plain objects might not). */
export function lowerCaseHeaders(headers: RequestHeaders): Map<string, string | string[]> {
  const out = new Map<string, string | string[]>();
  // for…in, not Object.entries: no array of pairs per request (this runs on every request).
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out.set(name.toLowerCase(), value);
  }
  return out;
}

/** A single header value (repeats joined by `,`), or `undefined`. */
export function headerValue(headers: Map<string, string | string[]>, name: string): string | undefined {
  const v = headers.get(name);
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * How header values enter the canonical request. Node decodes header bytes as Latin-1, one character per byte,
 * and clients differ in what they sign for a value that is not ASCII:
 * - `text`: the characters as decoded, trimmed and runs of whitespace (JavaScript's `\s`) collapsed, the
 *   canonical request hashed as UTF-8. This is what the AWS SDK for JavaScript signs, and what it sends when
 *   Node writes its header strings as Latin-1 (`é` goes out as the byte E9; C3 A9 was signed).
 * - `wire`: the bytes as received, only ASCII spaces and tabs trimmed and collapsed, the canonical request hashed
 *   as Latin-1 so each character is its byte again. botocore and Go clients send the UTF-8 bytes of the value
 *   and sign those same bytes (and so does the JavaScript SDK when Node writes the headers together with a
 *   string body, as UTF-8).
 * The two agree on ASCII, so only a request with a non-ASCII signed header value needs the second form.
 */
export type HeaderValueForm = 'text' | 'wire';

const TEXT_SPACES = /\s+/g;
const WIRE_SPACES = /[ \t]+/g;
const WIRE_EDGES = /^[ \t]+|[ \t]+$/g;

/** `name:value` lines of the canonical headers for the signed names (already sorted by the client). */
export function canonicalHeaders(headers: Map<string, string | string[]>, signed: string[], form: HeaderValueForm = 'text'): string {
  let out = '';
  for (const name of signed) {
    const raw = headers.get(name);
    const values = raw === undefined ? [''] : Array.isArray(raw) ? raw : [raw];
    const canonical =
      form === 'text' ? values.map((v) => v.trim().replace(TEXT_SPACES, ' ')) : values.map((v) => v.replace(WIRE_EDGES, '').replace(WIRE_SPACES, ' '));
    out += `${name}:${canonical.join(',')}\n`;
  }
  return out;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** True when `value` holds a character outside ASCII (a non-ASCII byte of a header value). */
export function hasNonAscii(value: string): boolean {
  return NON_ASCII.test(value);
}

/** The canonical request: method, URI, query, headers, signed header list, payload hash — one per line. */
export function canonicalRequest(parts: {
  method: string;
  uri: string;
  query: string;
  headers: string;
  signedHeaders: string[];
  payloadHash: string;
}): string {
  return `${parts.method}\n${parts.uri}\n${parts.query}\n${parts.headers}\n${parts.signedHeaders.join(';')}\n${parts.payloadHash}`;
}
