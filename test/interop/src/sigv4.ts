/**
 * A small, independent Signature V4 signer for raw requests in the negative interop tests. It is written from
 * AWS's pages, not from the server's code, so a shared misreading cannot make both sides agree:
 * - header auth: https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 * - signed aws-chunked bodies: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 * - unsigned chunks with trailers: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
 * - presigned URLs: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 *
 * S3 signs the path exactly as sent (no normalization of `.`/`..` segments, no double encoding), which is
 * what lets the traversal tests send `/bucket/../../etc/passwd` verbatim.
 */
import { createHash, createHmac } from 'node:crypto';

/** Who signs and for which region. */
export interface SignerCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** A request to sign: `path` is sent and signed verbatim (already percent-encoded by the caller). */
export interface RawRequest {
  method: string;
  host: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** The payload hash header value: a hex SHA-256, `UNSIGNED-PAYLOAD` or a `STREAMING-…` mode. */
  payloadHash: string;
  /** Signing time (defaults to now). */
  date?: Date;
}

/** The signed request: the full path with query, and every header to send. */
export interface SignedRequest {
  path: string;
  headers: Record<string, string>;
  /** The seed signature (the previous-signature of the first chunk of a signed aws-chunked body). */
  signature: string;
  amzDate: string;
  scope: string;
  signingKey: Buffer;
}

export const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const EMPTY_SHA256 = sha256Hex('');

/** RFC 3986 encoding of a query name or value, as SigV4 requires (`~` unescaped, space as %20). */
export const encodeRfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Encodes an S3 key for a path: every byte but unreserved characters and `/` percent-encoded. */
export const encodeKey = (key: string) => key.split('/').map(encodeRfc3986).join('/');

const amzDateOf = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

function canonicalQuery(query: Record<string, string>): string {
  return Object.entries(query)
    .map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function signingKeyOf(creds: SignerCredentials, day: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), creds.region), 's3'), 'aws4_request');
}

/** Signs `req` with an `Authorization` header. */
export function signRequest(creds: SignerCredentials, req: RawRequest): SignedRequest {
  const date = req.date ?? new Date();
  const amzDate = amzDateOf(date);
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${creds.region}/s3/aws4_request`;
  const headers: Record<string, string> = { ...req.headers, host: req.host, 'x-amz-date': amzDate, 'x-amz-content-sha256': req.payloadHash };
  const names = Object.keys(headers).map((h) => h.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, ' ')]));
  const query = canonicalQuery(req.query ?? {});
  const canonical = [req.method, req.path, query, names.map((n) => `${n}:${lower[n]}\n`).join(''), names.join(';'), req.payloadHash].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  const signingKey = signingKeyOf(creds, day);
  const signature = hmac(signingKey, stringToSign).toString('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return { path: query ? `${req.path}?${query}` : req.path, headers, signature, amzDate, scope, signingKey };
}

/** A presigned URL path (`path?X-Amz-…`) for `method` on `path`, valid `expires` seconds from `date`. */
export function presignPath(creds: SignerCredentials, method: string, host: string, path: string, expires: number, date = new Date()): string {
  const amzDate = amzDateOf(date);
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${creds.region}/s3/aws4_request`;
  const query = canonicalQuery({
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${creds.accessKeyId}/${scope}`,
    'X-Amz-Date': amzDate,
    'X-Amz-Expires': String(expires),
    'X-Amz-SignedHeaders': 'host',
  });
  const canonical = [method, path, query, `host:${host}\n`, 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  const signature = hmac(signingKeyOf(creds, day), stringToSign).toString('hex');
  return `${path}?${query}&X-Amz-Signature=${signature}`;
}

/**
 * Frames `data` as a signed aws-chunked body (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`), each chunk signed over
 * the previous signature, ending with the signed zero-length chunk. `chunkSize` bytes per chunk.
 */
export function signedChunks(signed: SignedRequest, data: Buffer, chunkSize: number): Buffer {
  const out: Buffer[] = [];
  let previous = signed.signature;
  for (let off = 0; ; off += chunkSize) {
    const chunk = data.subarray(off, Math.min(off + chunkSize, data.length));
    const toSign = ['AWS4-HMAC-SHA256-PAYLOAD', signed.amzDate, signed.scope, previous, EMPTY_SHA256, sha256Hex(chunk)].join('\n');
    previous = hmac(signed.signingKey, toSign).toString('hex');
    out.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`), chunk, Buffer.from('\r\n'));
    if (chunk.length === 0) break;
  }
  return Buffer.concat(out);
}

/** Frames `data` as unsigned aws-chunked chunks followed by `trailers` (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`). */
export function unsignedChunksWithTrailer(data: Buffer, chunkSize: number, trailers: Record<string, string>): Buffer {
  const out: Buffer[] = [];
  for (let off = 0; off < data.length; off += chunkSize) {
    const chunk = data.subarray(off, Math.min(off + chunkSize, data.length));
    out.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  out.push(Buffer.from(`0\r\n${Object.entries(trailers).map(([k, v]) => `${k}:${v}\r\n`).join('')}\r\n`));
  return Buffer.concat(out);
}
