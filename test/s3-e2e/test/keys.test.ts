/**
 * Keys over S3 beyond the contract suite (which runs the whole key corpus through the object server in
 * `contract-*.test.ts`, leaving out only keys above the adapter's `maxKeyBytes`):
 * - a key over S3's 1024 bytes (AWS "Object key naming guidelines") is refused with `InvalidKey` and no request
 *   reaches the server, where a key of exactly 1024 bytes is stored;
 * - an adapter `limit` above S3's page size (1000) is filled from several ListObjectsV2 pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyOfBytes } from '@strata/conformance';
import { readBytes } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { createS3Adapter, createS3Storage } from '@strata/s3';
import { TEST_CREDENTIALS, TEST_REGION, startFileBackedServer } from '../src/object-server.ts';
import type { RunningServer } from '../src/object-server.ts';

let server: RunningServer;
let storage: Storage;

beforeAll(async () => {
  server = await startFileBackedServer('keys');
  storage = createS3Storage({ endpoint: server.endpoint, region: TEST_REGION, bucket: 'keys', credentials: TEST_CREDENTIALS });
}, 60_000);
afterAll(async () => {
  await storage?.close();
  await server?.close();
});

describe('keys over S3', () => {
  it('a 1025-byte key is refused before any request; a 1024-byte key is stored', async () => {
    server.requests.length = 0;
    await expect(storage.put(keyOfBytes(1025), 'x')).rejects.toMatchObject({ code: 'InvalidKey', op: 'put' });
    await expect(storage.get('\u00e9'.repeat(513))).rejects.toMatchObject({ code: 'InvalidKey', op: 'get' });
    expect(server.requests).toEqual([]);
    const key = keyOfBytes(1024);
    await storage.put(key, 'at the limit');
    expect((await readBytes(await storage.get(key))).toString()).toBe('at the limit');
  });

  // The front wrapper caps `limit` at 1000; the adapter alone accepts more and must still page exactly.
  it('an adapter limit above S3 page size (1000) is filled from several S3 pages', async () => {
    const many = Array.from({ length: 1005 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    await Promise.all(Array.from({ length: 8 }, async (_, w) => {
      for (let i = w; i < many.length; i += 8) await storage.put(many[i] as string, '');
    }));
    const adapter = createS3Adapter({ endpoint: server.endpoint, region: TEST_REGION, bucket: 'keys', credentials: TEST_CREDENTIALS });
    server.requests.length = 0;
    const page = await adapter.list({ prefix: 'many/', limit: 1003 });
    expect(page.items.map((i) => i.key)).toEqual(many.slice(0, 1003));
    expect(page.cursor).toBeTypeOf('string');
    expect(server.requests).toHaveLength(2);
    const rest = await adapter.list({ prefix: 'many/', limit: 1003, cursor: page.cursor });
    expect(rest.items.map((i) => i.key)).toEqual(many.slice(1003));
    expect(rest.cursor).toBeUndefined();
    await adapter.close();
  }, 60_000);
});
