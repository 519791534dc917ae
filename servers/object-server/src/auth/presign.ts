/**
 * Client-side SigV4 signing, for the CLI (`strata presign`), tests and benchmarks that need signed requests
 * without the AWS SDK: presigned URLs ("Authenticating Requests: Using Query Parameters",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html) and Authorization headers
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html). Both produce exactly the
 * canonical form the authenticator checks first (path re-encoded per RFC 3986, sorted query).
 */
import { canonicalHeaders, canonicalQuery, canonicalRequest, canonicalUriCandidates, decodeQueryComponent, parseRawQuery, uriEncode } from './canonical.ts';
import { credentialScope, deriveSigningKey, hmacHex, requestStringToSign, toAmzDate } from './signing.ts';
import { ALGORITHM, CONTENT_SHA256, MAX_PRESIGNED_EXPIRES, type Credentials } from './types.ts';

/** Options of {@link presignUrl}. */
export interface PresignOptions {
  method: string;
  /** Absolute URL of the resource, e.g. `http://127.0.0.1:9000/bucket/key?versionId=x`. */
  url: string | URL;
  credentials: Credentials;
  /** @default 'us-east-1' */
  region?: string;
  /** Lifetime in seconds, 1..604800. @default 900 */
  expiresIn?: number;
  /** Signing time in epoch milliseconds. @default Date.now() */
  now?: number;
  /** Extra headers to sign (the request must then send them, same values). */
  headers?: Record<string, string>;
}

interface Target {
  /** `http:` or `https:`. */
  protocol: string;
  /** Host and port as they go into the Host header. */
  host: string;
  path: string;
  /** The raw query with its `?`, or ''. */
  search: string;
  pairs: { name: string; value: string }[];
}

/**
 * Splits an absolute URL by hand: WHATWG `URL` would resolve `.` and `..` segments, and S3 keys may contain
 * them (`a/../b` is a valid key, distinct from `b`). A `URL` object is taken from its (already resolved) href.
 */
function target(url: string | URL): Target {
  const href = typeof url === 'string' ? url : url.href;
  const m = /^(https?:)\/\/([^/?#]+)([^?#]*)(\?[^#]*)?/i.exec(href);
  if (m === null) throw new TypeError(`not an absolute http(s) URL: ${href}`);
  const [, protocol = 'http:', host = '', rawPath = '', search = ''] = m;
  // The re-encoded path is the canonical one; sending it as is makes the wire form and the signed form equal.
  const path = canonicalUriCandidates(rawPath)[0] ?? '/';
  return { protocol: protocol.toLowerCase(), host: host.toLowerCase(), path, search, pairs: parseRawQuery(search.slice(1)) };
}

function lowerCased(headers: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Returns a presigned URL for `method` on `url`, valid `expiresIn` seconds from `now`. */
export function presignUrl(opts: PresignOptions): string {
  const expiresIn = opts.expiresIn ?? 900;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_PRESIGNED_EXPIRES) {
    throw new RangeError(`presignUrl: expiresIn must be an integer in 1..${MAX_PRESIGNED_EXPIRES}`);
  }
  const region = opts.region ?? 'us-east-1';
  const t = target(opts.url);
  const amzDate = toAmzDate(opts.now ?? Date.now());
  const date = amzDate.slice(0, 8);
  const scope = credentialScope(date, region);
  const headers = lowerCased({ ...opts.headers, host: t.host });
  const signed = [...headers.keys()].sort();
  const params: [string, string][] = [
    ['X-Amz-Algorithm', ALGORITHM],
    ['X-Amz-Credential', `${opts.credentials.accessKeyId}/${scope}`],
    ['X-Amz-Date', amzDate],
    ['X-Amz-Expires', String(expiresIn)],
    ['X-Amz-SignedHeaders', signed.join(';')],
  ];
  const pairs = [...t.pairs, ...params.map(([n, v]) => ({ name: uriEncode(n), value: uriEncode(v) }))];
  const canonical = canonicalRequest({
    method: opts.method.toUpperCase(),
    uri: t.path,
    query: canonicalQuery(pairs),
    headers: canonicalHeaders(headers, signed),
    signedHeaders: signed,
    payloadHash: CONTENT_SHA256.unsigned,
  });
  const key = deriveSigningKey(opts.credentials.secretAccessKey, date, region);
  const signature = hmacHex(key, requestStringToSign(amzDate, scope, canonical));
  const query = [...pairs, { name: 'X-Amz-Signature', value: signature }]
    .map((p) => `${uriEncode(decodeQueryComponent(p.name))}=${uriEncode(decodeQueryComponent(p.value))}`)
    .join('&');
  return `${t.protocol}//${t.host}${t.path}?${query}`;
}

/** Options of {@link signRequest}. */
export interface SignRequestOptions {
  method: string;
  url: string | URL;
  credentials: Credentials;
  /** @default 'us-east-1' */
  region?: string;
  /** Headers to send and sign (`host`, `x-amz-date`, `x-amz-content-sha256` are added). */
  headers?: Record<string, string>;
  /** `x-amz-content-sha256`: a hex digest or one of the `CONTENT_SHA256` values. @default 'UNSIGNED-PAYLOAD' */
  payloadHash?: string;
  /** Signing time in epoch milliseconds. @default Date.now() */
  now?: number;
}

/** A request signed in the Authorization header, plus what a signed aws-chunked body needs to continue. */
export interface SignedRequest {
  /** The URL to request (path in canonical encoding). */
  url: string;
  /** The request's path and query, as `AuthRequest.rawUrl`. */
  rawUrl: string;
  /** Every header to send, `authorization` included, lower-case names. */
  headers: Record<string, string>;
  /** The request signature: the seed of an aws-chunked body. */
  signature: string;
  signingKey: Buffer;
  scope: string;
  amzDate: string;
}

/** Signs a request in the Authorization header (SigV4, all given headers signed). */
export function signRequest(opts: SignRequestOptions): SignedRequest {
  const region = opts.region ?? 'us-east-1';
  const t = target(opts.url);
  const amzDate = toAmzDate(opts.now ?? Date.now());
  const date = amzDate.slice(0, 8);
  const scope = credentialScope(date, region);
  const payloadHash = opts.payloadHash ?? CONTENT_SHA256.unsigned;
  const headers = lowerCased({ ...opts.headers, host: t.host, 'x-amz-date': amzDate, 'x-amz-content-sha256': payloadHash });
  const signed = [...headers.keys()].sort();
  const canonical = canonicalRequest({
    method: opts.method.toUpperCase(),
    uri: t.path,
    query: canonicalQuery(t.pairs),
    headers: canonicalHeaders(headers, signed),
    signedHeaders: signed,
    payloadHash,
  });
  const signingKey = deriveSigningKey(opts.credentials.secretAccessKey, date, region);
  const signature = hmacHex(signingKey, requestStringToSign(amzDate, scope, canonical));
  const out = Object.fromEntries(headers);
  out.authorization = `${ALGORITHM} Credential=${opts.credentials.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  const rawUrl = `${t.path}${t.search}`;
  return { url: `${t.protocol}//${t.host}${rawUrl}`, rawUrl, headers: out, signature, signingKey, scope, amzDate };
}
