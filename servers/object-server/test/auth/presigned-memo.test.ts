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

  it('can be turned off', () => {
    const { auth, req } = setup(0);
    auth.authenticate(req);
    auth.authenticate(req);
    expect(auth.presignedMemoHits).toBe(0);
  });
});
