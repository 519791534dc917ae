/**
 * Listing (docs/architecture.md, "List"; AWS ListObjectsV2): strict UTF-8 byte order, prefix, delimiter with common
 * prefixes, startAfter, limit and an opaque resumable cursor. "Same input, same pages": paging with any limit
 * must yield exactly the sequence of the one-page listing.
 */
import { expect } from 'vitest';
import type { DeclareCase, GroupContext } from '../context.ts';
import { expectStorageError } from '../context.ts';
import { md5Hex } from '../data.ts';
import type { Entry } from '../helpers.ts';
import { entriesOf, listAllPages, listKeys, putAll } from '../helpers.ts';
import { sortUtf8 } from '../key-corpus.ts';

/** Keys (relative to a test prefix) mixing nesting, markers and ordering traps. */
const PAGING_KEYS = ['a', 'b/1', 'b/2', 'b/3/x', 'c', 'c/', 'd\uffff', 'd\u{10000}', 'e/f/g', '\u00e9', 'z', 'z/'];

/** Declares the list cases. */
export function listCases(it: DeclareCase, ctx: GroupContext): void {
  it('orders by UTF-8 bytes, not UTF-16 code units (U+FFFF before U+10000)', async () => {
    const p = ctx.prefix('utf8');
    const keys = ['\u{10000}', '\uffff', '\ue000', 'z', '\u00e9', '\u{1f600}', 'Z', '~'].map((k) => p + k);
    await putAll(ctx.storage, keys);
    const listed = await listKeys(ctx.storage, { prefix: p });
    expect(listed).toEqual(sortUtf8(keys));
    expect(listed.indexOf(`${p}\uffff`)).toBeLessThan(listed.indexOf(`${p}\u{10000}`));
  });

  it('returns an empty listing (no cursor) for a prefix with no keys', async () => {
    const page = await ctx.storage.list({ prefix: ctx.prefix('empty') });
    expect(page).toMatchObject({ items: [], prefixes: [] });
    expect(page.cursor).toBeUndefined();
  });

  it('filters by prefix, which is a plain string prefix (not a path segment)', async () => {
    const p = ctx.prefix('prefix');
    await putAll(ctx.storage, ['ab', 'ab/c', 'abc', 'a', 'b'].map((k) => p + k));
    expect(await listKeys(ctx.storage, { prefix: `${p}ab` })).toEqual(sortUtf8([`${p}ab`, `${p}ab/c`, `${p}abc`]));
  });

  it('groups keys under the delimiter into common prefixes, keys beside them', async () => {
    const p = ctx.prefix('delim');
    await putAll(ctx.storage, ['a/1', 'a/2', 'b/x/y', 'c', 'd/'].map((k) => p + k));
    const page = await ctx.storage.list({ prefix: p, delimiter: '/' });
    expect(page.items.map((i) => i.key)).toEqual([`${p}c`]);
    expect(page.prefixes).toEqual([`${p}a/`, `${p}b/`, `${p}d/`]);
    const nested = await ctx.storage.list({ prefix: `${p}b/`, delimiter: '/' });
    expect(nested.prefixes).toEqual([`${p}b/x/`]);
    expect(nested.items).toEqual([]);
  });

  it('supports a delimiter other than "/"', async () => {
    const p = ctx.prefix('dash');
    await putAll(ctx.storage, ['x-1-a', 'x-1-b', 'x-2', 'y'].map((k) => p + k));
    const page = await ctx.storage.list({ prefix: p, delimiter: '-' });
    expect(page.prefixes).toEqual([`${p}x-`]);
    expect(page.items.map((i) => i.key)).toEqual([`${p}y`]);
  });

  it('starts strictly after startAfter (which need not exist)', async () => {
    const p = ctx.prefix('after');
    await putAll(ctx.storage, ['a', 'b', 'c', 'd'].map((k) => p + k));
    expect(await listKeys(ctx.storage, { prefix: p, startAfter: `${p}b` })).toEqual([`${p}c`, `${p}d`]);
    expect(await listKeys(ctx.storage, { prefix: p, startAfter: `${p}bb` })).toEqual([`${p}c`, `${p}d`]);
    expect(await listKeys(ctx.storage, { prefix: p, startAfter: `${p}d` })).toEqual([]);
  });

  it('applies startAfter in UTF-8 order (after U+FFFF comes U+10000)', async () => {
    const p = ctx.prefix('after8');
    await putAll(ctx.storage, ['\uffff', '\u{10000}', '\ue000'].map((k) => p + k));
    expect(await listKeys(ctx.storage, { prefix: p, startAfter: `${p}\uffff` })).toEqual([`${p}\u{10000}`]);
  });

  it('combines prefix, delimiter and startAfter', async () => {
    const p = ctx.prefix('combo');
    await putAll(ctx.storage, ['a/1', 'a/2', 'b', 'c/1', 'd'].map((k) => p + k));
    const page = await ctx.storage.list({ prefix: p, delimiter: '/', startAfter: `${p}a/2` });
    expect(entriesOf(page)).toEqual([`key:${p}b`, `prefix:${p}c/`, `key:${p}d`]);
  });

  it('returns ListItem fields matching head (size, etag, lastModified)', async () => {
    const p = ctx.prefix('fields');
    await ctx.storage.put(`${p}k`, 'hello');
    await ctx.storage.put(`${p}empty`, '');
    const page = await ctx.storage.list({ prefix: p });
    for (const item of page.items) {
      const info = await ctx.storage.head(item.key);
      expect(item.size).toBe(info.size);
      expect(item.etag).toBe(info.etag);
      expect(item.lastModified).toBeInstanceOf(Date);
      expect(Math.abs(item.lastModified.getTime() - info.lastModified.getTime())).toBeLessThan(1000);
    }
    expect(page.items.find((i) => i.key === `${p}k`)?.etag).toBe(md5Hex('hello'));
    expect(page.items.find((i) => i.key === `${p}empty`)?.size).toBe(0);
  });

  const modes: { name: string; delimiter?: string; startAfter?: string }[] = [
    { name: 'without delimiter' },
    { name: 'with delimiter "/"', delimiter: '/' },
    { name: 'with delimiter and startAfter', delimiter: '/', startAfter: 'b/1' },
  ];
  for (const mode of modes) {
    it(`pages ${mode.name}: every limit from 1 to n+1 gives exactly the one-page sequence`, async () => {
      const p = ctx.prefix('paging');
      await putAll(ctx.storage, PAGING_KEYS.map((k) => p + k));
      const base = { prefix: p, delimiter: mode.delimiter, startAfter: mode.startAfter && p + mode.startAfter };
      const one = await ctx.storage.list({ ...base, limit: 1000 });
      expect(one.cursor).toBeUndefined();
      const expected: Entry[] = entriesOf(one);
      expect(expected.length).toBeGreaterThan(3);
      for (let limit = 1; limit <= expected.length + 1; limit++) {
        const { entries, pages } = await listAllPages(ctx.storage, { ...base, limit });
        expect(entries, `limit ${limit}`).toEqual(expected);
        expect(pages, `pages at limit ${limit}`).toBe(Math.max(1, Math.ceil(expected.length / limit)));
      }
    }, 30_000);
  }

  it('gives the same pages for the same input (cursor listings are repeatable)', async () => {
    const p = ctx.prefix('repeat');
    await putAll(ctx.storage, PAGING_KEYS.map((k) => p + k));
    const a = await listAllPages(ctx.storage, { prefix: p, delimiter: '/', limit: 2 });
    const b = await listAllPages(ctx.storage, { prefix: p, delimiter: '/', limit: 2 });
    expect(b).toEqual(a);
  });

  it('resumes from a cursor after the last listed key was deleted', async () => {
    const p = ctx.prefix('resume');
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5'].map((k) => p + k);
    await putAll(ctx.storage, keys);
    const first = await ctx.storage.list({ prefix: p, limit: 2 });
    expect(first.items.map((i) => i.key)).toEqual(keys.slice(0, 2));
    expect(first.cursor).toBeTypeOf('string');
    await ctx.storage.delete(keys[1] as string);
    const rest = await listKeys(ctx.storage, { prefix: p, limit: 2, cursor: first.cursor });
    expect(rest).toEqual(keys.slice(2));
  });

  it('sees keys added after the cursor position when resuming', async () => {
    const p = ctx.prefix('grow');
    await putAll(ctx.storage, ['a', 'b', 'd'].map((k) => p + k));
    const first = await ctx.storage.list({ prefix: p, limit: 2 });
    await ctx.storage.put(`${p}c`, 'late');
    expect(await listKeys(ctx.storage, { prefix: p, cursor: first.cursor })).toEqual([`${p}c`, `${p}d`]);
  });

  it('does not repeat a common prefix across pages', async () => {
    const p = ctx.prefix('nodup');
    await putAll(ctx.storage, ['a/1', 'a/2', 'a/3', 'b', 'c/1', 'c/2'].map((k) => p + k));
    const { entries } = await listAllPages(ctx.storage, { prefix: p, delimiter: '/', limit: 1 });
    expect(entries).toEqual([`prefix:${p}a/`, `key:${p}b`, `prefix:${p}c/`]);
  });

  it('defaults to pages of at most 1000 entries', async () => {
    const p = ctx.prefix('thousand');
    const keys = Array.from({ length: 1001 }, (_, i) => `${p}${String(i).padStart(4, '0')}`);
    await putAll(ctx.storage, keys, () => '', 16);
    const first = await ctx.storage.list({ prefix: p });
    expect(first.items.length).toBe(1000);
    expect(first.cursor).toBeTypeOf('string');
    const second = await ctx.storage.list({ prefix: p, cursor: first.cursor });
    expect(second.items.map((i) => i.key)).toEqual([keys[1000]]);
    expect(second.cursor).toBeUndefined();
  }, 60_000);

  for (const limit of [0, -1, 1.5, Number.NaN]) {
    it(`rejects limit ${limit} with InvalidArgument`, async () => {
      await expectStorageError(ctx.storage.list({ prefix: ctx.prefix('lim'), limit }), { code: 'InvalidArgument', op: 'list' });
    });
  }

  it('rejects a forged cursor with InvalidArgument', async () => {
    await expectStorageError(ctx.storage.list({ prefix: ctx.prefix('cur'), cursor: '!!not a cursor!!' }), { code: 'InvalidArgument' });
  });
}
