/**
 * The memo of verified presigned URLs (src/auth/presigned-memo.ts): a repeat is answered from it, and
 * whatever the full check would refuse — an expired or not-yet-valid URL, another signed header value,
 * another method, a second auth mechanism — still gets the full check's error.
 */
import { describe, expect, it } from 'vitest';
import { createAuthenticator, presignUrl } from '../../src/auth/index.ts';
import { s3ErrorOf } from './helpers.ts';

const credentials = { accessKeyId: 'memo-key', secretAccessKey: 'memo-secret' };
const T0 = Date.parse('2026-01-02T03:04:05Z');

function setup(entries?: number) {
  let clock = T0;
  const auth = createAuthenticator({ credentials: [credentials], now: () => clock, ...(entries === undefined ? {} : { presignedMemoEntries: entries }) });
  const url = presignUrl({ method: 'GET', url: 'http://127.0.0.1:9000/b/k%20ü', credentials, expiresIn: 60, now: T0 });
  const rawUrl = url.replace(/^http:\/\/[^/]+/, '');
  const req = { method: 'GET', rawUrl, headers: { host: '127.0.0.1:9000' } };
  return { auth, req, setClock: (t: number) => (clock = t) };
}

describe('presigned memo', () => {
  it('answers a repeat of a verified URL from the memo, with the same result', () => {
    const { auth, req } = setup();
    const first = auth.authenticate(req);
    expect(auth.presignedMemoHits).toBe(0);
    expect(auth.authenticate({ ...req, headers: { ...req.headers } })).toEqual(first);
    expect(auth.presignedMemoHits).toBe(1);
  });

  it('still refuses a remembered URL once it has expired, and one presented too early', () => {
    const { auth, req, setClock } = setup();
    auth.authenticate(req);
    setClock(T0 + 61_000);
    expect(s3ErrorOf(() => auth.authenticate(req))).toMatchObject({ code: 'AccessDenied', message: 'Request has expired' });
    setClock(T0 - 16 * 60_000);
    expect(s3ErrorOf(() => auth.authenticate(req))).toMatchObject({ code: 'AccessDenied', message: 'Request is not valid yet' });
    expect(auth.presignedMemoHits).toBe(0);
  });

  it('does not answer for another host, another method, or with an Authorization header too', () => {
    const { auth, req } = setup();
    auth.authenticate(req);
    expect(s3ErrorOf(() => auth.authenticate({ ...req, headers: { host: 'evil:9000' } })).code).toBe('SignatureDoesNotMatch');
    expect(s3ErrorOf(() => auth.authenticate({ ...req, method: 'DELETE' })).code).toBe('SignatureDoesNotMatch');
    expect(s3ErrorOf(() => auth.authenticate({ ...req, headers: { ...req.headers, authorization: 'AWS4-HMAC-SHA256 x' } })).code).toBe('InvalidArgument');
    expect(auth.presignedMemoHits).toBe(0);
  });

  it('does not answer a URL that carries a remembered signature with another query', () => {
    const { auth, req } = setup();
    auth.authenticate(req);
    // The memo finds entries by signature; the whole URL must still match.
    const tampered = { ...req, rawUrl: req.rawUrl.replace('X-Amz-Expires=60', 'X-Amz-Expires=600') };
    expect(tampered.rawUrl).not.toBe(req.rawUrl);
    expect(s3ErrorOf(() => auth.authenticate(tampered)).code).toBe('SignatureDoesNotMatch');
    const extra = { ...req, rawUrl: `${req.rawUrl.split('?')[0]}?versionId=1&${req.rawUrl.split('?')[1]}` };
    expect(s3ErrorOf(() => auth.authenticate(extra)).code).toBe('SignatureDoesNotMatch');
    expect(auth.presignedMemoHits).toBe(0);
  });

  it('keeps a URL used since it was remembered over one that was not, when full', () => {
    const auth = createAuthenticator({ credentials: [credentials], now: () => T0, presignedMemoEntries: 2 });
    const reqFor = (key: string) => {
      const url = presignUrl({ method: 'GET', url: `http://127.0.0.1:9000/b/${key}`, credentials, expiresIn: 60, now: T0 });
      return { method: 'GET', rawUrl: url.replace(/^http:\/\/[^/]+/, ''), headers: { host: '127.0.0.1:9000' } };
    };
    const [one, two, three] = [reqFor('one'), reqFor('two'), reqFor('three')];
    auth.authenticate(one);
    auth.authenticate(two);
    auth.authenticate(one); // a hit: one gets a second chance
    expect(auth.presignedMemoHits).toBe(1);
    auth.authenticate(three); // full: evicts two, not one
    auth.authenticate(one);
    expect(auth.presignedMemoHits).toBe(2);
    auth.authenticate(two);
    expect(auth.presignedMemoHits).toBe(2);
  });

  it('can be turned off', () => {
    const { auth, req } = setup(0);
    auth.authenticate(req);
    auth.authenticate(req);
    expect(auth.presignedMemoHits).toBe(0);
  });
});
