/**
 * Cross-check against AWS's own signers: `@smithy/signature-v4` (the signer inside aws-sdk-js-v3) signing
 * random requests with awkward keys, queries and headers, in the header and presigned forms; and the real
 * `@aws-sdk/client-s3` / `getSignedUrl`, whose final wire requests are captured by a request handler and
 * authenticated. Every signed request must be accepted, every tampered one refused.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { createAuthenticator, createPayloadDecoder, uriEncode, type AuthRequest } from '../../src/auth/index.ts';
import { runThrough, s3ErrorOf } from './helpers.ts';

const CREDS = { accessKeyId: 'AK+/=id', secretAccessKey: 'se cret/+=%~&' };
const REGION = 'eu-central-1';
const NOW = Date.UTC(2025, 0, 15, 12, 30, 0);

/** node:crypto in the shape of `@aws-crypto/sha256-js`, which the smithy signer takes. */
class NodeSha256 {
  readonly #secret: string | Uint8Array | undefined;
  #h: Hash | Hmac;
  constructor(secret?: string | ArrayBufferView | ArrayBuffer) {
    this.#secret = secret === undefined ? undefined : typeof secret === 'string' ? secret : new Uint8Array(ArrayBuffer.isView(secret) ? secret.buffer.slice(secret.byteOffset, secret.byteOffset + secret.byteLength) : secret);
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

/** A small deterministic PRNG (mulberry32) so a failure names a reproducible case. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AWKWARD = [...'aZ09.-_~ +%=&?#!*\'()/:@$,;[]é日🙂'];
function awkward(rand: () => number, min: number, max: number): string {
  const n = min + Math.floor(rand() * (max - min + 1));
  let s = '';
  for (let i = 0; i < n; i++) s += AWKWARD[Math.floor(rand() * AWKWARD.length)];
  return s;
}

/** The query string as the SDK's node handler writes it (`@smithy/querystring-builder`). */
function queryString(query: Record<string, string | string[] | null | undefined>): string {
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    if (value === null || value === undefined) parts.push(uriEncode(key));
    else if (Array.isArray(value)) for (const v of value) parts.push(`${uriEncode(key)}=${uriEncode(v)}`);
    else parts.push(`${uriEncode(key)}=${uriEncode(value)}`);
  }
  return parts.join('&');
}

interface WireRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null | undefined>;
  headers: Record<string, string>;
}
function toAuthRequest(r: WireRequest): AuthRequest {
  const q = queryString(r.query ?? {});
  return { method: r.method, rawUrl: q === '' ? r.path : `${r.path}?${q}`, headers: r.headers };
}

const authenticator = createAuthenticator({ credentials: [CREDS], now: () => NOW });
const signer = new SignatureV4({ credentials: CREDS, region: REGION, service: 's3', sha256: NodeSha256, uriEscapePath: false });

describe('@smithy/signature-v4: random awkward requests', () => {
  it('accepts 150 header-signed and 150 presigned requests and refuses each tampered variant', async () => {
    const rand = prng(20250115);
    for (let i = 0; i < 150; i++) {
      const key = awkward(rand, 1, 24);
      const path = `/bucket-${i}/` + key.split('/').map(uriEncode).join('/');
      const query: Record<string, string> = {};
      for (let q = Math.floor(rand() * 4); q > 0; q--) query[awkward(rand, 1, 6)] = awkward(rand, 0, 8);
      const meta = `  ${awkward(rand, 1, 10).replace(/[^\x20-\x7e]/g, 'x')}   end `;
      const request = {
        method: rand() < 0.5 ? 'GET' : 'PUT',
        protocol: 'http:',
        hostname: 'localhost',
        port: 9000,
        path,
        query,
        headers: { host: 'localhost:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-meta-note': meta },
      };
      const signed = (await signer.sign(request, { signingDate: new Date(NOW) })) as WireRequest;
      const wire = toAuthRequest({ ...signed, method: request.method });
      const label = `case ${i}: ${wire.rawUrl}`;
      expect(authenticator.authenticate(wire).accessKeyId, label).toBe(CREDS.accessKeyId);
      const tampered: AuthRequest[] = [
        { ...wire, rawUrl: wire.rawUrl.replace(`/bucket-${i}/`, `/bucket-${i}x/`) },
        { ...wire, headers: { ...wire.headers, 'x-amz-meta-note': meta + 'x' } },
        { ...wire, rawUrl: wire.rawUrl + (wire.rawUrl.includes('?') ? '&' : '?') + 'added=1' },
      ];
      for (const t of tampered) expect(s3ErrorOf(() => authenticator.authenticate(t)).code, label).toBe('SignatureDoesNotMatch');

      const presigned = (await signer.presign(
        { ...request, headers: { host: 'localhost:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
        { signingDate: new Date(NOW), expiresIn: 1 + Math.floor(rand() * 604_799) },
      )) as WireRequest;
      const pre = toAuthRequest({ ...presigned, method: request.method });
      const result = authenticator.authenticate(pre);
      expect(result.presigned, pre.rawUrl).toBe(true);
      expect(result.payload).toEqual({ kind: 'unsigned' });
      const badPre = { ...pre, rawUrl: pre.rawUrl.replace(`/bucket-${i}/`, `/bucket-${i}y/`) };
      expect(s3ErrorOf(() => authenticator.authenticate(badPre)).code).toBe('SignatureDoesNotMatch');
    }
  });

  it('accepts a client that signs the path and query exactly as it sends them (bare + ! $ and + for space)', async () => {
    // Such clients (s3cmd, hand-written signers) canonicalize what they put on the wire, unencoded characters
    // included; the AWS rule re-encodes them, so the authenticator's second candidate is what matches.
    const path = "/bucket/a+b!c$d'e(f)";
    const signed = (await signer.sign(
      { method: 'GET', protocol: 'http:', hostname: 'h', path, query: {}, headers: { host: 'h', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
      { signingDate: new Date(NOW) },
    )) as WireRequest;
    expect(authenticator.authenticate({ method: 'GET', rawUrl: path, headers: signed.headers }).accessKeyId).toBe(CREDS.accessKeyId);
    // '+' in a query value: the signer encoded a space as %20, the client wrote '+' on the wire.
    const q = (await signer.sign(
      { method: 'GET', protocol: 'http:', hostname: 'h', path: '/bucket', query: { prefix: 'a b' }, headers: { host: 'h', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
      { signingDate: new Date(NOW) },
    )) as WireRequest;
    expect(authenticator.authenticate({ method: 'GET', rawUrl: '/bucket?prefix=a+b', headers: q.headers }).accessKeyId).toBe(CREDS.accessKeyId);
  });
});

/** An S3 client whose request handler records the final wire request instead of sending it. */
function capturingClient(seen: WireRequest[], bodies: Buffer[]): S3Client {
  return new S3Client({
    endpoint: 'http://127.0.0.1:9000',
    forcePathStyle: true,
    region: REGION,
    credentials: CREDS,
    systemClockOffset: NOW - Date.now(),
    maxAttempts: 1,
    requestHandler: {
      async handle(req: WireRequest & { body?: unknown }) {
        seen.push({ method: req.method, path: req.path, query: req.query, headers: { ...req.headers } });
        const b = req.body;
        const chunks: Buffer[] = [];
        if (b instanceof Readable) for await (const c of b) chunks.push(Buffer.from(c as Uint8Array));
        else if (typeof b === 'string' || b instanceof Uint8Array) chunks.push(Buffer.from(b));
        bodies.push(Buffer.concat(chunks));
        return { response: { statusCode: 200, headers: {}, body: Readable.from([]) } };
      },
    },
  });
}

const KEYS = ['plain.txt', 'a b/c+d', '100%/sure', 'ключ/日本語 🙂', "it's (a) [test]!*", '~user/=&?#', 'dots/../..//x', 'x'.repeat(300)];

describe('@aws-sdk/client-s3 at default settings', () => {
  it('header-signed PutObject, GetObject (Range) and ListObjectsV2 with awkward keys are accepted', async () => {
    const seen: WireRequest[] = [];
    const bodies: Buffer[] = [];
    const client = capturingClient(seen, bodies);
    for (const key of KEYS) {
      await client.send(new PutObjectCommand({ Bucket: 'bkt', Key: key, Body: `body of ${key}`, Metadata: { note: 'two  spaces' } }));
      await client.send(new GetObjectCommand({ Bucket: 'bkt', Key: key, Range: 'bytes=0-3' }));
      await client.send(new ListObjectsV2Command({ Bucket: 'bkt', Prefix: key, StartAfter: key }));
    }
    expect(seen.length).toBe(KEYS.length * 3);
    for (const r of seen) {
      const wire = toAuthRequest(r);
      expect(authenticator.authenticate(wire).accessKeyId, wire.rawUrl).toBe(CREDS.accessKeyId);
    }
  });

  it('a streamed PutObject (aws-chunked with a trailing CRC32) decodes to the bytes sent, checksum in the trailer', async () => {
    const seen: WireRequest[] = [];
    const bodies: Buffer[] = [];
    const client = capturingClient(seen, bodies);
    const data = Buffer.alloc(200_000, 7);
    await client.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'streamed', Body: Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]), ContentLength: data.length }));
    const wire = toAuthRequest(seen[0]!);
    const result = authenticator.authenticate(wire);
    expect(result.payload.kind).toBe('streaming-unsigned-trailer');
    expect(wire.headers['x-amz-trailer']).toBe('x-amz-checksum-crc32');
    const decoder = createPayloadDecoder(result, wire.headers);
    const { output, error } = await runThrough(decoder.stream, bodies[0]!, 4096);
    expect(error).toBeUndefined();
    expect(output.equals(data)).toBe(true);
    const { crc32 } = await import('node:zlib');
    const expected = Buffer.alloc(4);
    expected.writeUInt32BE(crc32(data));
    expect(decoder.trailers()['x-amz-checksum-crc32']).toBe(expected.toString('base64'));
  });

  it('getSignedUrl GET and PUT URLs are accepted, and refused once expired', async () => {
    const client = capturingClient([], []);
    for (const key of KEYS) {
      for (const command of [new GetObjectCommand({ Bucket: 'bkt', Key: key }), new PutObjectCommand({ Bucket: 'bkt', Key: key })]) {
        const url = await getSignedUrl(client, command, { expiresIn: 3600, signingDate: new Date(NOW) });
        const rawUrl = url.replace(/^http:\/\/127\.0\.0\.1:9000/, '');
        const method = command instanceof GetObjectCommand ? 'GET' : 'PUT';
        const req = { method, rawUrl, headers: { host: '127.0.0.1:9000' } };
        expect(authenticator.authenticate(req).presigned, rawUrl).toBe(true);
        const late = createAuthenticator({ credentials: [CREDS], now: () => NOW + 3601_000 });
        expect(s3ErrorOf(() => late.authenticate(req)).message).toBe('Request has expired');
      }
    }
  });
});
