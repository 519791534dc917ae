/**
 * The authenticator against the examples of the S3 documentation ("Signature Calculations for the
 * Authorization Header: Transferring Payload in a Single Chunk", "Authenticating Requests: Using Query
 * Parameters") and against every error S3 answers for a bad signature, time or header.
 */
import { describe, expect, it } from 'vitest';
import { createAuthenticator, deriveSigningKey, signaturesEqual } from '../../src/auth/index.ts';
import { canonicalHeaders, canonicalRequest, lowerCaseHeaders } from '../../src/auth/canonical.ts';
import { hmacHex, requestStringToSign } from '../../src/auth/signing.ts';
import { DOC_CREDENTIALS, DOC_TIME, docAuthenticator, s3ErrorOf } from './helpers.ts';

const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const HOST = 'examplebucket.s3.amazonaws.com';
const SCOPE = 'AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request';
const auth = (signed: string, signature: string) => `AWS4-HMAC-SHA256 Credential=${SCOPE}, SignedHeaders=${signed}, Signature=${signature}`;

interface DocExample {
  name: string;
  method: string;
  rawUrl: string;
  headers: Record<string, string>;
  signed: string;
  signature: string;
}

/** The S3 documentation's header-signed examples, exactly as published. */
const DOC_EXAMPLES: DocExample[] = [
  {
    name: 'GET Object (Range)',
    method: 'GET',
    rawUrl: '/test.txt',
    headers: { host: HOST, range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY, 'x-amz-date': '20130524T000000Z' },
    signed: 'host;range;x-amz-content-sha256;x-amz-date',
    signature: 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  },
  {
    name: 'PUT Object ($ in the key, Date header, storage class)',
    method: 'PUT',
    rawUrl: '/test%24file.text',
    headers: {
      host: HOST,
      date: 'Fri, 24 May 2013 00:00:00 GMT',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
    },
    signed: 'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
    signature: '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
  },
  {
    name: 'GET Bucket Lifecycle (a query name without value)',
    method: 'GET',
    rawUrl: '/?lifecycle',
    headers: { host: HOST, 'x-amz-content-sha256': EMPTY, 'x-amz-date': '20130524T000000Z' },
    signed: 'host;x-amz-content-sha256;x-amz-date',
    signature: 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
  },
  {
    name: 'GET Bucket (List Objects, unsorted query)',
    method: 'GET',
    rawUrl: '/?max-keys=2&prefix=J',
    headers: { host: HOST, 'x-amz-content-sha256': EMPTY, 'x-amz-date': '20130524T000000Z' },
    signed: 'host;x-amz-content-sha256;x-amz-date',
    signature: '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
  },
];

describe('Authorization header: the S3 documentation examples', () => {
  for (const ex of DOC_EXAMPLES) {
    it(`accepts ${ex.name}`, () => {
      const result = docAuthenticator().authenticate({
        method: ex.method,
        rawUrl: ex.rawUrl,
        headers: { ...ex.headers, authorization: auth(ex.signed, ex.signature) },
      });
      expect(result.accessKeyId).toBe(DOC_CREDENTIALS.accessKeyId);
      expect(result.presigned).toBe(false);
      expect(result.payload).toEqual({ kind: 'sha256', hex: ex.headers['x-amz-content-sha256'] });
    });

    it(`rejects ${ex.name} with one signed header changed`, () => {
      const headers = { ...ex.headers, host: 'other.example.com', authorization: auth(ex.signed, ex.signature) };
      const err = s3ErrorOf(() => docAuthenticator().authenticate({ method: ex.method, rawUrl: ex.rawUrl, headers }));
      expect(err.code).toBe('SignatureDoesNotMatch');
      expect(err.status).toBe(403);
      expect(err.extra.CanonicalRequest).toContain('host:other.example.com');
      expect(err.extra.StringToSign).toMatch(/^AWS4-HMAC-SHA256\n20130524T000000Z\n20130524\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/);
    });
  }

  it('rejects a changed method, path, query or signature', () => {
    const ex = DOC_EXAMPLES[3]!;
    const headers = { ...ex.headers, authorization: auth(ex.signed, ex.signature) };
    const a = docAuthenticator();
    for (const req of [
      { method: 'HEAD', rawUrl: ex.rawUrl, headers },
      { method: ex.method, rawUrl: '/?max-keys=3&prefix=J', headers },
      { method: ex.method, rawUrl: '/x?max-keys=2&prefix=J', headers },
      { method: ex.method, rawUrl: ex.rawUrl, headers: { ...headers, authorization: auth(ex.signed, ex.signature.replace(/^3/, '4')) } },
    ]) {
      expect(s3ErrorOf(() => a.authenticate(req)).code).toBe('SignatureDoesNotMatch');
    }
  });

  it('accepts header names in any case and the signature in upper case hex', () => {
    const ex = DOC_EXAMPLES[0]!;
    const headers = Object.fromEntries(Object.entries(ex.headers).map(([k, v]) => [k.toUpperCase(), v]));
    const result = docAuthenticator().authenticate({
      method: 'get',
      rawUrl: ex.rawUrl,
      headers: { ...headers, Authorization: auth(ex.signed, ex.signature.toUpperCase()) },
    });
    expect(result.accessKeyId).toBe(DOC_CREDENTIALS.accessKeyId);
  });
});

describe('Authorization header: errors', () => {
  const ex = DOC_EXAMPLES[0]!;
  const good: Record<string, string> = { ...ex.headers, authorization: auth(ex.signed, ex.signature) };
  const run = (headers: Record<string, string>, opts = {}) =>
    s3ErrorOf(() => docAuthenticator(opts).authenticate({ method: 'GET', rawUrl: ex.rawUrl, headers }));

  it('InvalidAccessKeyId for an unknown key', () => {
    const err = run({ ...good, authorization: auth(ex.signed, ex.signature).replace('AKIAIOSFODNN7EXAMPLE', 'NOSUCHKEY') });
    expect(err.code).toBe('InvalidAccessKeyId');
    expect(err.extra.AWSAccessKeyId).toBe('NOSUCHKEY');
  });

  it('SignatureDoesNotMatch with the wrong secret', () => {
    const a = createAuthenticator({ credentials: [{ ...DOC_CREDENTIALS, secretAccessKey: 'wrong' }], now: () => DOC_TIME });
    expect(s3ErrorOf(() => a.authenticate({ method: 'GET', rawUrl: ex.rawUrl, headers: good })).code).toBe('SignatureDoesNotMatch');
  });

  it('RequestTimeTooSkewed beyond 15 minutes either way, not within', () => {
    for (const delta of [15 * 60_000 + 1, -(15 * 60_000 + 1)]) {
      const err = run(good, { now: () => DOC_TIME + delta });
      expect(err.code).toBe('RequestTimeTooSkewed');
      expect(err.status).toBe(403);
      expect(err.extra.MaxAllowedSkewMilliseconds).toBe('900000');
    }
    const ok = docAuthenticator({ now: () => DOC_TIME + 15 * 60_000 }).authenticate({ method: 'GET', rawUrl: ex.rawUrl, headers: good });
    expect(ok.accessKeyId).toBe(DOC_CREDENTIALS.accessKeyId);
    expect(run(good, { now: () => DOC_TIME + 1001, clockSkewMs: 1000 }).code).toBe('RequestTimeTooSkewed');
  });

  it('InvalidRequest when x-amz-content-sha256 is missing, InvalidArgument when it is garbage', () => {
    const { 'x-amz-content-sha256': _, ...rest } = good;
    const missing = run(rest);
    expect(missing.code).toBe('InvalidRequest');
    expect(missing.message).toBe('Missing required header for this request: x-amz-content-sha256');
    expect(run({ ...good, 'x-amz-content-sha256': 'nope' }).code).toBe('InvalidArgument');
  });

  it('AccessDenied without a valid date', () => {
    const { 'x-amz-date': _, ...rest } = good;
    expect(run(rest).code).toBe('AccessDenied');
    expect(run({ ...good, 'x-amz-date': '2013-05-24T00:00:00Z' }).code).toBe('AccessDenied');
    expect(run({ ...good, 'x-amz-date': '20130231T000000Z' }).code).toBe('AccessDenied');
  });

  it('AuthorizationHeaderMalformed for malformed headers and a scope date other than the request date', () => {
    const cases = [
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host',
      `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${ex.signature}`,
      auth(ex.signed, ex.signature).replace('/s3/', '/iam/'),
      auth(ex.signed, ex.signature).replace('aws4_request', 'aws5_request'),
      auth(ex.signed, ex.signature).replace('20130524', '2013052x'),
      auth(ex.signed, ex.signature).replace('20130524', '20130525'),
      auth('host;;x-amz-date', ex.signature),
      'AWS4-HMAC-SHA256 garbage',
    ];
    for (const a of cases) expect(run({ ...good, authorization: a }).code, a).toBe('AuthorizationHeaderMalformed');
  });

  it('refuses header-form Signature V2 and SigV4a by name, and unknown schemes (SigV2 presigned URLs: sigv2.test.ts)', () => {
    const v2 = run({ ...good, authorization: 'AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=' });
    expect(v2.code).toBe('InvalidRequest');
    expect(v2.message).toMatch(/Signature Version 2 is not supported/);
    expect(run({ ...good, authorization: 'AWS4-ECDSA-P256-SHA256 Credential=x' }).code).toBe('NotImplemented');
    expect(run({ ...good, authorization: 'Bearer abc' }).code).toBe('InvalidArgument');
  });

  it('InvalidArgument when both the header and the query carry a signature', () => {
    const err = s3ErrorOf(() =>
      docAuthenticator().authenticate({ method: 'GET', rawUrl: '/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256', headers: good }),
    );
    expect(err.code).toBe('InvalidArgument');
  });

  it('accepts any region in the scope by default, refuses another with strictRegion', () => {
    expect(docAuthenticator({ region: 'eu-west-1' }).authenticate({ method: 'GET', rawUrl: ex.rawUrl, headers: good }).accessKeyId).toBe(
      DOC_CREDENTIALS.accessKeyId,
    );
    const err = run(good, { region: 'eu-west-1', strictRegion: true });
    expect(err.code).toBe('AuthorizationHeaderMalformed');
    expect(err.extra.Region).toBe('eu-west-1');
  });
});

describe('Date instead of x-amz-date', () => {
  it('takes the time from Date and signs it in ISO 8601 basic form; skew is checked on it', () => {
    // "x-amz-date or Date" (sig-v4-header-based-auth.html): the string to sign carries 20130524T000000Z.
    const headers = { date: 'Fri, 24 May 2013 00:00:00 GMT', host: HOST, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    const signed = ['date', 'host', 'x-amz-content-sha256'];
    const canonical = canonicalRequest({
      method: 'GET',
      uri: '/b/k',
      query: '',
      headers: canonicalHeaders(lowerCaseHeaders(headers), signed),
      signedHeaders: signed,
      payloadHash: 'UNSIGNED-PAYLOAD',
    });
    const key = deriveSigningKey(DOC_CREDENTIALS.secretAccessKey, '20130524', 'us-east-1');
    const signature = hmacHex(key, requestStringToSign('20130524T000000Z', '20130524/us-east-1/s3/aws4_request', canonical));
    const req = { method: 'GET', rawUrl: '/b/k', headers: { ...headers, authorization: auth(signed.join(';'), signature) } };
    expect(docAuthenticator().authenticate(req).payload).toEqual({ kind: 'unsigned' });
    expect(s3ErrorOf(() => docAuthenticator({ now: () => DOC_TIME + 3_600_000 }).authenticate(req)).code).toBe('RequestTimeTooSkewed');
  });
});

describe('anonymous requests', () => {
  it('AccessDenied unless allowed; allowed ones are accessKeyId null', () => {
    const req = { method: 'GET', rawUrl: '/b/k', headers: { host: HOST } };
    const err = s3ErrorOf(() => docAuthenticator().authenticate(req));
    expect(err.code).toBe('AccessDenied');
    expect(err.status).toBe(403);
    const r = docAuthenticator({ allowAnonymous: true }).authenticate(req);
    expect(r).toEqual({ accessKeyId: null, payload: { kind: 'unsigned' }, presigned: false });
    const t = docAuthenticator({ allowAnonymous: true }).authenticate({
      ...req,
      headers: { ...req.headers, 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' },
    });
    expect(t.payload).toEqual({ kind: 'streaming-unsigned-trailer' });
  });
});

describe('factory validation', () => {
  it('names the bad option at once', () => {
    expect(() => createAuthenticator({ credentials: [{ accessKeyId: '', secretAccessKey: 'x' }] })).toThrow(/accessKeyId/);
    expect(() => createAuthenticator({ credentials: [DOC_CREDENTIALS, DOC_CREDENTIALS] })).toThrow(/duplicate/);
    expect(() => createAuthenticator({ credentials: [], clockSkewMs: -1 })).toThrow(/clockSkewMs/);
  });

  it('accepts several keys, each with its own secret', () => {
    const other = { accessKeyId: 'SECOND', secretAccessKey: 'other-secret' };
    const a = createAuthenticator({ credentials: [other, DOC_CREDENTIALS], now: () => DOC_TIME });
    const ex = DOC_EXAMPLES[0]!;
    expect(a.authenticate({ method: 'GET', rawUrl: ex.rawUrl, headers: { ...ex.headers, authorization: auth(ex.signed, ex.signature) } }).accessKeyId).toBe(
      'AKIAIOSFODNN7EXAMPLE',
    );
  });
});

describe('signaturesEqual (the constant-time comparison)', () => {
  const sig = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';
  it('holds for equal signatures, in either case', () => {
    expect(signaturesEqual(sig, sig)).toBe(true);
    expect(signaturesEqual(sig, sig.toUpperCase())).toBe(true);
  });
  it('fails for a last-byte difference, a short, long, empty or non-hex signature, without throwing', () => {
    for (const bad of [sig.slice(0, -1) + '0', sig.slice(0, 62), sig + '00', '', 'z'.repeat(64), '0'.repeat(64)]) {
      expect(signaturesEqual(sig, bad), bad).toBe(false);
    }
  });
});
