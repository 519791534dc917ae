/**
 * Versioning and the rest of the server: a bucket that never had versioning reads exactly as before (one
 * storage call per GET, none for versions), and a restarted server keeps each bucket's versioning state and
 * finishes, before answering, a versioned change a crash interrupted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetBucketVersioningCommand, GetObjectCommand, ListObjectsV2Command, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createMemoryStorage } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A storage that records the name of every method called on it. */
function counting(inner: Storage): { storage: Storage; calls: string[] } {
  const calls: string[] = [];
  const storage = new Proxy(inner, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      return (...args: unknown[]) => {
        calls.push(name);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { storage, calls };
}

describe('a never-versioned bucket', () => {
  it('answers a GET with one storage get and nothing else', async () => {
    const { storage, calls } = counting(createMemoryStorage());
    const server = await startServer({ storage });
    servers.push(server);
    const s3 = server.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'plain' }));
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'k', Body: 'bytes' }));
    await (await s3.send(new GetObjectCommand({ Bucket: 'plain', Key: 'k' }))).Body?.transformToString();
    calls.length = 0;
    const got = await s3.send(new GetObjectCommand({ Bucket: 'plain', Key: 'k' }));
    expect(await got.Body?.transformToString()).toBe('bytes');
    expect(got.VersionId).toBeUndefined();
    expect(calls).toEqual(['get']);
  });
});

describe('a restarted server', () => {
  it('keeps versioning states and versions, and recovers an interrupted change before answering', async () => {
    const storage = createMemoryStorage();
    const first = await startServer({ storage });
    servers.push(first);
    const s3 = first.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'kept', VersioningConfiguration: { Status: 'Suspended' } }));
    const v = await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'k', Body: 'current' }));
    await first.app.close();
    // A crash after the index write and before the mirror: the plain object is gone, the intent is left.
    await storage.delete('kept/k');
    await storage.put('.strata/versions/kept/j/interrupted', JSON.stringify({ key: 'k', created: [], freed: [], hadIndex: true }));
    const second = await startServer({ storage });
    servers.push(second);
    const s3b = second.client();
    expect((await s3b.send(new GetBucketVersioningCommand({ Bucket: 'kept' }))).Status).toBe('Suspended');
    expect((await s3b.send(new ListObjectsV2Command({ Bucket: 'kept' }))).Contents?.map((c) => c.Key)).toEqual(['k']);
    const got = await s3b.send(new GetObjectCommand({ Bucket: 'kept', Key: 'k' }));
    expect([await got.Body?.transformToString(), got.VersionId]).toEqual(['current', v.VersionId]);
    expect((await storage.list({ prefix: '.strata/versions/kept/j/' })).items).toEqual([]);
  });
});
