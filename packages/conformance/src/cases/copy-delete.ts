/**
 * copy (AWS CopyObject: metadata directive COPY/REPLACE, x-amz-copy-source-if-* conditions) and delete /
 * deleteMany (AWS DeleteObject is idempotent; DeleteObjects answers per key).
 */
import { expect } from 'vitest';
import { isStorageError } from '@strata/storage';
import type { DeclareCase, GroupContext } from '../context.ts';
import { expectMissing, expectStorageError } from '../context.ts';
import { md5Hex } from '../data.ts';
import { getBytes, listKeys } from '../helpers.ts';

const META = { contentType: 'text/csv', cacheControl: 'no-cache', contentLanguage: 'fr', userMetadata: { origin: 'caf\u00e9' } };

/** Declares the copy cases. */
export function copyCases(it: DeclareCase, ctx: GroupContext): void {
  const tags = () => (ctx.caps.tags ? { t: '1' } : undefined);

  it('copies bytes and keeps metadata and tags by default', async () => {
    const p = ctx.prefix('copy');
    const src = await ctx.storage.put(`${p}src`, 'payload', { ...META, tags: tags() });
    const info = await ctx.storage.copy(`${p}src`, `${p}dst`);
    expect(info.key).toBe(`${p}dst`);
    expect(info.etag).toBe(src.etag);
    const head = await ctx.storage.head(`${p}dst`);
    expect(head).toMatchObject({ ...META, size: 7, etag: md5Hex('payload'), tags: tags() ?? {} });
    expect((await getBytes(ctx.storage, `${p}dst`)).toString()).toBe('payload');
    expect((await getBytes(ctx.storage, `${p}src`)).toString(), 'source untouched').toBe('payload');
  });

  it('replaces metadata with metadataDirective "replace"', async () => {
    const p = ctx.prefix('copy-r');
    await ctx.storage.put(`${p}src`, 'payload', { ...META, tags: tags() });
    await ctx.storage.copy(`${p}src`, `${p}dst`, { metadataDirective: 'replace', contentType: 'application/json', userMetadata: { fresh: 'yes' } });
    const head = await ctx.storage.head(`${p}dst`);
    expect(head.contentType).toBe('application/json');
    expect(head.userMetadata).toEqual({ fresh: 'yes' });
    expect(head.cacheControl).toBeUndefined();
    expect(head.contentLanguage).toBeUndefined();
    expect(head.tags).toEqual({});
    expect((await ctx.storage.head(`${p}src`)).userMetadata).toEqual(META.userMetadata);
  });

  it('copies an object onto itself with replace, changing only metadata', async () => {
    const key = `${ctx.prefix('copy-self')}k`;
    const put = await ctx.storage.put(key, 'same bytes', META);
    const info = await ctx.storage.copy(key, key, { metadataDirective: 'replace', userMetadata: { v: '2' } });
    expect(info.etag).toBe(put.etag);
    const head = await ctx.storage.head(key);
    expect(head.userMetadata).toEqual({ v: '2' });
    expect(head.contentType).toBeUndefined();
    expect((await getBytes(ctx.storage, key)).toString()).toBe('same bytes');
  });

  it('overwrites an existing destination', async () => {
    const p = ctx.prefix('copy-over');
    await ctx.storage.put(`${p}src`, 'new');
    await ctx.storage.put(`${p}dst`, 'old', { userMetadata: { old: '1' } });
    await ctx.storage.copy(`${p}src`, `${p}dst`);
    expect((await getBytes(ctx.storage, `${p}dst`)).toString()).toBe('new');
    expect((await ctx.storage.head(`${p}dst`)).userMetadata).toEqual({});
  });

  it('copies zero-byte objects', async () => {
    const p = ctx.prefix('copy-zero');
    await ctx.storage.put(`${p}src`, '');
    const info = await ctx.storage.copy(`${p}src`, `${p}dst`);
    expect(info.size).toBe(0);
    expect((await getBytes(ctx.storage, `${p}dst`)).length).toBe(0);
  });

  it('copy of a missing source throws NotFound and creates nothing', async () => {
    const p = ctx.prefix('copy-missing');
    await expectStorageError(ctx.storage.copy(`${p}nope`, `${p}dst`), { code: 'NotFound', op: 'copy' });
    await expectMissing(ctx.storage, `${p}dst`);
  });

  it('evaluates source conditions: If-Match and If-Unmodified-Since', async () => {
    const p = ctx.prefix('copy-cond');
    const src = await ctx.storage.put(`${p}src`, 'payload');
    await expectStorageError(ctx.storage.copy(`${p}src`, `${p}d1`, { source: { ifMatch: md5Hex('other') } }), { code: 'PreconditionFailed' });
    const past = new Date(src.lastModified.getTime() - 3600_000);
    await expectStorageError(ctx.storage.copy(`${p}src`, `${p}d1`, { source: { ifUnmodifiedSince: past } }), { code: 'PreconditionFailed' });
    await expectMissing(ctx.storage, `${p}d1`);
    await ctx.storage.copy(`${p}src`, `${p}d2`, { source: { ifMatch: src.etag, ifUnmodifiedSince: past } });
    expect((await getBytes(ctx.storage, `${p}d2`)).toString()).toBe('payload');
  });

  it('evaluates source conditions: If-None-Match and If-Modified-Since refuse the copy', async () => {
    const p = ctx.prefix('copy-cond2');
    const src = await ctx.storage.put(`${p}src`, 'payload');
    // A copy has no "not modified" answer: S3's CopyObject answers 412 here, and so does the contract.
    await expectStorageError(ctx.storage.copy(`${p}src`, `${p}d`, { source: { ifNoneMatch: src.etag } }), { code: 'PreconditionFailed' });
    const future = new Date(src.lastModified.getTime() + 3600_000);
    await expectStorageError(ctx.storage.copy(`${p}src`, `${p}d`, { source: { ifModifiedSince: future } }), { code: 'PreconditionFailed' });
    await expectMissing(ctx.storage, `${p}d`);
    await ctx.storage.copy(`${p}src`, `${p}d`, { source: { ifNoneMatch: md5Hex('x') } });
    expect((await getBytes(ctx.storage, `${p}d`)).toString()).toBe('payload');
  });

  it('copies between awkward keys', async () => {
    const p = ctx.prefix('copy-keys');
    await ctx.storage.put(`${p}a b/%2F?#`, 'x');
    await ctx.storage.copy(`${p}a b/%2F?#`, `${p}caf\u00e9/\u{1f600}`);
    expect(await listKeys(ctx.storage, { prefix: p })).toEqual([`${p}a b/%2F?#`, `${p}caf\u00e9/\u{1f600}`]);
  });
}

/** Declares the delete and deleteMany cases. */
export function deleteCases(it: DeclareCase, ctx: GroupContext): void {
  it('deletes an object (then head/get NotFound, not listed)', async () => {
    const p = ctx.prefix('del');
    await ctx.storage.put(`${p}k`, 'x');
    await ctx.storage.delete(`${p}k`);
    await expectMissing(ctx.storage, `${p}k`);
    await expectStorageError(ctx.storage.get(`${p}k`), { code: 'NotFound' });
    expect(await listKeys(ctx.storage, { prefix: p })).toEqual([]);
  });

  it('delete is idempotent (missing key, twice)', async () => {
    const key = `${ctx.prefix('del-idem')}k`;
    await ctx.storage.delete(key);
    await ctx.storage.put(key, 'x');
    await ctx.storage.delete(key);
    await ctx.storage.delete(key);
    await expectMissing(ctx.storage, key);
  });

  it('deleting a/b keeps a/b/c and deleting a/b/c keeps a/b', async () => {
    const p = ctx.prefix('del-nest');
    await ctx.storage.put(`${p}a/b`, '1');
    await ctx.storage.put(`${p}a/b/c`, '2');
    await ctx.storage.delete(`${p}a/b`);
    expect((await getBytes(ctx.storage, `${p}a/b/c`)).toString()).toBe('2');
    await ctx.storage.put(`${p}a/b`, '1');
    await ctx.storage.delete(`${p}a/b/c`);
    expect((await getBytes(ctx.storage, `${p}a/b`)).toString()).toBe('1');
    expect(await listKeys(ctx.storage, { prefix: p })).toEqual([`${p}a/b`]);
  });

  it('deleteMany with present and missing keys: one ok result per key, in input order', async () => {
    const p = ctx.prefix('delmany');
    const present = ['z', 'a', 'm'].map((k) => p + k);
    await Promise.all(present.map((k) => ctx.storage.put(k, 'x')));
    const input = [`${p}z`, `${p}missing1`, `${p}a`, `${p}missing2`, `${p}m`];
    const results = await ctx.storage.deleteMany(input);
    expect(results.map((r) => r.key)).toEqual(input);
    for (const r of results) expect(r.ok, `${r.key}: ${r.ok ? '' : String(r.error)}`).toBe(true);
    expect(await listKeys(ctx.storage, { prefix: p })).toEqual([]);
  });

  it('deleteMany of no keys returns no results', async () => {
    expect(await ctx.storage.deleteMany([])).toEqual([]);
  });

  it('deleteMany reports an invalid key per key (InvalidKey) and still deletes the others', async () => {
    const p = ctx.prefix('delmany-bad');
    await ctx.storage.put(`${p}ok`, 'x');
    let results;
    try {
      results = await ctx.storage.deleteMany([`${p}ok`, '', `${p}ok2`]);
    } catch (e) {
      // Rejecting the whole call before I/O is also acceptable; then nothing was deleted.
      expect(isStorageError(e) && e.code === 'InvalidKey').toBe(true);
      expect((await getBytes(ctx.storage, `${p}ok`)).toString()).toBe('x');
      return;
    }
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    await expectMissing(ctx.storage, `${p}ok`);
  });

  it('deleteMany of 250 keys deletes them all', async () => {
    const p = ctx.prefix('delmany-big');
    const keys = Array.from({ length: 250 }, (_, i) => `${p}${i}`);
    for (let i = 0; i < keys.length; i += 25) await Promise.all(keys.slice(i, i + 25).map((k) => ctx.storage.put(k, '')));
    const results = await ctx.storage.deleteMany(keys);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await listKeys(ctx.storage, { prefix: p })).toEqual([]);
  }, 30_000);
}
