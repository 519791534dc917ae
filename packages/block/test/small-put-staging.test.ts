/**
 * Small puts are held as their chunks came (no staging buffer) until they outgrow the journal's inline limit:
 * pinned here are the bytes that must come back for bodies of one or many chunks on either side of that
 * limit, from the live store and after a reopen.
 */
import { describe, expect, it } from 'vitest';
import { createStorage, readBytes } from '@strata/storage';
import { createBlockAdapter, createMemoryDevice } from '../src/index.ts';

const PAGE = 4096;

/** Yields `count` chunks of `size` bytes, each filled with its number. */
async function* numberedChunks(count: number, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < count; i++) yield Buffer.alloc(size, i + 1);
}

const expected = (count: number, size: number) => Buffer.concat(Array.from({ length: count }, (_, i) => Buffer.alloc(size, i + 1)));

describe('small put staging', () => {
  it('stores bodies of one or many chunks below, at and above the inline limit', async () => {
    const device = await createMemoryDevice({ pageSize: PAGE, pageCount: 4096 });
    const adapter = await createBlockAdapter({ device });
    const storage = createStorage(adapter);
    const limit = adapter.store.stagingMax;
    const cases: [string, number, number][] = [
      ['one-page', 1, PAGE],
      ['two-chunks', 2, PAGE / 2],
      ['at-limit', limit / 1024, 1024],
      ['past-limit', limit / 1024 + 1, 1024],
      ['many', 300, 1000],
    ];
    for (const [key, count, size] of cases) await storage.put(key, numberedChunks(count, size));
    const check = async (s: typeof storage) => {
      for (const [key, count, size] of cases) expect((await readBytes(await s.get(key))).equals(expected(count, size)), key).toBe(true);
    };
    await check(storage);
    // Reopened on the same pages without a close: replayed from the journal, the same bytes.
    const reopened = createStorage(await createBlockAdapter({ device }));
    await check(reopened);
  });
});
