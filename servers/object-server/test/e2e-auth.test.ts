/**
 * Authentication and integrity over a real socket: presigned URLs with plain fetch, and the negative cases —
 * wrong secret, unknown key, expired URL, bad checksum, bad Content-MD5, truncated body, anonymous access —
 * each answered with S3's error and nothing stored.
 */
import { createHmac } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client , S3ServiceException } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ACCESS_KEY, SECRET_KEY, startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

let server: TestServer;
let s3: S3Client;
const Bucket = 'auth';

beforeAll(async () => {
  server = await startServer();
  s3 = server.client();
  await s3.send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => {
  await server.close();
});

const absent = (key: string) => expect(server.storage.head(`${Bucket}/${key}`)).rejects.toMatchObject({ code: 'NotFound' });
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as S3ServiceException);

describe('presigned URLs', () => {
  it('PUT and GET with plain fetch', async () => {
    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'pre/signed' }), { expiresIn: 300 });
    const put = await fetch(putUrl, { method: 'PUT', body: 'via presigned url' });
    expect(put.status).toBe(200);
    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'pre/signed' }), { expiresIn: 300 });
    const get = await fetch(getUrl);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe('via presigned url');
  });
  // boto3 and aws CLI v1 presign with Signature Version 2 by default (query AWSAccessKeyId/Expires/Signature).
  it('PUT and GET with SigV2 presigned URLs, and refuses a tampered or expired one', async () => {
    const v2 = (method: string, key: string, expires: number, contentType = '') => {
      const sts = `${method}\n\n${contentType}\n${expires}\n/${Bucket}/${key}`;
      const sig = createHmac('sha1', SECRET_KEY).update(sts).digest('base64');
      return `${server.endpoint}/${Bucket}/${key}?AWSAccessKeyId=${ACCESS_KEY}&Expires=${expires}&Signature=${encodeURIComponent(sig)}`;
    };
    const soon = Math.floor(Date.now() / 1000) + 300;
    const put = await fetch(v2('PUT', 'v2/obj', soon, 'text/plain'), { method: 'PUT', body: 'via sigv2', headers: { 'content-type': 'text/plain' } });
    expect(put.status).toBe(200);
    const get = await fetch(v2('GET', 'v2/obj', soon));
    expect([get.status, await get.text(), get.headers.get('content-type')]).toEqual([200, 'via sigv2', 'text/plain']);
    const tampered = await fetch(v2('GET', 'v2/obj', soon).replace('/v2/obj?', '/v2/other?'));
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const expired = await fetch(v2('GET', 'v2/obj', Math.floor(Date.now() / 1000) - 10));
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
    const unsignedType = await fetch(v2('PUT', 'v2/typed', soon, 'text/plain'), { method: 'PUT', body: 'x', headers: { 'content-type': 'text/html' } });
    expect(unsignedType.status).toBe(403);
    await absent('v2/typed');
  });
  it('refuses an expired URL with AccessDenied', async () => {
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'pre/expired' }), { expiresIn: 60, signingDate: new Date(Date.now() - 3_600_000) });
    const res = await fetch(url, { method: 'PUT', body: 'late' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>AccessDenied</Code>');
    await absent('pre/expired');
  });
  it('refuses a tampered URL', async () => {
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'pre/tampered' }), { expiresIn: 60 });
    const res = await fetch(url.replace('pre/tampered', 'pre/other'), { method: 'PUT', body: 'x' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    await absent('pre/other');
  });
});

describe('signature failures', () => {
  it('wrong secret → SignatureDoesNotMatch', async () => {
    const bad = server.client({ credentials: { accessKeyId: 'test-access-key', secretAccessKey: 'wrong' } });
    const err = await failure(bad.send(new PutObjectCommand({ Bucket, Key: 'neg/secret', Body: 'x' })));
    expect(err?.name).toBe('SignatureDoesNotMatch');
    await absent('neg/secret');
  });
  it('unknown access key → InvalidAccessKeyId', async () => {
    const bad = server.client({ credentials: { accessKeyId: 'nobody', secretAccessKey: 'wrong' } });
    const err = await failure(bad.send(new PutObjectCommand({ Bucket, Key: 'neg/key', Body: 'x' })));
    expect(err?.name).toBe('InvalidAccessKeyId');
    await absent('neg/key');
  });
  it('anonymous request → AccessDenied', async () => {
    const res = await fetch(`${server.endpoint}/${Bucket}/anything`, { method: 'PUT', body: 'x' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>AccessDenied</Code>');
    await absent('anything');
  });
});

describe('integrity failures', () => {
  it('bad CRC32 → BadDigest', async () => {
    const err = await failure(s3.send(new PutObjectCommand({ Bucket, Key: 'neg/crc', Body: 'hello', ChecksumCRC32: 'AAAAAA==' })));
    expect(err?.name).toBe('BadDigest');
    await absent('neg/crc');
  });
  it('bad Content-MD5 → BadDigest', async () => {
    const err = await failure(s3.send(new PutObjectCommand({ Bucket, Key: 'neg/md5', Body: 'hello', ContentMD5: '1B2M2Y8AsgTpgAmY7PhCfg==' })));
    expect(err?.name).toBe('BadDigest');
    await absent('neg/md5');
  });
  it('truncated body stores nothing', async () => {
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'neg/truncated' }), { expiresIn: 60 });
    const path = url.slice(server.endpoint.length);
    await new Promise<void>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => {
        socket.write(`PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Length: 100\r\n\r\n${'x'.repeat(50)}`);
        setTimeout(() => socket.destroy(), 100);
      });
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    await new Promise((r) => setTimeout(r, 100));
    await absent('neg/truncated');
    // The server is still healthy afterwards.
    await s3.send(new PutObjectCommand({ Bucket, Key: 'neg/after', Body: 'fine' }));
  });
  it('invalid bucket names → InvalidBucketName', async () => {
    for (const name of ['ab', 'UPPER', 'under_score', '-dash', 'a..b', '10.0.0.1', 'xn--punycode', 'name-s3alias']) {
      const err = await failure(s3.send(new CreateBucketCommand({ Bucket: name })));
      expect(err?.$metadata.httpStatusCode, name).toBe(400);
    }
  });
});
