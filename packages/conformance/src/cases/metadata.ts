/**
 * Metadata (docs/architecture.md, "Objects and metadata"): metadata written is metadata read back, on every
 * adapter — the standard headers verbatim (AWS PutObject request headers), user metadata with lower-cased
 * names and any Unicode values, and tags (replaced by setTags without touching the bytes or the ETag).
 */
import { expect } from 'vitest';
import type { StandardHeaders } from '@strata/storage';
import type { DeclareCase, GroupContext } from '../context.ts';
import { expectStorageError, requireCapability } from '../context.ts';
import { md5Hex } from '../data.ts';
import { getBytes } from '../helpers.ts';

const HEADERS: Required<StandardHeaders> = {
  contentType: 'text/plain; charset=utf-8',
  contentEncoding: 'gzip',
  contentDisposition: 'attachment; filename="r\u00e9sum\u00e9.txt"; filename*=UTF-8\'\'r%C3%A9sum%C3%A9.txt',
  contentLanguage: 'de-CH, en',
  cacheControl: 'max-age=3600, must-revalidate',
  expires: 'Wed, 21 Oct 2037 07:28:00 GMT',
};

const USER: Record<string, string> = {
  plain: 'value',
  unicode: 'gr\u00fc\u00dfe \u65e5\u672c \u{1f600}',
  spaces: '  padded value  ',
  empty: '',
  'dashed-name': 'x=y;z',
};

/** Declares the metadata cases. */
export function metadataCases(it: DeclareCase, ctx: GroupContext): void {
  for (const [name, value] of Object.entries(HEADERS)) {
    it(`round-trips the standard header ${name} verbatim (head, get, list unaffected)`, async () => {
      const key = `${ctx.prefix('hdr')}obj`;
      const put = await ctx.storage.put(key, 'x', { [name]: value });
      expect(put[name as keyof StandardHeaders]).toBe(value);
      expect((await ctx.storage.head(key))[name as keyof StandardHeaders]).toBe(value);
      const got = await ctx.storage.get(key);
      got.body.resume();
      expect(got.info[name as keyof StandardHeaders]).toBe(value);
      for (const other of Object.keys(HEADERS).filter((h) => h !== name)) {
        expect(got.info[other as keyof StandardHeaders], `${other} stays unset`).toBeUndefined();
      }
    });
  }

  it('round-trips all standard headers and user metadata together', async () => {
    const key = `${ctx.prefix('all')}obj`;
    await ctx.storage.put(key, 'x', { ...HEADERS, userMetadata: USER });
    const head = await ctx.storage.head(key);
    expect(head).toMatchObject({ ...HEADERS, userMetadata: USER });
  });

  it('round-trips user metadata with non-ASCII, empty and padded values exactly', async () => {
    const key = `${ctx.prefix('user')}obj`;
    const put = await ctx.storage.put(key, 'x', { userMetadata: USER });
    expect(put.userMetadata).toEqual(USER);
    expect((await ctx.storage.head(key)).userMetadata).toEqual(USER);
    const got = await ctx.storage.get(key);
    got.body.resume();
    expect(got.info.userMetadata).toEqual(USER);
  });

  it('lower-cases user metadata names', async () => {
    const key = `${ctx.prefix('lower')}obj`;
    await ctx.storage.put(key, 'x', { userMetadata: { 'Mixed-Case': 'v', UPPER: 'w' } });
    expect((await ctx.storage.head(key)).userMetadata).toEqual({ 'mixed-case': 'v', upper: 'w' });
  });

  it('an overwrite replaces metadata entirely (nothing of the old object survives)', async () => {
    const key = `${ctx.prefix('replace')}obj`;
    await ctx.storage.put(key, 'x', { ...HEADERS, userMetadata: { old: '1' } });
    await ctx.storage.put(key, 'y', { contentType: 'application/json' });
    const head = await ctx.storage.head(key);
    expect(head.userMetadata).toEqual({});
    expect(head.contentType).toBe('application/json');
    expect(head.cacheControl).toBeUndefined();
    expect(head.expires).toBeUndefined();
  });

  it('without tags capability, tags throw Unsupported', async (t) => {
    requireCapability(t, !ctx.caps.tags, 'absence of tags');
    const key = `${ctx.prefix('notags')}obj`;
    await expectStorageError(ctx.storage.put(key, 'x', { tags: { a: '1' } }), { code: 'Unsupported' });
    await ctx.storage.put(key, 'x');
    await expectStorageError(ctx.storage.setTags(key, { a: '1' }), { code: 'Unsupported' });
  });

  it('round-trips tags with Unicode values', async (t) => {
    requireCapability(t, ctx.caps.tags, 'tags');
    const key = `${ctx.prefix('tags')}obj`;
    const tags = { project: 'strata', owner: 'J\u00fcrgen', 'a b': 'c+d=e' };
    expect((await ctx.storage.put(key, 'x', { tags })).tags).toEqual(tags);
    expect((await ctx.storage.head(key)).tags).toEqual(tags);
  });

  it('setTags replaces tags without changing bytes, ETag or metadata', async (t) => {
    requireCapability(t, ctx.caps.tags, 'tags');
    const key = `${ctx.prefix('settags')}obj`;
    const put = await ctx.storage.put(key, 'bytes', { tags: { a: '1', b: '2' }, userMetadata: { m: 'v' }, contentType: 'text/x' });
    const after = await ctx.storage.setTags(key, { c: '3' });
    expect(after.tags).toEqual({ c: '3' });
    expect(after.etag).toBe(put.etag);
    const head = await ctx.storage.head(key);
    expect(head).toMatchObject({ tags: { c: '3' }, etag: md5Hex('bytes'), userMetadata: { m: 'v' }, contentType: 'text/x' });
    expect((await getBytes(ctx.storage, key)).toString()).toBe('bytes');
  });

  it('setTags with {} removes all tags', async (t) => {
    requireCapability(t, ctx.caps.tags, 'tags');
    const key = `${ctx.prefix('cleartags')}obj`;
    await ctx.storage.put(key, 'x', { tags: { a: '1' } });
    await ctx.storage.setTags(key, {});
    expect((await ctx.storage.head(key)).tags).toEqual({});
  });

  it('setTags on a missing key throws NotFound', async (t) => {
    requireCapability(t, ctx.caps.tags, 'tags');
    await expectStorageError(ctx.storage.setTags(`${ctx.prefix('tagmissing')}x`, { a: '1' }), { code: 'NotFound', op: 'setTags' });
  });

  it('zero-byte objects keep their metadata', async () => {
    const key = `${ctx.prefix('zero-meta')}obj`;
    await ctx.storage.put(key, '', { contentType: 'application/x-directory', userMetadata: { k: 'v' } });
    expect(await ctx.storage.head(key)).toMatchObject({ size: 0, contentType: 'application/x-directory', userMetadata: { k: 'v' } });
  });
}
