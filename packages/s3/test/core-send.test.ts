/**
 * `S3Core.send` over a real socket, against a loopback HTTP server that records what it receives. A command
 * without middleware of its own goes to the SDK without send options (the SDK then builds none per request),
 * which a client made with `cacheMiddleware: true` answers from its cached handler, built once per command
 * class (Smithy `Client.send`). A command with its own middleware (verbatim headers, the response Date) must
 * never take that cached handler, or its headers would silently go missing.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Core } from '../src/index.ts';

describe('S3Core.send with a client that caches its middleware', () => {
  let server: Server;
  let client: S3Client;
  const received: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      received.push(req.headers);
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { etag: '"0123456789abcdef0123456789abcdef"', date: 'Mon, 07 Dec 2026 03:00:00 GMT', 'content-length': '0' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new S3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
      forcePathStyle: true,
      cacheMiddleware: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
  });

  afterAll(async () => {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends a command\'s own headers and reads the Date even after the same command class went without them', async () => {
    const core = new S3Core(client, 'b', '');
    const put = () => new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' });
    // Without middleware of its own: the client caches its handler for PutObjectCommand.
    await core.send(put(), { op: 'put', key: 'k', date: false });
    const out = await core.send<object>(put(), { op: 'put', key: 'k', headers: { expires: 'Tue, 08 Dec 2026 00:00:00 GMT' } });
    expect(received).toHaveLength(2);
    expect(received[0]?.expires).toBeUndefined();
    expect(received[1]?.expires).toBe('Tue, 08 Dec 2026 00:00:00 GMT');
    expect(out.$date?.toISOString()).toBe('2026-12-07T03:00:00.000Z');
  });
});
