/**
 * withReadCache: hits answer without the inner storage, with the same conditions and ranges; every write
 * path invalidates; a read racing a write never caches the old bytes; the byte budget holds. The contract
 * suite over it runs in packages/conformance/test/layers-contract.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { BytesReadable, createMemoryStorage, ForwardingStorage, readBytes, readText, takeBytes, withMetrics, withReadCache } from '@strata/storage';
import type { GetOptions, GetResult, Storage } from '@strata/storage';

/** Counts the gets and heads reaching the inner storage. */
function counted(): { storage: Storage; reads: () => number } {
  const metered = withMetrics(createMemoryStorage());
  return { storage: metered, reads: () => metered.metrics.toJSON().operations.get.count + metered.metrics.toJSON().operations.head.count };
}

/** Holds each inner get's result until `release()`, to interleave a write with a read in flight. */
class GatedStorage extends ForwardingStorage {
  #gates: Array<() => void> = [];
  override async get(key: string, options?: GetOptions): Promise<GetResult> {
    const result = await super.get(key, options);
    await new Promise<void>((resolve) => this.#gates.push(resolve));
    return result;
  }
  release(): void {
    for (const open of this.#gates.splice(0)) open();
  }
  get waiting(): number {
    return this.#gates.length;
  }
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 1));
  expect(check()).toBe(true);
}

describe('withReadCache', () => {
  it('answers a repeated get and head from memory, bytes and info intact', async () => {
    const { storage, reads } = counted();
    const cache = withReadCache(storage);
    await cache.put('a', 'hello', { userMetadata: { k: 'v' } });
    expect(await readText(await cache.get('a'))).toBe('hello');
    const before = reads();
    const hit = await cache.get('a');
    expect(await readText(hit)).toBe('hello');
    expect((await cache.head('a')).userMetadata).toEqual({ k: 'v' });
    expect(reads()).toBe(before);
    expect(cache.cacheStats()).toMatchObject({ hits: 2, misses: 1, entries: 1 });
    expect(Object.isFrozen(hit.info) && Object.isFrozen(hit.info.userMetadata)).toBe(true);
  });

  it('evaluates conditions and ranges on a hit as the storage does', async () => {
    const cache = withReadCache(createMemoryStorage());
    const info = await cache.put('a', '0123456789');
    await readBytes(await cache.get('a'));
    await expect(cache.get('a', { ifNoneMatch: info.etag })).rejects.toMatchObject({ code: 'NotModified' });
    await expect(cache.get('a', { ifMatch: '"nope"' })).rejects.toMatchObject({ code: 'PreconditionFailed' });
    await expect(cache.head('a', { ifModifiedSince: new Date(Date.now() + 60_000) })).rejects.toMatchObject({ code: 'NotModified' });
    const r = await cache.get('a', { range: { start: 2, end: 4 } });
    expect(r.range).toEqual({ start: 2, end: 4 });
    expect(await readText(r)).toBe('234');
    expect(await readText(await cache.get('a', { range: { suffix: 3 } }))).toBe('789');
    await expect(cache.get('a', { range: { start: 10 } })).rejects.toMatchObject({ code: 'InvalidRange' });
    const aborted = AbortSignal.abort();
    await expect(cache.get('a', { signal: aborted })).rejects.toMatchObject({ code: 'Aborted' });
    expect(cache.cacheStats().misses).toBe(1);
  });

  it('drops a key on put, delete, deleteMany, copy onto it, setTags and multipart complete', async () => {
    const cache = withReadCache(createMemoryStorage({ minPartSize: 1 }));
    const warm = async (key: string) => readBytes(await cache.get(key));
    for (const k of ['p', 'd', 'm1', 'm2', 'c', 't', 'u']) await cache.put(k, `old-${k}`);
    for (const k of ['p', 'd', 'm1', 'm2', 'c', 't', 'u']) await warm(k);
    await cache.put('p', 'new-p');
    await cache.delete('d');
    await cache.deleteMany(['m1', 'm2']);
    await cache.copy('p', 'c');
    await cache.setTags('t', { a: 'b' });
    const up = await cache.startMultipart('u');
    const part = await cache.uploadPart('u', up.uploadId, 1, 'new-u');
    await cache.completeMultipart('u', up.uploadId, [{ partNumber: 1, etag: part.etag }]);
    expect(await readText(await cache.get('p'))).toBe('new-p');
    await expect(cache.get('d')).rejects.toMatchObject({ code: 'NotFound' });
    await expect(cache.head('m1')).rejects.toMatchObject({ code: 'NotFound' });
    await expect(cache.head('m2')).rejects.toMatchObject({ code: 'NotFound' });
    expect(await readText(await cache.get('c'))).toBe('new-p');
    expect((await cache.head('t')).tags).toEqual({ a: 'b' });
    expect(await readText(await cache.get('u'))).toBe('new-u');
  });

  it('never caches bytes read before a write that finished while the read was in flight', async () => {
    const gated = new GatedStorage(createMemoryStorage());
    const cache = withReadCache(gated);
    await cache.put('k', 'old');
    const slow = cache.get('k');
    await until(() => gated.waiting === 1);
    await cache.put('k', 'new');
    gated.release();
    expect(await readText(await slow)).toBe('old'); // that read began before the put: old bytes are right for it
    const next = cache.get('k');
    await until(() => gated.waiting === 1);
    gated.release();
    expect(await readText(await next)).toBe('new');
    expect(cache.cacheStats().misses).toBe(2);
    expect(await readText(await cache.get('k'))).toBe('new'); // now cached: a hit, no gate
  });

  it('keeps within its byte budget, evicting the least recently used, and never caches large objects', async () => {
    const cache = withReadCache(createMemoryStorage(), { maxBytes: 4 * 1024, maxObjectBytes: 1024 });
    const kb = Buffer.alloc(1000, 1);
    for (const k of ['a', 'b', 'c']) await cache.put(k, kb);
    for (const k of ['a', 'b', 'c']) await readBytes(await cache.get(k));
    await readBytes(await cache.get('a')); // a is now the most recently used
    await cache.put('d', kb);
    await readBytes(await cache.get('d')); // 4 × (1000 + overhead) > 4 KiB: b, the least recent, goes
    const stats = cache.cacheStats();
    expect(stats.bytes).toBeLessThanOrEqual(4 * 1024);
    const misses = stats.misses;
    await readBytes(await cache.get('a'));
    await readBytes(await cache.get('b'));
    expect(cache.cacheStats().misses).toBe(misses + 1);
    await cache.put('big', Buffer.alloc(2000, 2));
    const before = cache.cacheStats().misses;
    expect((await readBytes(await cache.get('big'))).length).toBe(2000);
    expect((await readBytes(await cache.get('big'))).length).toBe(2000);
    expect(cache.cacheStats().misses).toBe(before + 2); // read through both times: never cached
    expect(cache.cacheStats().entries).toBeLessThanOrEqual(3);
  });
});

describe('takeBytes', () => {
  it('hands over the bytes of an unread BytesReadable once, and nothing for other streams', async () => {
    const body = new BytesReadable(Buffer.from('abc'));
    expect(takeBytes(body)?.toString()).toBe('abc');
    expect(body.destroyed).toBe(true);
    expect(takeBytes(body)).toBeUndefined();
    const read = new BytesReadable(Buffer.from('xyz'));
    expect((await readBytes(read)).toString()).toBe('xyz');
    expect(takeBytes(read)).toBeUndefined();
    const storage = createMemoryStorage();
    await storage.put('k', 'v');
    const r = await storage.get('k');
    expect(r.body instanceof BytesReadable ? takeBytes(r.body)?.toString() : await readText(r)).toBe('v');
  });
});
