/**
 * Presigned URLs: the S3 documentation's example ("Authenticating Requests: Using Query Parameters"),
 * `presignUrl` round trips with awkward keys, expiry, not-yet-valid, the 7-day limit and parameter errors.
 */
import { describe, expect, it } from 'vitest';
import { presignUrl, signRequest } from '../../src/auth/index.ts';
import { DOC_CREDENTIALS, DOC_TIME, docAuthenticator, s3ErrorOf } from './helpers.ts';

const DOC_SIGNATURE = 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
const DOC_QUERY =
  'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
  '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host';

/** Path and query of an absolute URL, as sent (WHATWG URL would resolve `..` segments). */
function rawUrlOf(url: string): string {
  return url.replace(/^https?:\/\/[^/]+/, '');
}

describe('the S3 documentation presigned GET', () => {
  const headers = { host: 'examplebucket.s3.amazonaws.com' };

  it('is accepted as published', () => {
    const r = docAuthenticator().authenticate({ method: 'GET', rawUrl: `/test.txt?${DOC_QUERY}&X-Amz-Signature=${DOC_SIGNATURE}`, headers });
    expect(r).toEqual({ accessKeyId: DOC_CREDENTIALS.accessKeyId, payload: { kind: 'unsigned' }, presigned: true });
  });

  it('is what presignUrl produces', () => {
    const url = presignUrl({
      method: 'GET',
      url: 'https://examplebucket.s3.amazonaws.com/test.txt',
      credentials: DOC_CREDENTIALS,
      region: 'us-east-1',
      expiresIn: 86400,
      now: DOC_TIME,
    });
    expect(url).toBe(`https://examplebucket.s3.amazonaws.com/test.txt?${DOC_QUERY}&X-Amz-Signature=${DOC_SIGNATURE}`);
  });

  it('is refused with another method, path or host, or a parameter changed', () => {
    const a = docAuthenticator();
    const good = `?${DOC_QUERY}&X-Amz-Signature=${DOC_SIGNATURE}`;
    for (const req of [
      { method: 'PUT', rawUrl: `/test.txt${good}`, headers },
      { method: 'GET', rawUrl: `/test.txu${good}`, headers },
      { method: 'GET', rawUrl: `/test.txt${good}`, headers: { host: 'evil.example.com' } },
      { method: 'GET', rawUrl: `/test.txt${good.replace('X-Amz-Expires=86400', 'X-Amz-Expires=86401')}`, headers },
      { method: 'GET', rawUrl: `/test.txt${good}&extra=1`, headers },
    ]) {
      expect(s3ErrorOf(() => a.authenticate(req)).code, req.rawUrl).toBe('SignatureDoesNotMatch');
    }
  });

  it('expires: AccessDenied "Request has expired" one second after X-Amz-Date + X-Amz-Expires', () => {
    const rawUrl = `/test.txt?${DOC_QUERY}&X-Amz-Signature=${DOC_SIGNATURE}`;
    expect(docAuthenticator({ now: () => DOC_TIME + 86_400_000 }).authenticate({ method: 'GET', rawUrl, headers }).presigned).toBe(true);
    const err = s3ErrorOf(() => docAuthenticator({ now: () => DOC_TIME + 86_401_000 }).authenticate({ method: 'GET', rawUrl, headers }));
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toBe('Request has expired');
    expect(err.extra['X-Amz-Expires']).toBe('86400');
  });

  it('is not valid yet when dated beyond the clock skew', () => {
    const rawUrl = `/test.txt?${DOC_QUERY}&X-Amz-Signature=${DOC_SIGNATURE}`;
    const err = s3ErrorOf(() => docAuthenticator({ now: () => DOC_TIME - 16 * 60_000 }).authenticate({ method: 'GET', rawUrl, headers }));
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toBe('Request is not valid yet');
  });
});

describe('presigned parameter errors', () => {
  const base = { method: 'GET', headers: { host: 'examplebucket.s3.amazonaws.com' } };
  const run = (query: string) => s3ErrorOf(() => docAuthenticator().authenticate({ ...base, rawUrl: `/test.txt?${query}` }));

  it('AuthorizationQueryParametersError for missing, over-long or malformed parameters', () => {
    const sig = `&X-Amz-Signature=${DOC_SIGNATURE}`;
    for (const q of [
      DOC_QUERY,
      DOC_QUERY.replace('X-Amz-Expires=86400', 'X-Amz-Expires=604801') + sig,
      DOC_QUERY.replace('X-Amz-Expires=86400', 'X-Amz-Expires=-1') + sig,
      DOC_QUERY.replace('X-Amz-Expires=86400', 'X-Amz-Expires=soon') + sig,
      DOC_QUERY.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512') + sig,
      DOC_QUERY.replace('X-Amz-Date=20130524T000000Z', 'X-Amz-Date=yesterday') + sig,
      DOC_QUERY.replace('X-Amz-Date=20130524T000000Z', 'X-Amz-Date=20130525T000000Z') + sig,
      DOC_QUERY.replace('%2Fs3%2F', '%2Fec2%2F') + sig,
    ]) {
      expect(run(q).code, q).toBe('AuthorizationQueryParametersError');
    }
  });

  it('InvalidAccessKeyId for an unknown key', () => {
    expect(run(DOC_QUERY.replace('AKIAIOSFODNN7EXAMPLE', 'NOBODY') + `&X-Amz-Signature=${DOC_SIGNATURE}`).code).toBe('InvalidAccessKeyId');
  });

  it('accepts exactly seven days', () => {
    const url = presignUrl({ method: 'GET', url: 'http://127.0.0.1:9000/b/k', credentials: DOC_CREDENTIALS, expiresIn: 604_800, now: DOC_TIME });
    const r = docAuthenticator({ now: () => DOC_TIME + 604_800_000 }).authenticate({ method: 'GET', rawUrl: rawUrlOf(url), headers: { host: '127.0.0.1:9000' } });
    expect(r.presigned).toBe(true);
    expect(() => presignUrl({ method: 'GET', url: 'http://h/b/k', credentials: DOC_CREDENTIALS, expiresIn: 604_801 })).toThrow(RangeError);
  });
});

describe('presignUrl and signRequest round trips', () => {
  const keys = [
    'plain.txt',
    'with space/and+plus',
    'percent%20literal',
    'unicode/ключ/日本語/🙂',
    "reserved !$&'()*,;=:@",
    'tilde~and-dots/../..//double//',
    'query?like#hash',
  ];
  for (const key of keys) {
    it(`presigned PUT of ${JSON.stringify(key)}`, () => {
      const path = '/bucket/' + key.split('/').map(encodeURIComponent).join('/');
      const url = presignUrl({ method: 'PUT', url: `http://localhost:9000${path}?x-id=PutObject`, credentials: DOC_CREDENTIALS, now: DOC_TIME, region: 'local' });
      const r = docAuthenticator().authenticate({ method: 'PUT', rawUrl: rawUrlOf(url), headers: { host: 'localhost:9000' } });
      expect(r.presigned).toBe(true);
      // The URL decodes back to the key: nothing was lost to encoding.
      expect(decodeURIComponent(rawUrlOf(url).split('?')[0]!)).toBe(decodeURIComponent(path));
    });

    it(`header-signed GET of ${JSON.stringify(key)} with an awkward query`, () => {
      const path = '/bucket/' + key.split('/').map(encodeURIComponent).join('/');
      const s = signRequest({
        method: 'GET',
        url: `http://localhost:9000${path}?prefix=${encodeURIComponent(key)}&list-type=2&empty=`,
        credentials: DOC_CREDENTIALS,
        now: DOC_TIME,
        headers: { 'x-amz-meta-note': '  spaced   out  ' },
      });
      const r = docAuthenticator().authenticate({ method: 'GET', rawUrl: s.rawUrl, headers: s.headers });
      expect(r.accessKeyId).toBe(DOC_CREDENTIALS.accessKeyId);
      const tampered = { ...s.headers, 'x-amz-meta-note': 'changed' };
      expect(s3ErrorOf(() => docAuthenticator().authenticate({ method: 'GET', rawUrl: s.rawUrl, headers: tampered })).code).toBe(
        'SignatureDoesNotMatch',
      );
    });
  }

  it('verifies a path sent with bare characters against the AWS-encoded form', () => {
    // Signed over the RFC 3986 form a%2Bb%21c; the client put '+' and '!' on the wire unencoded.
    const s = signRequest({ method: 'GET', url: 'http://h/bucket/a%2Bb%21c', credentials: DOC_CREDENTIALS, now: DOC_TIME });
    const r = docAuthenticator().authenticate({ method: 'GET', rawUrl: '/bucket/a+b!c', headers: s.headers });
    expect(r.accessKeyId).toBe(DOC_CREDENTIALS.accessKeyId);
  });
});
