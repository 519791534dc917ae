/**
 * The authenticator over a live look-up: a key added after it was created signs at once, and a key removed
 * (deleted or made Inactive through IAM) signs nothing from then on — also a presigned URL the memo of verified
 * URLs already answered once (presigned-memo.ts), which must not outlive its key.
 */
import { describe, expect, it } from 'vitest';
import { createAuthenticator, presignUrl } from '../../src/auth/index.ts';
import { S3Error } from '../../src/s3-errors.ts';

describe('authenticator over a live key look-up', () => {
  it('honours keys added and removed after creation, presigned repeats included', () => {
    const keys = new Map<string, string>();
    const auth = createAuthenticator({ credentials: (id) => keys.get(id) });
    const credentials = { accessKeyId: 'LIVEKEY', secretAccessKey: 'live-secret' };
    const url = new URL(presignUrl({ method: 'GET', url: 'http://127.0.0.1:9000/b/k', credentials }));
    const req = { method: 'GET', rawUrl: url.pathname + url.search, headers: { host: '127.0.0.1:9000' } };
    const codeOf = () => {
      try {
        auth.authenticate(req);
        return 'ok';
      } catch (e) {
        return e instanceof S3Error ? e.code : String(e);
      }
    };
    expect(codeOf()).toBe('InvalidAccessKeyId');
    keys.set('LIVEKEY', 'live-secret');
    expect(codeOf()).toBe('ok');
    expect(codeOf()).toBe('ok'); // answered from the memo
    expect(auth.presignedMemoHits).toBeGreaterThan(0);
    keys.delete('LIVEKEY');
    expect(codeOf()).toBe('InvalidAccessKeyId');
  });

  it('accepts the iam scope only for requests marked as IAM ones', () => {
    const auth = createAuthenticator({ credentials: [{ accessKeyId: 'K', secretAccessKey: 'S' }] });
    const header = 'AWS4-HMAC-SHA256 Credential=K/20260101/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=00';
    const req = { method: 'POST', rawUrl: '/', headers: { host: 'h', 'x-amz-date': '20260101T000000Z', authorization: header } };
    const codeOf = (r: object) => {
      try {
        auth.authenticate(r as never);
        return 'ok';
      } catch (e) {
        return e instanceof S3Error ? `${e.code}: ${e.message}` : String(e);
      }
    };
    expect(codeOf(req)).toMatch(/^AuthorizationHeaderMalformed: .*incorrect service "iam"/);
    // Marked as IAM, the scope is accepted and the request gets as far as its date (the signature is a dummy).
    expect(codeOf({ ...req, service: 'iam', payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' })).toMatch(/^RequestTimeTooSkewed/);
  });
});
