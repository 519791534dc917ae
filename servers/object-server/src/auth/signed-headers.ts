/**
 * Which request headers a SigV4 signature must cover. A header outside `SignedHeaders` can be added or changed
 * by anyone who holds the request (a presigned URL, a captured request), so a header that changes what the
 * request does must be signed; S3 refuses the request otherwise with 403 AccessDenied, "There were headers
 * present in the request which were not signed", naming them in a `HeadersNotSigned` element.
 *
 * The rule, from "Authenticating Requests: Using Query Parameters"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html, X-Amz-SignedHeaders) and
 * "Signature Calculations for the Authorization Header"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, CanonicalHeaders): the
 * signature must cover
 * - `host`, always: the canonical URI of a virtual-hosted request holds only the key, so a signature without
 *   the Host would read the same key in any bucket another Host names;
 * - every `x-amz-*` header the request carries — `x-amz-copy-source` turns a PUT into a copy, `x-amz-meta-*`,
 *   `x-amz-tagging`, `x-amz-acl`, `x-amz-metadata-directive`, `x-amz-server-side-encryption*`, object lock,
 *   storage class and the rest change what is stored — except the few in {@link UNSIGNED_AMZ_ALLOWED}, which
 *   cannot change what a request does.
 *
 * Other headers (Content-Type, Content-MD5, conditional and range headers, `x-amzn-trace-id`) may stay unsigned:
 * S3 does not require them, and the SDKs' presigners leave Content-Type out on purpose. Signature Version 2
 * needs no such check: its string to sign holds every `x-amz-*` header the request carries (sigv2.ts).
 */
import { S3Error } from '../s3-errors.ts';
import type { RequestHeaders } from './types.ts';

/**
 * `x-amz-*` headers accepted outside `SignedHeaders`, because their value is covered or unused, or can only
 * make the request fail:
 * - `x-amz-content-sha256`: in header authentication its value is the canonical request's last line, signed
 *   whether listed or not; a presigned URL takes the payload hash from its query and ignores the header, which
 *   some clients still send;
 * - `x-amz-date`: in header authentication its value is the string to sign's timestamp; a presigned URL's
 *   time is its X-Amz-Date query parameter;
 * - the checksum headers a browser or SDK adds to a presigned upload (`x-amz-checksum-<algorithm>` with
 *   `x-amz-sdk-checksum-algorithm`), and the aws-chunked framing headers (`x-amz-trailer`,
 *   `x-amz-decoded-content-length`): they assert facts about the body, which the sender of an unsigned
 *   payload chooses anyway and which a signed payload already fixes; a wrong value fails the upload.
 * `x-amz-checksum-algorithm` and `x-amz-checksum-type` are not here: they configure a multipart upload.
 */
export const UNSIGNED_AMZ_ALLOWED: ReadonlySet<string> = new Set([
  'x-amz-content-sha256',
  'x-amz-date',
  'x-amz-checksum-crc32',
  'x-amz-checksum-crc32c',
  'x-amz-checksum-crc64nvme',
  'x-amz-checksum-sha1',
  'x-amz-checksum-sha256',
  'x-amz-sdk-checksum-algorithm',
  'x-amz-trailer',
  'x-amz-decoded-content-length',
]);

const AMZ_PREFIX = 'x-amz-';
/** `x` and `X`: the first character of every name the check looks at (Node lower-cases header names). */
const LOWER_X = 0x78;
const UPPER_X = 0x58;

/** The lower-case name when `rawName` (any case) is an `x-amz-*` header that must be signed and is not in `signed`. */
function mustBeSigned(rawName: string, signed: readonly string[]): string | undefined {
  // One character code read per header: most names (host, content-length, user-agent…) stop here.
  const first = rawName.charCodeAt(0);
  if ((first !== LOWER_X && first !== UPPER_X) || rawName.length <= AMZ_PREFIX.length) return undefined;
  const name = first === LOWER_X && rawName.startsWith(AMZ_PREFIX) ? rawName : rawName.toLowerCase();
  if (!name.startsWith(AMZ_PREFIX) || UNSIGNED_AMZ_ALLOWED.has(name) || signed.includes(name)) return undefined;
  return name;
}

/**
 * True when `headers` and the signed header names satisfy the rule above. One pass over the header names, no
 * allocation: this runs on every signed request, the memo of presigned URLs included.
 */
export function coversRequiredHeaders(headers: RequestHeaders, signed: readonly string[]): boolean {
  if (!signed.includes('host')) return false;
  for (const name in headers) {
    if (headers[name] !== undefined && mustBeSigned(name, signed) !== undefined) return false;
  }
  return true;
}

/** The headers that break the rule, sorted (`host` when it is not signed), or an empty list. */
function headersNotSigned(headers: RequestHeaders, signed: readonly string[]): string[] {
  const out = new Set<string>();
  if (!signed.includes('host')) out.add('host');
  for (const rawName in headers) {
    const name = headers[rawName] === undefined ? undefined : mustBeSigned(rawName, signed);
    if (name !== undefined) out.add(name);
  }
  return [...out].sort();
}

/** Throws S3's AccessDenied for unsigned headers when the request breaks the rule above. */
export function assertSignedHeaders(headers: RequestHeaders, signed: readonly string[]): void {
  if (coversRequiredHeaders(headers, signed)) return;
  throw new S3Error('AccessDenied', 'There were headers present in the request which were not signed', {
    extra: { HeadersNotSigned: headersNotSigned(headers, signed).join(', ') },
  });
}
