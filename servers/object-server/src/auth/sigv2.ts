/**
 * Signature Version 2 presigned URLs (query `AWSAccessKeyId`, `Expires`, `Signature`), the form boto3 and aws
 * CLI v1 produce by default for `generate_presigned_url` / `aws s3 presign`; MinIO and Ceph RGW accept them too.
 * Only the query form is accepted: an `Authorization: AWS …` header stays refused (see parse-auth.ts).
 *
 * From "Signing and authenticating REST requests"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html#RESTAuthenticationQueryStringAuth):
 *
 *     StringToSign = HTTP-Verb + "\n" + Content-MD5 + "\n" + Content-Type + "\n" + Expires + "\n" +
 *                    CanonicalizedAmzHeaders + CanonicalizedResource
 *     Signature    = Base64(HMAC-SHA1(SecretAccessKey, UTF-8(StringToSign)))
 *
 * CanonicalizedAmzHeaders are the `x-amz-*` headers, lower-cased and sorted, repeats joined by `,`, one
 * `name:value\n` each. CanonicalizedResource is `/bucket/key` as sent (the bucket added for a virtual-hosted
 * request), then the sub-resources and `response-*` overrides present, sorted, values decoded. botocore moves the
 * signed `Content-Type`, `Content-MD5` and `x-amz-*` headers into the URL's query, so those are read from the
 * query when the request does not carry them as headers.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { S3Error } from '../s3-errors.ts';
import { canonicalUriCandidates, decodeQueryComponent, headerValue, splitRawUrl, type RawQueryPair } from './canonical.ts';
import { payloadForPresigned } from './payload-mode.ts';
import type { AuthRequest, AuthResult } from './types.ts';

/**
 * Query parameters that are part of the canonicalized resource: the sub-resources of the AWS page above and
 * botocore's `HmacV1Auth.QSAOfInterest` (what the clients that still presign with SigV2 sign).
 */
export const SIGV2_SUBRESOURCES: ReadonlySet<string> = new Set([
  'accelerate', 'acl', 'analytics', 'cors', 'defaultObjectAcl', 'delete', 'inventory', 'lifecycle', 'location', 'logging',
  'metrics', 'notification', 'object-lock', 'partNumber', 'policy', 'replication', 'requestPayment', 'restore', 'select',
  'select-type', 'storageClass', 'tagging', 'torrent', 'uploadId', 'uploads', 'versionId', 'versioning', 'versions', 'website',
  'response-content-type', 'response-content-language', 'response-expires', 'response-cache-control',
  'response-content-disposition', 'response-content-encoding',
]);

/** What the verifier needs besides the request. */
export interface SigV2Options {
  /** The secret of an access key, or undefined when the key is unknown. */
  secretOf(accessKeyId: string): string | undefined;
  /** The server clock, in epoch milliseconds. */
  now: number;
}

/** True when `query` asks for SigV2 query authentication. */
export function isPresignedV2(query: Map<string, string>): boolean {
  return query.has('AWSAccessKeyId') && query.has('Signature');
}

function hmacSha1(secret: string, data: string): Buffer {
  return createHmac('sha1', secret).update(data, 'utf8').digest();
}

/** Constant-time comparison of the expected 20-byte digest with the base64 the client sent. */
function signatureMatches(expected: Buffer, provided: string): boolean {
  const b = Buffer.from(provided, 'base64');
  const valid = b.length === expected.length;
  return timingSafeEqual(expected, valid ? b : Buffer.alloc(expected.length)) && valid;
}

/** `name:value\n` for every x-amz-* header (from the headers, else the query), sorted by name. */
function canonicalAmzHeaders(headers: Map<string, string | string[]>, pairs: RawQueryPair[]): string {
  const amz = new Map<string, string>();
  for (const [name, value] of headers) {
    if (name.startsWith('x-amz-')) amz.set(name, (Array.isArray(value) ? value : [value]).map((v) => v.trim()).join(','));
  }
  for (const p of pairs) {
    const name = decodeQueryComponent(p.name).toLowerCase();
    if (name.startsWith('x-amz-') && !amz.has(name)) amz.set(name, decodeQueryComponent(p.value, false).trim());
  }
  return [...amz.keys()].sort().map((n) => `${n}:${amz.get(n) ?? ''}\n`).join('');
}

/** The sub-resource part of the canonicalized resource (`?acl`, `?partNumber=1&uploadId=x`), or ''. */
function canonicalSubresources(pairs: RawQueryPair[]): string {
  const kept = pairs
    .filter((p) => SIGV2_SUBRESOURCES.has(p.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p) => (p.value === '' ? p.name : `${p.name}=${decodeQueryComponent(p.value, false)}`));
  return kept.length > 0 ? `?${kept.join('&')}` : '';
}

/** A standard header for the string to sign: the request's, else the query's copy (botocore), else ''. */
function standardHeader(headers: Map<string, string | string[]>, query: Map<string, string>, name: string): string {
  const h = headerValue(headers, name);
  if (h !== undefined) return h.trim();
  for (const [k, v] of query) if (k.toLowerCase() === name) return v.trim();
  return '';
}

/**
 * Verifies a SigV2 presigned request. Throws AccessDenied (missing or expired `Expires`), InvalidAccessKeyId or
 * SignatureDoesNotMatch (with the StringToSign, as S3 returns it); the body is read as sent (UNSIGNED-PAYLOAD).
 */
export function authenticatePresignedV2(
  req: AuthRequest,
  headers: Map<string, string | string[]>,
  pairs: RawQueryPair[],
  query: Map<string, string>,
  opts: SigV2Options,
): AuthResult {
  const accessKeyId = query.get('AWSAccessKeyId') ?? '';
  // A '+' in an unencoded base64 signature arrives as a space once the query is decoded.
  const provided = (query.get('Signature') ?? '').replace(/ /g, '+');
  const expires = query.get('Expires');
  if (expires === undefined) {
    throw new S3Error('AccessDenied', 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters');
  }
  if (!/^\d+$/.test(expires)) throw new S3Error('AccessDenied', `Invalid date (should be seconds since epoch): ${expires}`);
  const secret = opts.secretOf(accessKeyId);
  if (secret === undefined) throw new S3Error('InvalidAccessKeyId', undefined, { extra: { AWSAccessKeyId: accessKeyId } });
  const expiresAt = Number(expires) * 1000;
  if (opts.now > expiresAt) {
    throw new S3Error('AccessDenied', 'Request has expired', {
      extra: { Expires: new Date(expiresAt).toISOString(), ServerTime: new Date(opts.now).toISOString() },
    });
  }
  const head = [
    req.method.toUpperCase(),
    standardHeader(headers, query, 'content-md5'),
    standardHeader(headers, query, 'content-type'),
    expires,
    '',
  ].join('\n');
  const amz = canonicalAmzHeaders(headers, pairs);
  const sub = canonicalSubresources(pairs);
  const bucketPrefix = req.virtualHostBucket !== undefined ? `/${req.virtualHostBucket}` : '';
  let first: string | undefined;
  for (const uri of canonicalUriCandidates(splitRawUrl(req.rawUrl).rawPath)) {
    const stringToSign = head + amz + bucketPrefix + uri + sub;
    if (signatureMatches(hmacSha1(secret, stringToSign), provided)) {
      return { accessKeyId, payload: payloadForPresigned('UNSIGNED-PAYLOAD'), presigned: true };
    }
    first ??= stringToSign;
  }
  const stringToSign = first ?? '';
  throw new S3Error('SignatureDoesNotMatch', undefined, {
    extra: {
      AWSAccessKeyId: accessKeyId,
      StringToSign: stringToSign,
      SignatureProvided: provided,
      StringToSignBytes: [...Buffer.from(stringToSign, 'utf8')].map((b) => b.toString(16).padStart(2, '0')).join(' '),
    },
  });
}
