/**
 * Random requests signed by the AWS SDK's own SigV4 signer (`@smithy/signature-v4`, the signer inside
 * aws-sdk-js-v3), in the Authorization header or as presigned URLs, and their wire form as the authenticator
 * sees it (`AuthRequest`: method, raw URL, Node-style headers). The query is written as the SDK's node handler
 * writes it (`@smithy/querystring-builder`: names sorted, RFC 3986 encoding).
 */
import { createHash, createHmac } from 'node:crypto';
import type { Hash, Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { uriEncode } from '../../src/auth/index.ts';
import type { AuthRequest } from '../../src/auth/index.ts';

/** Credentials with characters that must be handled as bytes, not text. */
export const SIGNING_CREDENTIALS = { accessKeyId: 'FUZZ+/=KEY', secretAccessKey: 'fuzz secret/+=%~&' };
export const SIGNING_REGION = 'eu-west-3';
/** The signing time and the authenticator's clock. */
export const SIGNING_NOW = Date.UTC(2025, 2, 1, 12, 0, 0);
export const SIGNING_HOST = 'storage.test:9000';

/** node:crypto in the shape of `@aws-crypto/sha256-js`, which the smithy signer takes. */
class NodeSha256 {
  readonly #secret: string | Uint8Array | undefined;
  #h: Hash | Hmac;
  constructor(secret?: string | ArrayBufferView | ArrayBuffer) {
    this.#secret =
      secret === undefined
        ? undefined
        : typeof secret === 'string'
          ? secret
          : new Uint8Array(ArrayBuffer.isView(secret) ? secret.buffer.slice(secret.byteOffset, secret.byteOffset + secret.byteLength) : secret);
    this.#h = this.#make();
  }
  #make(): Hash | Hmac {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }
  update(data: Uint8Array): void {
    this.#h.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#h.digest());
  }
  reset(): void {
    this.#h = this.#make();
  }
}

const signer = new SignatureV4({ credentials: SIGNING_CREDENTIALS, region: SIGNING_REGION, service: 's3', sha256: NodeSha256, uriEscapePath: false });

/** A request before signing: what the client means to send. */
export interface RequestSpec {
  method: string;
  bucket: string;
  key: string;
  query: [string, string][];
  /** Headers to sign besides host (and, in header auth, x-amz-date and x-amz-content-sha256). */
  headers: [string, string][];
  /** `x-amz-content-sha256` of header auth. */
  payloadHash: string;
  /** Presigned URL lifetime in seconds. */
  expiresIn: number;
}

const awkwardText = fc.string({
  unit: fc.oneof(
    { arbitrary: fc.constantFrom(...'aZ09.-_~ +%=&?#!*\'()/:@$,;[]'), weight: 3 },
    { arbitrary: fc.constantFrom('é', '日', '🙂', '\u00a0', '\u2028'), weight: 1 },
  ),
  minLength: 1,
  maxLength: 16,
});

/** Header values a client signs: printable ASCII with inner runs of spaces (the canonical form collapses them). */
const signedValue = fc.stringMatching(/^[!-~]([ !-~]{0,20}[!-~])?$/);

const signedHeader: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(fc.stringMatching(/^[a-z0-9]{1,10}$/).map((n) => `x-amz-meta-${n}`), signedValue),
  fc.tuple(fc.constantFrom('x-amz-tagging', 'x-amz-acl', 'x-amz-storage-class', 'x-amz-server-side-encryption', 'content-type', 'content-md5', 'x-amz-copy-source', 'if-match'), signedValue),
);

/** Random requests: any method S3 has, awkward keys and query values, a few signed headers. */
export const requestSpec: fc.Arbitrary<RequestSpec> = fc.record({
  method: fc.constantFrom('GET', 'PUT', 'HEAD', 'DELETE', 'POST'),
  bucket: fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,20}$/),
  key: awkwardText,
  query: fc.uniqueArray(fc.tuple(fc.oneof(fc.constantFrom('uploadId', 'partNumber', 'tagging', 'prefix', 'versionId', 'x-id'), awkwardText), fc.oneof(fc.constant(''), awkwardText)), {
    maxLength: 3,
    selector: ([name]) => name,
  }),
  headers: fc.uniqueArray(signedHeader, { maxLength: 3, selector: ([name]) => name }),
  payloadHash: fc.oneof(
    fc.constantFrom('UNSIGNED-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER'),
    fc.uint8Array({ maxLength: 64 }).map((b) => createHash('sha256').update(b).digest('hex')),
  ),
  expiresIn: fc.integer({ min: 1, max: 604_800 }),
});

/** The path of a spec, each key segment RFC 3986 encoded, as the SDK sends it. */
function encodedPath(spec: RequestSpec): string {
  return `/${spec.bucket}/${spec.key.split('/').map(uriEncode).join('/')}`;
}

interface SmithyRequest {
  method: string;
  path: string;
  query: Record<string, string | string[] | null | undefined>;
  headers: Record<string, string>;
}

/** The raw URL the SDK's node handler writes for a signed request. */
function rawUrlOf(r: SmithyRequest): string {
  const parts: string[] = [];
  for (const name of Object.keys(r.query).sort()) {
    const value = r.query[name];
    if (value === null || value === undefined) parts.push(uriEncode(name));
    else if (Array.isArray(value)) for (const v of value) parts.push(`${uriEncode(name)}=${uriEncode(v)}`);
    else parts.push(`${uriEncode(name)}=${uriEncode(value)}`);
  }
  return parts.length === 0 ? r.path : `${r.path}?${parts.join('&')}`;
}

/** Node presents header names lower-cased. */
function nodeHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([n, v]) => [n.toLowerCase(), v]));
}

function smithyRequest(spec: RequestSpec, headers: Record<string, string>) {
  const [hostname, port] = SIGNING_HOST.split(':') as [string, string];
  return { method: spec.method, protocol: 'http:', hostname, port: Number(port), path: encodedPath(spec), query: Object.fromEntries(spec.query), headers };
}

/** The spec signed in the Authorization header, as the authenticator receives it. */
export async function signInHeader(spec: RequestSpec): Promise<AuthRequest> {
  const headers = { host: SIGNING_HOST, 'x-amz-content-sha256': spec.payloadHash, ...Object.fromEntries(spec.headers) };
  const signed = (await signer.sign(smithyRequest(spec, headers), { signingDate: new Date(SIGNING_NOW) })) as SmithyRequest;
  return { method: spec.method, rawUrl: rawUrlOf(signed), headers: nodeHeaders(signed.headers) };
}

/**
 * The spec as a presigned URL, with its headers signed (the SDK hoists x-amz-* headers into the query unless
 * told not to; here they stay headers, which the request must then carry).
 */
export async function presign(spec: RequestSpec): Promise<AuthRequest> {
  // As the S3 presigner does: the payload is unsigned, and the signer hoists that header into the query.
  const headers = { host: SIGNING_HOST, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...Object.fromEntries(spec.headers) };
  const unhoistableHeaders = new Set(spec.headers.map(([n]) => n));
  const signed = (await signer.presign(smithyRequest(spec, headers), { signingDate: new Date(SIGNING_NOW), expiresIn: spec.expiresIn, unhoistableHeaders })) as SmithyRequest;
  return { method: spec.method, rawUrl: rawUrlOf(signed), headers: nodeHeaders(signed.headers) };
}
