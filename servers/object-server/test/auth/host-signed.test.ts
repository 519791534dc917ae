/**
 * `host` must be a signed header, in the Authorization header and in a presigned URL's X-Amz-SignedHeaders
 * ("The following headers are required in the signature calculations: the HTTP host header",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html). The canonical URI of a
 * virtual-hosted request holds only the key, so a signature that leaves the Host out would read the same key
 * of any bucket named in another Host. S3 answers 403 AccessDenied with `<HeadersNotSigned>host`.
 */
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers.ts';
import type { TestServer } from '../helpers.ts';
import { sdkSigner, send, xmlField } from './wire.ts';

let server: TestServer;
let s3: S3Client;

beforeAll(async () => {
  server = await startServer();
  s3 = server.client();
  for (const Bucket of ['mine', 'victim']) {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: `${Bucket}'s object` }));
  }
});
afterAll(async () => server?.close());

/** A GET of `/k` on `mine`, virtual-hosted, signed by the SDK's signer; `signHost` false leaves Host out. */
async function signedGet(signHost: boolean, presign: boolean) {
  const signer = await sdkSigner(s3);
  const host = `mine.localhost:${server.port}`;
  // A presigned request's x-amz-content-sha256 is hoisted into the query, as getSignedUrl does.
  const headers = { host, 'x-foo': 'bar', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
  const request = { method: 'GET', protocol: 'http:', hostname: 'mine.localhost', port: server.port, path: '/k', query: {}, headers };
  const options = { unsignableHeaders: new Set(signHost ? [] : ['host']) };
  const signed = presign ? await signer.presign(request, options) : await signer.sign(request, options);
  const query = new URLSearchParams(signed.query as Record<string, string>).toString().replace(/\+/g, '%20');
  return { path: query === '' ? '/k' : `/k?${query}`, headers: signed.headers as Record<string, string> };
}

describe('a signature without host', () => {
  it('in the Authorization header is refused, whatever bucket the Host names', async () => {
    const { path, headers } = await signedGet(false, false);
    expect(headers.authorization).toContain('SignedHeaders=x-amz-content-sha256;x-amz-date;x-foo,');
    for (const host of [`victim.localhost:${server.port}`, `mine.localhost:${server.port}`]) {
      const res = await send(server.port, { method: 'GET', path, headers: { ...headers, host } });
      expect(res.status, res.text).toBe(403);
      expect([xmlField(res.text, 'Code'), xmlField(res.text, 'HeadersNotSigned')]).toEqual(['AccessDenied', 'host']);
    }
  });

  it('in a presigned URL (X-Amz-SignedHeaders=x-foo) is refused', async () => {
    const { path, headers } = await signedGet(false, true);
    expect(path).toContain('X-Amz-SignedHeaders=x-foo&');
    const res = await send(server.port, { method: 'GET', path, headers: { ...headers, host: `victim.localhost:${server.port}` } });
    expect(res.status, res.text).toBe(403);
    expect([xmlField(res.text, 'Code'), xmlField(res.text, 'HeadersNotSigned')]).toEqual(['AccessDenied', 'host']);
  });
});

describe('a signature with host', () => {
  it('reads the signed bucket, and another Host fails the signature', async () => {
    for (const presign of [false, true]) {
      const { path, headers } = await signedGet(true, presign);
      const ok = await send(server.port, { method: 'GET', path, headers });
      expect([ok.status, ok.text]).toEqual([200, "mine's object"]);
      const moved = await send(server.port, { method: 'GET', path, headers: { ...headers, host: `victim.localhost:${server.port}` } });
      expect(xmlField(moved.text, 'Code')).toBe('SignatureDoesNotMatch');
    }
  });
});
