/**
 * Unsigned `x-amz-*` headers are refused (403 AccessDenied, "There were headers present in the request which
 * were not signed", with a HeadersNotSigned element), as S3 does: "X-Amz-SignedHeaders … The following headers
 * are required in the signature calculations: the HTTP host header; any x-amz-* headers that you plan to add to
 * the request" (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html). Without the rule
 * the holder of a presigned PUT URL could add `x-amz-copy-source` and copy any object into the URL's key.
 *
 * Attacks go over a real socket with URLs from the real `getSignedUrl` and signatures from the SDK's signer;
 * each refused request must leave nothing behind. The headers clients do send unsigned (checksums of the
 * body, `x-amz-content-sha256`, `x-amz-date`) stay accepted.
 */
import { CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, ListPartsCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers.ts';
import type { TestServer } from '../helpers.ts';
import { pathOf, sdkSigner, send, xmlField } from './wire.ts';

let server: TestServer;
let s3: S3Client;
const SECRET = 'the private bytes';

beforeAll(async () => {
  server = await startServer();
  s3 = server.client();
  await s3.send(new CreateBucketCommand({ Bucket: 'private' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
  await s3.send(new PutObjectCommand({ Bucket: 'private', Key: 'secret.txt', Body: SECRET }));
});
afterAll(async () => server?.close());

const absent = (key: string) => expect(server.storage.head(`uploads/${key}`)).rejects.toMatchObject({ code: 'NotFound' });

/** Asserts S3's answer to unsigned headers, naming `names`. */
function expectHeadersNotSigned(res: { status: number; text: string }, names: string): void {
  expect(res.status, res.text).toBe(403);
  expect(xmlField(res.text, 'Code')).toBe('AccessDenied');
  expect(xmlField(res.text, 'Message')).toBe('There were headers present in the request which were not signed');
  expect(xmlField(res.text, 'HeadersNotSigned')).toBe(names);
}

const presignedPut = async (Key: string) => pathOf(await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'uploads', Key }), { expiresIn: 300 }));

describe('presigned URLs (X-Amz-SignedHeaders=host)', () => {
  it('a PUT URL with an added x-amz-copy-source does not copy another bucket’s object', async () => {
    const res = await send(server.port, { method: 'PUT', path: await presignedPut('stolen.txt'), headers: { 'x-amz-copy-source': 'private/secret.txt' } });
    expectHeadersNotSigned(res, 'x-amz-copy-source');
    await absent('stolen.txt');
  });

  it('an UploadPart URL with an added x-amz-copy-source does not become UploadPartCopy', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'uploads', Key: 'mp' }));
    const url = await getSignedUrl(s3, new UploadPartCommand({ Bucket: 'uploads', Key: 'mp', UploadId, PartNumber: 1 }), { expiresIn: 300 });
    const res = await send(server.port, { method: 'PUT', path: pathOf(url), headers: { 'x-amz-copy-source': '/private/secret.txt' } });
    expectHeadersNotSigned(res, 'x-amz-copy-source');
    const parts = await s3.send(new ListPartsCommand({ Bucket: 'uploads', Key: 'mp', UploadId }));
    expect(parts.Parts ?? []).toEqual([]);
    // The URL still does what it was signed for.
    const ok = await send(server.port, { method: 'PUT', path: pathOf(url), body: 'part one' });
    expect(ok.status, ok.text).toBe(200);
  });

  it('a PUT URL with added metadata, tagging, ACL or storage-class headers stores nothing', async () => {
    const cases: [string, Record<string, string>][] = [
      ['meta', { 'x-amz-meta-owner': 'mallory' }],
      ['tagged', { 'x-amz-tagging': 'public=yes' }],
      ['acl', { 'x-amz-acl': 'public-read' }],
      ['both', { 'x-amz-tagging': 'a=b', 'x-amz-meta-z': '1', 'x-amz-storage-class': 'GLACIER' }],
    ];
    for (const [key, headers] of cases) {
      const res = await send(server.port, { method: 'PUT', path: await presignedPut(key), headers, body: 'content' });
      expectHeadersNotSigned(res, Object.keys(headers).sort().join(', '));
      await absent(key);
    }
  });

  it('a PUT URL with signed metadata (unhoistable) works when the header is sent, and is refused without it', async () => {
    const command = new PutObjectCommand({ Bucket: 'uploads', Key: 'signed-meta', Metadata: { owner: 'alice' } });
    const url = pathOf(await getSignedUrl(s3, command, { expiresIn: 300, unhoistableHeaders: new Set(['x-amz-meta-owner']) }));
    expect(url).toContain('X-Amz-SignedHeaders=host%3Bx-amz-meta-owner');
    const bad = await send(server.port, { method: 'PUT', path: url, headers: { 'x-amz-meta-owner': 'mallory' }, body: 'x' });
    expect(xmlField(bad.text, 'Code')).toBe('SignatureDoesNotMatch');
    const ok = await send(server.port, { method: 'PUT', path: url, headers: { 'x-amz-meta-owner': 'alice' }, body: 'x' });
    expect(ok.status, ok.text).toBe(200);
    expect((await server.storage.head('uploads/signed-meta')).userMetadata).toEqual({ owner: 'alice' });
  });

  it('accepts what browsers and SDKs add unsigned: body checksums, x-amz-content-sha256, x-amz-date, Content-Type', async () => {
    const res = await send(server.port, {
      method: 'PUT',
      path: await presignedPut('browser.txt'),
      headers: {
        'content-type': 'text/plain',
        'x-amz-checksum-crc32': 'DUoRhQ==',
        'x-amz-sdk-checksum-algorithm': 'CRC32',
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
        'x-amz-date': '20250101T000000Z',
      },
      body: 'hello world',
    });
    expect(res.status, res.text).toBe(200);
    const info = await server.storage.head('uploads/browser.txt');
    expect([info.contentType, info.checksums?.crc32]).toEqual(['text/plain', 'DUoRhQ==']);
  });

  it('a repeated URL answered from the memo of verified URLs is refused all the same', async () => {
    const url = pathOf(await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'private', Key: 'secret.txt' }), { expiresIn: 300 }));
    for (let i = 0; i < 3; i++) expect((await send(server.port, { method: 'GET', path: url })).text).toBe(SECRET);
    const res = await send(server.port, { method: 'GET', path: url, headers: { 'x-amz-checksum-mode': 'ENABLED' } });
    expectHeadersNotSigned(res, 'x-amz-checksum-mode');
    const put = await presignedPut('memo.txt');
    expect((await send(server.port, { method: 'PUT', path: put, body: 'first' })).status).toBe(200);
    const copy = await send(server.port, { method: 'PUT', path: put, headers: { 'x-amz-copy-source': 'private/secret.txt' } });
    expectHeadersNotSigned(copy, 'x-amz-copy-source');
    expect((await server.storage.head('uploads/memo.txt')).size).toBe('first'.length);
  });
});

describe('Authorization header', () => {
  it('a header-signed UNSIGNED-PAYLOAD PUT replayed with an added x-amz-copy-source is refused', async () => {
    const signer = await sdkSigner(s3);
    const signed = await signer.sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: server.port,
      path: '/uploads/replayed',
      query: {},
      headers: { host: `127.0.0.1:${server.port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    const headers = signed.headers as Record<string, string>;
    expect(headers.authorization).toContain('SignedHeaders=host;x-amz-content-sha256;x-amz-date,');
    const copy = await send(server.port, { method: 'PUT', path: '/uploads/replayed', headers: { ...headers, 'x-amz-copy-source': 'private/secret.txt', 'x-amz-metadata-directive': 'COPY' } });
    expectHeadersNotSigned(copy, 'x-amz-copy-source, x-amz-metadata-directive');
    await absent('replayed');
    const ok = await send(server.port, { method: 'PUT', path: '/uploads/replayed', headers, body: 'as signed' });
    expect(ok.status, ok.text).toBe(200);
  });
});
