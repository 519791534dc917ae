/**
 * Per-bucket CORS through the SDK (put/get/delete) and a browser's view with fetch: preflight answers and
 * Access-Control-* headers on actual requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, DeleteBucketCorsCommand, GetBucketCorsCommand, GetObjectCommand, PutBucketCorsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

let server: TestServer;
let s3: S3Client;
const Bucket = 'cors';

beforeAll(async () => {
  server = await startServer();
  s3 = server.client();
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'page', Body: 'x' }));
});
afterAll(async () => {
  await server.close();
});

const preflight = (origin: string, method: string, headers?: string) =>
  fetch(`${server.endpoint}/${Bucket}/page`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, ...(headers ? { 'access-control-request-headers': headers } : {}) },
  });

describe('CORS', () => {
  it('stores, returns and deletes a configuration', async () => {
    await s3.send(
      new PutBucketCorsCommand({
        Bucket,
        CORSConfiguration: {
          CORSRules: [{ AllowedOrigins: ['https://*.example.com'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['x-amz-*', 'content-type'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 600 }],
        },
      }),
    );
    const got = await s3.send(new GetBucketCorsCommand({ Bucket }));
    expect(got.CORSRules?.[0]?.AllowedOrigins).toEqual(['https://*.example.com']);
    expect(got.CORSRules?.[0]?.MaxAgeSeconds).toBe(600);
  });
  it('answers an allowed preflight', async () => {
    const res = await preflight('https://app.example.com', 'PUT', 'Content-Type, X-Amz-Date');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, PUT');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type, x-amz-date');
    expect(res.headers.get('access-control-max-age')).toBe('600');
  });
  it('refuses a preflight no rule allows', async () => {
    expect((await preflight('https://evil.test', 'GET')).status).toBe(403);
    expect((await preflight('https://app.example.com', 'DELETE')).status).toBe(403);
    expect((await preflight('https://app.example.com', 'GET', 'x-custom')).status).toBe(403);
  });
  it('adds Access-Control-* to actual requests', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'page' }), { expiresIn: 60 });
    const res = await fetch(url, { headers: { origin: 'https://app.example.com' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-expose-headers')).toBe('ETag');
  });
  // S3 adds the rule's headers to error answers too, or a browser hides the error from the page.
  it('adds Access-Control-* to error answers of a matching origin', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'missing' }), { expiresIn: 60 });
    const missing = await fetch(url, { headers: { origin: 'https://app.example.com' } });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('<Code>NoSuchKey</Code>');
    expect(missing.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(missing.headers.get('access-control-expose-headers')).toBe('ETag');
    const unsigned = await fetch(`${server.endpoint}/${Bucket}/page`, { headers: { origin: 'https://app.example.com' } });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const tampered = await fetch(url.replace(/X-Amz-Signature=[0-9a-f]+/, `X-Amz-Signature=${'0'.repeat(64)}`), { headers: { origin: 'https://app.example.com' } });
    expect(tampered.status).toBe(403);
    expect(tampered.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const other = await fetch(url, { headers: { origin: 'https://evil.test' } });
    expect(other.status).toBe(404);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const noBucket = await fetch(`${server.endpoint}/no-such-bucket/x`, { headers: { origin: 'https://app.example.com' } });
    expect(noBucket.headers.get('access-control-allow-origin')).toBeNull();
  });
  it('deletes the configuration', async () => {
    await s3.send(new DeleteBucketCorsCommand({ Bucket }));
    await expect(s3.send(new GetBucketCorsCommand({ Bucket }))).rejects.toMatchObject({ name: 'NoSuchCORSConfiguration' });
    expect((await preflight('https://app.example.com', 'GET')).status).toBe(403);
  });
});
