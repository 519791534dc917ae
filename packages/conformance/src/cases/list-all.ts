/**
 * listAll: every object of a listing as one async iteration over `list` pages (AWS ListObjectsV2 paged by its
 * ContinuationToken). The items are exactly those of the paged listing, in strict UTF-8 byte order, for every
 * page size; `limit` bounds the total; leaving the loop or a fired signal ends it.
 */
import { expect } from 'vitest';
import type { ListAllOptions, ListItem, Storage } from '@strata/storage';
import type { DeclareCase, GroupContext } from '../context.ts';
import { expectStorageError } from '../context.ts';
import { listKeys, putAll } from '../helpers.ts';
import { sortUtf8 } from '../key-corpus.ts';

/** The keys `listAll` yields. */
async function keysOf(storage: Storage, options: ListAllOptions): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of storage.listAll(options)) keys.push(item.key);
  return keys;
}

/** Keys whose UTF-8 order differs from UTF-16 order (U+FF5E sorts before U+1F600 in UTF-16, after in UTF-8). */
const NAMES = ['a', 'a/b', 'a/b/c', 'a/', 'b c', 'caf\u00e9', 'z', '\uff5e', '\u{1f600}', '~', 'A', '0'];

/** Declares the listAll cases. */
export function listAllCases(it: DeclareCase, ctx: GroupContext): void {
  it('yields every object under the prefix in UTF-8 order, the same for every page size', async () => {
    const p = ctx.prefix('list-all');
    await putAll(ctx.storage, NAMES.map((n) => p + n));
    await ctx.storage.put(`${ctx.prefix('list-all-outside')}x`, 'not under p');
    const expected = sortUtf8(NAMES.map((n) => p + n));
    for (const pageSize of [1, 2, 5, 1000]) {
      expect(await keysOf(ctx.storage, { prefix: p, pageSize }), `pageSize ${pageSize}`).toEqual(expected);
    }
    expect(await keysOf(ctx.storage, { prefix: p }), 'the paged list agrees').toEqual(await listKeys(ctx.storage, { prefix: p, limit: 3 }));
  });

  it('yields the items list returns: key, size, etag and lastModified', async () => {
    const p = ctx.prefix('list-all-items');
    const put = await ctx.storage.put(`${p}k`, 'five!');
    const items: ListItem[] = [];
    for await (const item of ctx.storage.listAll({ prefix: p })) items.push(item);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ key: `${p}k`, size: 5, etag: put.etag });
    expect(items[0]!.lastModified).toBeInstanceOf(Date);
  });

  it('limit bounds the total across pages; startAfter starts strictly after a key', async () => {
    const p = ctx.prefix('list-all-limit');
    const keys = Array.from({ length: 7 }, (_, i) => `${p}${i}`);
    await putAll(ctx.storage, keys);
    expect(await keysOf(ctx.storage, { prefix: p, limit: 5, pageSize: 2 })).toEqual(keys.slice(0, 5));
    expect(await keysOf(ctx.storage, { prefix: p, limit: 100, pageSize: 3 })).toEqual(keys);
    expect(await keysOf(ctx.storage, { prefix: p, startAfter: `${p}2`, pageSize: 2 })).toEqual(keys.slice(3));
    expect(await keysOf(ctx.storage, { prefix: p, startAfter: `${p}6` })).toEqual([]);
  });

  it('an empty prefix range yields nothing', async () => {
    expect(await keysOf(ctx.storage, { prefix: ctx.prefix('list-all-empty') })).toEqual([]);
  });

  it('leaving the loop early stops the listing; the storage stays usable', async () => {
    const p = ctx.prefix('list-all-break');
    await putAll(ctx.storage, ['1', '2', '3', '4'].map((n) => p + n));
    const seen: string[] = [];
    for await (const item of ctx.storage.listAll({ prefix: p, pageSize: 1 })) {
      seen.push(item.key);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([`${p}1`, `${p}2`]);
    expect(await keysOf(ctx.storage, { prefix: p })).toHaveLength(4);
  });

  it('a signal fired before or during the iteration throws Aborted', async () => {
    const p = ctx.prefix('list-all-abort');
    await putAll(ctx.storage, ['1', '2', '3'].map((n) => p + n));
    await expectStorageError(keysOf(ctx.storage, { prefix: p, signal: AbortSignal.abort() }), { code: 'Aborted', op: 'listAll' });
    const controller = new AbortController();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const item of ctx.storage.listAll({ prefix: p, pageSize: 1, signal: controller.signal })) {
        seen.push(item.key);
        controller.abort();
      }
    })();
    await expectStorageError(loop, { code: 'Aborted', op: 'listAll' });
    expect(seen).toEqual([`${p}1`]);
  });

  it('invalid limit and pageSize throw InvalidArgument on the first step', async () => {
    for (const options of [{ limit: 0 }, { limit: 1.5 }, { pageSize: 0 }, { pageSize: 1001 }]) {
      await expectStorageError(keysOf(ctx.storage, options), { code: 'InvalidArgument', op: 'listAll' });
    }
  });
}
