/**
 * The signed-header rule (src/auth/signed-headers.ts) through the authenticator, table-driven: every `x-amz-*`
 * header that changes what S3 does is refused unsigned in the Authorization header and in a presigned URL, and
 * accepted once signed; the few that only describe the body are accepted unsigned; the memo of verified
 * presigned URLs applies the same rule.
 */
import { describe, expect, it } from 'vitest';
import { createAuthenticator, presignUrl, signRequest, type AuthRequest } from '../../src/auth/index.ts';
import { s3ErrorOf } from './helpers.ts';

const credentials = { accessKeyId: 'rule-key', secretAccessKey: 'rule-secret' };
const NOW = Date.parse('2026-03-04T05:06:07Z');
const URL_ = 'http://127.0.0.1:9000/bucket/key';
const HOST = { host: '127.0.0.1:9000' };

/** Headers that change what a request does (S3 PutObject, CopyObject, UploadPartCopy, CreateMultipartUpload…). */
const CONTROL: Record<string, string> = {
  'x-amz-copy-source': 'other/secret',
  'x-amz-copy-source-range': 'bytes=0-9',
  'x-amz-copy-source-if-match': '"e"',
  'x-amz-metadata-directive': 'REPLACE',
  'x-amz-tagging-directive': 'REPLACE',
  'x-amz-tagging': 'a=b',
  'x-amz-meta-owner': 'mallory',
  'x-amz-acl': 'public-read',
  'x-amz-grant-read': 'uri=http://acs.amazonaws.com/groups/global/AllUsers',
  'x-amz-server-side-encryption': 'AES256',
  'x-amz-server-side-encryption-customer-key': 'a2V5',
  'x-amz-storage-class': 'GLACIER',
  'x-amz-website-redirect-location': 'https://evil.example',
  'x-amz-object-lock-mode': 'COMPLIANCE',
  'x-amz-object-lock-retain-until-date': '2099-01-01T00:00:00Z',
  'x-amz-object-lock-legal-hold': 'ON',
  'x-amz-checksum-algorithm': 'SHA256',
  'x-amz-checksum-type': 'FULL_OBJECT',
  'x-amz-checksum-mode': 'ENABLED',
  'x-amz-mp-object-size': '1',
  'x-amz-security-token': 'token',
  'x-amz-expected-bucket-owner': '111122223333',
  'x-amz-anything-new': '1',
};

/** Headers accepted unsigned: their values are covered, unused, or only assert facts about the body. */
const BODY_ONLY: Record<string, string> = {
  'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
  'x-amz-checksum-crc32': 'AAAAAA==',
  'x-amz-checksum-crc32c': 'AAAAAA==',
  'x-amz-checksum-crc64nvme': 'AAAAAAAAAAA=',
  'x-amz-checksum-sha1': '2jmj7l5rSw0yVb/vlWAYkK/YBwk=',
  'x-amz-checksum-sha256': '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
  'x-amz-sdk-checksum-algorithm': 'CRC32',
  'x-amz-trailer': 'x-amz-checksum-crc32',
  'x-amz-decoded-content-length': '0',
  'content-type': 'text/plain',
  'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==',
  'x-amzn-trace-id': 'Root=1-0',
};

const authenticator = () => createAuthenticator({ credentials: [credentials], now: () => NOW });

function presigned(signedHeaders: Record<string, string> = {}): AuthRequest {
  const url = presignUrl({ method: 'PUT', url: URL_, credentials, now: NOW, headers: signedHeaders });
  return { method: 'PUT', rawUrl: url.replace(/^http:\/\/[^/]+/, ''), headers: { ...HOST, ...signedHeaders } };
}

function headerSigned(signedHeaders: Record<string, string> = {}): AuthRequest {
  const signed = signRequest({ method: 'PUT', url: URL_, credentials, now: NOW, headers: signedHeaders });
  return { method: 'PUT', rawUrl: signed.rawUrl, headers: signed.headers };
}

const FORMS = { presigned, 'Authorization header': headerSigned };

describe.each(Object.entries(FORMS))('%s', (_form, make) => {
  it.each(Object.entries(CONTROL))('refuses %s unsigned and accepts it signed', (name, value) => {
    const unsigned = make();
    const err = s3ErrorOf(() => authenticator().authenticate({ ...unsigned, headers: { ...unsigned.headers, [name]: value } }));
    expect(err).toMatchObject({ code: 'AccessDenied', status: 403, message: 'There were headers present in the request which were not signed' });
    expect(err.extra).toEqual({ HeadersNotSigned: name });
    expect(authenticator().authenticate(make({ [name]: value })).accessKeyId).toBe(credentials.accessKeyId);
  });

  it('names every unsigned header, sorted, whatever case the caller used', () => {
    const req = make();
    const headers = { ...req.headers, 'X-Amz-Tagging': 'a=b', 'x-amz-acl': 'private', 'x-amz-meta-b': '1', 'x-amz-meta-a': '2' };
    expect(s3ErrorOf(() => authenticator().authenticate({ ...req, headers })).extra.HeadersNotSigned).toBe('x-amz-acl, x-amz-meta-a, x-amz-meta-b, x-amz-tagging');
  });

  it('accepts the headers that only describe the body unsigned', () => {
    const req = make();
    expect(authenticator().authenticate({ ...req, headers: { ...req.headers, ...BODY_ONLY } }).accessKeyId).toBe(credentials.accessKeyId);
  });
});

describe('host', () => {
  it('must be signed: a signature whose signed headers leave it out is refused before it is checked', () => {
    const header = headerSigned();
    const withoutHost = String(header.headers.authorization).replace('SignedHeaders=host;', 'SignedHeaders=');
    const err = s3ErrorOf(() => authenticator().authenticate({ ...header, headers: { ...header.headers, authorization: withoutHost } }));
    expect([err.code, err.extra.HeadersNotSigned]).toEqual(['AccessDenied', 'host']);
    const pre = presigned();
    const rawUrl = pre.rawUrl.replace('X-Amz-SignedHeaders=host', 'X-Amz-SignedHeaders=x-foo');
    const preErr = s3ErrorOf(() => authenticator().authenticate({ ...pre, rawUrl, headers: { ...pre.headers, 'x-foo': '1', 'x-amz-acl': 'private' } }));
    expect([preErr.code, preErr.extra.HeadersNotSigned]).toEqual(['AccessDenied', 'host, x-amz-acl']);
  });
});

describe('the presigned memo', () => {
  it('answers repeats but not a repeat with an unsigned x-amz-* header added', () => {
    const auth = authenticator();
    const req = presigned();
    auth.authenticate(req);
    auth.authenticate(req);
    expect(auth.presignedMemoHits).toBe(1);
    const err = s3ErrorOf(() => auth.authenticate({ ...req, headers: { ...req.headers, 'x-amz-copy-source': 'other/secret' } }));
    expect([err.code, err.extra.HeadersNotSigned]).toEqual(['AccessDenied', 'x-amz-copy-source']);
    expect(auth.presignedMemoHits).toBe(1);
    // Body-only headers keep the memo's answer.
    auth.authenticate({ ...req, headers: { ...req.headers, 'x-amz-checksum-crc32': 'AAAAAA==' } });
    expect(auth.presignedMemoHits).toBe(2);
  });
});
