/**
 * PutObject with object lock settings needs proof of the body's integrity, over raw HTTP (the SDK always
 * sends a checksum): "The Content-MD5 or x-amz-sdk-checksum-algorithm header is required for any request to
 * upload an object with a retention period configured using Amazon S3 Object Lock"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html). Without one the PUT is 400
 * InvalidRequest and nothing is written.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ allowAnonymous: true });
});
afterAll(async () => {
  await server.close();
});

function send(method: string, path: string, headers: Record<string, string> = {}, body = ''): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('PutObject with object lock headers', () => {
  it('is InvalidRequest without Content-MD5 or a checksum, and accepted with Content-MD5', async () => {
    expect((await send('PUT', '/raw-lock', { 'x-amz-bucket-object-lock-enabled': 'true' })).status).toBe(200);
    const until = new Date(Date.now() + 86_400_000).toISOString();
    const lock = { 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': until };
    const refused = await send('PUT', '/raw-lock/k', lock, 'body');
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('<Code>InvalidRequest</Code>');
    expect((await send('GET', '/raw-lock/k')).status).toBe(404);
    const md5 = createHash('md5').update('body').digest('base64');
    expect((await send('PUT', '/raw-lock/k', { ...lock, 'content-md5': md5 }, 'body')).status).toBe(200);
    const retention = await send('GET', '/raw-lock/k?retention');
    expect(retention.text).toContain('<Mode>GOVERNANCE</Mode>');
  });

  it('a PUT without lock headers in a lock bucket without default retention needs no checksum', async () => {
    expect((await send('PUT', '/raw-lock-plain', { 'x-amz-bucket-object-lock-enabled': 'true' })).status).toBe(200);
    expect((await send('PUT', '/raw-lock-plain/k', {}, 'body')).status).toBe(200);
  });
});
