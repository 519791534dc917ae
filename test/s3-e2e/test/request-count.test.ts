/**
 * No hidden requests (each costs a round trip the caller did not ask for): the server counts every HTTP request it receives. A small put is
 * ONE PutObject, a get is ONE GetObject (no HEAD first, conditions travel as headers), a known-length put
 * above the part size is still one request, and only an unknown-length stream goes multipart.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readBytes } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { createS3Storage } from '@strata/s3';
import { TEST_CREDENTIALS, TEST_REGION, startFileBackedServer } from '../src/object-server.ts';
import type { RunningServer } from '../src/object-server.ts';

const MiB = 1024 * 1024;
let server: RunningServer;
let storage: Storage;

beforeAll(async () => {
  server = await startFileBackedServer('count');
  storage = createS3Storage({ endpoint: server.endpoint, region: TEST_REGION, bucket: 'count', credentials: TEST_CREDENTIALS, partSize: 5 * MiB });
});
afterAll(async () => {
  await storage?.close();
  await server?.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

const SUB_RESOURCES = new Set(['uploads', 'uploadId', 'partNumber', 'delete', 'list-type', 'tagging']);

/** `METHOD sub-resources` of each request, e.g. `PUT`, `POST uploads`, `PUT partNumber&uploadId`. */
const seen = () =>
  server.requests.map((r) => {
    const q = new URL(r.url, 'http://x').searchParams;
    const sub = [...q.keys()].filter((k) => SUB_RESOURCES.has(k)).sort();
    return sub.length > 0 ? `${r.method} ${sub.join('&')}` : r.method;
  });

function* chunks(total: number, size = 256 * 1024): Generator<Buffer> {
  for (let sent = 0; sent < total; sent += size) yield Buffer.alloc(Math.min(size, total - sent), sent % 251);
}

describe('requests per operation', () => {
  it('a small put is one PutObject, with metadata, tags and checksums on that request', async () => {
    await storage.put('small', 'hello', { userMetadata: { a: 'b' }, tags: { t: '1' }, contentType: 'text/plain', checksumAlgorithms: ['crc32c'] });
    expect(seen()).toEqual(['PUT']);
  });

  it('a get is one GetObject: no HEAD before it, even with conditions and a range', async () => {
    const put = await storage.put('g', 'abcdefgh');
    server.requests.length = 0;
    const got = await storage.get('g', { ifMatch: put.etag, range: { start: 2, end: 4 } });
    expect((await readBytes(got.body)).toString()).toBe('cde');
    expect(seen()).toEqual(['GET']);
    expect(server.requests[0]?.range).toBe('bytes=2-4');
  });

  it('a failed read condition costs one request and no HEAD', async () => {
    await storage.put('c', 'x');
    server.requests.length = 0;
    await expect(storage.get('c', { ifNoneMatch: '*' })).rejects.toMatchObject({ code: 'NotModified' });
    await expect(storage.head('c', { ifMatch: '"nope"' })).rejects.toMatchObject({ code: 'PreconditionFailed' });
    expect(seen()).toEqual(['GET', 'HEAD']);
  });

  it('a known-length stream above the part size is still one PutObject', async () => {
    const size = 6 * MiB;
    const info = await storage.put('known', Readable.from(chunks(size)), { contentLength: size });
    expect(info.size).toBe(size);
    expect(info.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(seen()).toEqual(['PUT']);
  });

  it('an unknown-length stream above the part size goes multipart: create, parts, complete', async () => {
    const size = 11 * MiB;
    const info = await storage.put('unknown', Readable.from(chunks(size)));
    expect(info.size).toBe(size);
    expect(info.etag).toMatch(/-3$/);
    expect(seen()).toEqual(['POST uploads', 'PUT partNumber&uploadId', 'PUT partNumber&uploadId', 'PUT partNumber&uploadId', 'POST uploadId']);
  });

  it('an unknown-length stream that ends within the part size is one PutObject', async () => {
    await storage.put('short-stream', Readable.from(chunks(3 * MiB)));
    expect(seen()).toEqual(['PUT']);
  });

  it('deleteMany sends DeleteObjects in batches of 1000', async () => {
    const keys = Array.from({ length: 1001 }, (_, i) => `dm/${i}`);
    const results = await storage.deleteMany(keys);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(seen()).toEqual(['POST delete', 'POST delete']);
  });

  it('head, delete and list are one request each', async () => {
    await storage.put('h', 'x');
    server.requests.length = 0;
    await storage.head('h');
    await storage.list({ prefix: 'h' });
    await storage.delete('h');
    expect(seen()).toEqual(['HEAD', 'GET list-type', 'DELETE']);
  });
});
