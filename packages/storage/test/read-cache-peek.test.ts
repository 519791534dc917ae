/**
 * `readCached`: a read cache's hit taken synchronously as bytes, answering what `get` would (conditions,
 * ranges, errors), and nothing on a miss or for a storage without a cache. Also the cache's eviction order:
 * a hit gives an entry a second chance over entries not read since.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStorage, hasErrorCode, readCached, withReadCache } from '../src/index.ts';

async function filled() {
  const cache = withReadCache(createMemoryStorage());
  await cache.put('k', 'hello world', { contentType: 'text/plain' });
  return cache;
}

describe('readCached', () => {
  it('is undefined on a miss and for a storage without a read cache', async () => {
    const cache = await filled();
    expect(readCached(cache, 'k')).toBeUndefined();
    expect(readCached(createMemoryStorage(), 'k')).toBeUndefined();
    expect(readCached(cache, 'absent')).toBeUndefined();
  });

  it('answers a hit with the frozen info shared by every hit, the bytes and a resolved range', async () => {
    const cache = await filled();
    await (await cache.get('k')).body.resume();
    const a = readCached(cache, 'k');
    const b = readCached(cache, 'k', { range: { start: 6 } });
    expect(a?.bytes.toString()).toBe('hello world');
    expect(Object.isFrozen(a?.info)).toBe(true);
    expect(b?.info).toBe(a?.info);
    expect(b?.bytes.toString()).toBe('world');
    expect(b?.range).toEqual({ start: 6, end: 10 });
    expect(cache.cacheStats().hits).toBe(2);
  });

  it('throws what get throws for conditions and ranges', async () => {
    const cache = await filled();
    const { info } = await cache.get('k');
    const expectCode = (fn: () => unknown, code: string) => {
      try {
        fn();
      } catch (e) {
        expect(hasErrorCode(e, code as never)).toBe(true);
        return;
      }
      throw new Error(`expected ${code}`);
    };
    expectCode(() => readCached(cache, 'k', { ifNoneMatch: info.etag }), 'NotModified');
    expectCode(() => readCached(cache, 'k', { ifMatch: '"nope"' }), 'PreconditionFailed');
    expectCode(() => readCached(cache, 'k', { range: { start: 50 } }), 'InvalidRange');
  });

  it('misses once the key is written through the cache', async () => {
    const cache = await filled();
    await (await cache.get('k')).body.resume();
    expect(readCached(cache, 'k')).toBeDefined();
    await cache.put('k', 'new');
    expect(readCached(cache, 'k')).toBeUndefined();
  });
});

describe('read cache eviction', () => {
  it('keeps an entry read since it was filled over an older one read since neither', async () => {
    // Room for two 1000-byte entries (each also counts a fixed overhead).
    const cache = withReadCache(createMemoryStorage(), { maxBytes: 2 * (1000 + 512) + 100 });
    for (const k of ['a', 'b', 'c']) await cache.put(k, Buffer.alloc(1000, k));
    const read = async (k: string) => (await cache.get(k)).body.resume();
    await read('a');
    await read('b');
    expect(readCached(cache, 'a')).toBeDefined(); // a is hit after b was filled
    await read('c'); // evicts b (not read since), not a
    expect(readCached(cache, 'a')).toBeDefined();
    expect(readCached(cache, 'b')).toBeUndefined();
    expect(readCached(cache, 'c')).toBeDefined();
  });
});
