/**
 * A presigned (unsigned-payload) PUT hands the request itself to storage as the body. When the storage gives up
 * mid-body (here: an adapter that fails after its first chunk), the request is detached from its socket before
 * it is destroyed, so the client still gets an S3 error answer rather than a reset connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { StorageError, createMemoryAdapter, createStorage } from '@strata/storage';
import type { PreparedBody, StorageAdapter } from '@strata/storage';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

let server: TestServer;
const Bucket = 'failing';

beforeAll(async () => {
  const inner = createMemoryAdapter();
  const adapter = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop !== 'put') {
        const v = Reflect.get(target, prop, receiver) as unknown;
        // Bound to the adapter itself: its private fields are not reachable through the proxy.
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      }
      return async (key: string, body: PreparedBody, options: unknown) => {
        if (!key.endsWith('/boom-me')) return (target.put as (k: string, b: PreparedBody, o: unknown) => Promise<unknown>).call(target, key, body, options);
        for await (const _ of body.stream) break; // one chunk, then the medium fails
        throw new StorageError('Unavailable', 'the medium failed');
      };
    },
  }) as StorageAdapter;
  server = await startServer({ storage: createStorage(adapter) });
  await server.client().send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => {
  // The failed upload's connection is left paused mid-body (as stream.pipeline left it); do not wait for it.
  server.app.server.closeAllConnections();
  await server.close();
});

describe('a storage failure in the middle of a presigned PUT', () => {
  it('is answered with an S3 error, and the server keeps serving', async () => {
    const s3 = server.client();
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'x/boom-me' }), { expiresIn: 60 });
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (sent++ === 160) return c.close();
        c.enqueue(new Uint8Array(64 * 1024));
        await new Promise((r) => setTimeout(r, 5));
      },
    });
    const ac = new AbortController();
    const res = await fetch(url, { method: 'PUT', body, duplex: 'half', signal: ac.signal, headers: { 'content-length': String(10 * 1024 * 1024) } } as RequestInit);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('<Code>');
    ac.abort(); // the rest of the upload is not needed
    await s3.send(new PutObjectCommand({ Bucket, Key: 'x/ok', Body: 'fine' }));
  });
});
