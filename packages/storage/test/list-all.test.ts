/**
 * listAll through the front wrapper and the layers: how many `list` calls it makes (pages of `pageSize`,
 * the last one cut to what `limit` still needs, none after `break`), hidden staging keys, native pagers, and
 * per-page retries under withRetry.
 */
import { describe, expect, it, vi } from 'vitest';
import { StorageError, createMemoryStorage, createStorage, withPrefix, withRetry } from '../src/index.ts';
import type { ListAllOptions, ListOptions, Storage } from '../src/index.ts';
import { plainAdapter, rejectsWith } from './helpers.ts';
import { hookedAdapter } from './hooked-adapter.ts';

async function keysOf(s: Storage, options?: ListAllOptions): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of s.listAll(options)) keys.push(item.key);
  return keys;
}

async function seeded(n: number, storage: Storage = createMemoryStorage()): Promise<Storage> {
  for (let i = 0; i < n; i++) await storage.put(`k/${i}`, String(i));
  return storage;
}

describe('listAll', () => {
  it('asks for pageSize items per page and no more than limit still needs', async () => {
    const s = await seeded(5);
    const list = vi.spyOn(s, 'list');
    expect(await keysOf(s, { pageSize: 2 })).toEqual(['k/0', 'k/1', 'k/2', 'k/3', 'k/4']);
    expect(list.mock.calls.map(([o]) => (o as ListOptions).limit)).toEqual([2, 2, 2]);
    list.mockClear();
    expect(await keysOf(s, { pageSize: 2, limit: 3 })).toEqual(['k/0', 'k/1', 'k/2']);
    expect(list.mock.calls.map(([o]) => (o as ListOptions).limit)).toEqual([2, 1]);
  });

  it('passes startAfter on the first page only, then the cursor', async () => {
    const s = await seeded(4);
    const list = vi.spyOn(s, 'list');
    expect(await keysOf(s, { prefix: 'k/', startAfter: 'k/0', pageSize: 2 })).toEqual(['k/1', 'k/2', 'k/3']);
    const [first, second] = list.mock.calls.map(([o]) => o as ListOptions);
    expect(first).toMatchObject({ prefix: 'k/', startAfter: 'k/0' });
    expect(second?.startAfter).toBeUndefined();
    expect(second?.cursor).toEqual(expect.any(String));
  });

  it('fetches no further page after break', async () => {
    const s = await seeded(6);
    const list = vi.spyOn(s, 'list');
    for await (const item of s.listAll({ pageSize: 2 })) if (item.key === 'k/1') break;
    expect(list).toHaveBeenCalledTimes(1);
  });

  it('never yields keys of the multipart staging area', async () => {
    const s = createStorage(plainAdapter());
    await s.put('a', 'x');
    const upload = await s.startMultipart('b');
    await s.uploadPart('b', upload.uploadId, 1, 'part');
    await s.put('c', 'x');
    expect(await keysOf(s, { pageSize: 1 })).toEqual(['a', 'c']);
  });

  it('pages over an adapter with a native list (pages of its own size)', async () => {
    const s = await seeded(5, createStorage(plainAdapter({ listOnly: true })));
    expect(await keysOf(s, { prefix: 'k/' })).toEqual(['k/0', 'k/1', 'k/2', 'k/3', 'k/4']);
    expect(await keysOf(s, { prefix: 'k/', limit: 3 })).toEqual(['k/0', 'k/1', 'k/2']);
  });

  it('throws Aborted between items once the signal fires, naming listAll', async () => {
    const s = await seeded(3);
    const controller = new AbortController();
    const seen: string[] = [];
    const e = await rejectsWith(
      (async () => {
        for await (const item of s.listAll({ signal: controller.signal })) {
          seen.push(item.key);
          controller.abort();
        }
      })(),
      'Aborted',
    );
    expect(e.op).toBe('listAll');
    expect(seen).toEqual(['k/0']);
  });

  it('reports a failing page with op listAll and the cause kept', async () => {
    const { adapter } = hookedAdapter(() => ({
      // A scan that fails before its first key.
      async *scan() {
        throw new Error('EIO: i/o error');
      },
    }));
    const e = await rejectsWith(keysOf(createStorage(adapter)), 'Unavailable');
    expect(e.op).toBe('listAll');
    expect((e as unknown as Error).message).toBe('listAll: Unavailable: EIO: i/o error');
  });
});

describe('listAll through layers', () => {
  it('withPrefix: keys come back without the prefix, only the namespace is listed', async () => {
    const raw = createMemoryStorage();
    await raw.put('other/x', 'x');
    const s = await seeded(3, withPrefix(raw, 'tenant/'));
    expect(await keysOf(s, { pageSize: 2 })).toEqual(['k/0', 'k/1', 'k/2']);
  });

  it('withRetry: a page that fails transiently is retried alone', async () => {
    let lists = 0;
    const inner = await seeded(4);
    const flaky: Storage = Object.create(inner) as Storage;
    flaky.list = (o?: ListOptions) =>
      ++lists === 2 ? Promise.reject(new StorageError('Unavailable', 'blip', { op: 'list' })) : inner.list(o);
    const s = withRetry(flaky, { baseDelayMs: 0 });
    expect(await keysOf(s, { pageSize: 2 })).toEqual(['k/0', 'k/1', 'k/2', 'k/3']);
    expect(lists).toBe(3);
  });
});
