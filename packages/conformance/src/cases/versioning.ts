/**
 * Object versioning: the `VersionStore` layer of `@strata/storage` over this storage (AWS "Using versioning in
 * S3 buckets", "Deleting object versions", "Working with objects in a versioning-suspended bucket",
 * ListObjectVersions). The layer needs only the plain contract, so these cases run on every adapter: they pin
 * that the adapter gives it what it relies on — atomic puts of its index, copies that keep metadata and tags,
 * deletes, and listings in UTF-8 byte order with delimiters and start-after.
 */
import { expect } from 'vitest';
import { listObjectVersions, readText, VersionStore } from '@strata/storage';
import type { VersionListItem } from '@strata/storage';
import type { DeclareCase, GroupContext } from '../context.ts';
import { expectMissing } from '../context.ts';

function storeFor(ctx: GroupContext, label: string): { store: VersionStore; plain: string } {
  const p = ctx.prefix(label);
  return { store: new VersionStore(ctx.storage, { plainPrefix: `${p}o/`, metaPrefix: `${p}v/` }), plain: `${p}o/` };
}

const text = async (store: VersionStore, key: string, versionId?: string) => readText(await store.get(key, versionId));
const shape = (items: VersionListItem[]) => items.map((v) => `${v.key}@${v.deleteMarker ? 'marker' : v.size}${v.isLatest ? '*' : ''}`);

/** Declares the versioning cases. */
export function versioningCases(it: DeclareCase, ctx: GroupContext): void {
  it('keeps every version readable by id; the newest is current and mirrored at the plain key', async () => {
    const { store, plain } = storeFor(ctx, 'ver-put');
    const v1 = await store.put('k', 'one', 'Enabled', { contentType: 'text/plain', userMetadata: { gen: '1' } });
    const v2 = await store.put('k', 'second', 'Enabled');
    expect(v1.versionId).not.toBe(v2.versionId);
    expect(await text(store, 'k')).toBe('second');
    expect(await text(store, 'k', v1.versionId)).toBe('one');
    const old = await store.get('k', v1.versionId);
    old.body.destroy();
    expect([old.info.contentType, old.info.userMetadata]).toEqual(['text/plain', { gen: '1' }]);
    expect(await readText(await ctx.storage.get(`${plain}k`))).toBe('second');
    expect(shape((await listObjectVersions(store)).versions)).toEqual(['k@6*', 'k@3']);
  });

  it('a delete marker hides the key; deleting it by id brings the object back', async () => {
    const { store, plain } = storeFor(ctx, 'ver-marker');
    const v1 = await store.put('k', 'kept', 'Enabled');
    const marker = await store.delete('k', 'Enabled');
    expect(marker.deleteMarker).toBe(true);
    expect((await store.resolve('k', undefined)).kind).toBe('marker');
    await expectMissing(ctx.storage, `${plain}k`);
    expect(await text(store, 'k', v1.versionId)).toBe('kept');
    await store.delete('k', 'Enabled', marker.versionId);
    expect(await text(store, 'k')).toBe('kept');
    expect(await readText(await ctx.storage.get(`${plain}k`))).toBe('kept');
  });

  it('deleting the current version by id makes the previous one current; the last one leaves nothing', async () => {
    const { store, plain } = storeFor(ctx, 'ver-purge');
    const v1 = await store.put('k', 'one', 'Enabled');
    const v2 = await store.put('k', 'two', 'Enabled');
    await store.delete('k', 'Enabled', v2.versionId);
    expect(await text(store, 'k')).toBe('one');
    await store.delete('k', 'Enabled', v1.versionId);
    expect((await store.resolve('k', undefined)).kind).toBe('absent');
    await expectMissing(ctx.storage, `${plain}k`);
    expect((await listObjectVersions(store)).versions).toEqual([]);
  });

  it('Suspended writes replace the null version and keep the others', async () => {
    const { store } = storeFor(ctx, 'ver-null');
    const v1 = await store.put('k', 'versioned', 'Enabled');
    expect((await store.put('k', 'null one', 'Suspended')).versionId).toBe('null');
    await store.put('k', 'null two', 'Suspended');
    expect((await store.versionsOf('k')).map((v) => v.id)).toEqual(['null', v1.versionId]);
    expect(await text(store, 'k', 'null')).toBe('null two');
  });

  it('an object written before versioning is the null version, kept under new versions', async () => {
    const { store, plain } = storeFor(ctx, 'ver-adopt');
    await ctx.storage.put(`${plain}k`, 'before', { tags: ctx.caps.tags ? { t: '1' } : {} });
    expect((await listObjectVersions(store)).versions.map((v) => v.versionId)).toEqual(['null']);
    await store.put('k', 'after', 'Enabled');
    expect(await text(store, 'k', 'null')).toBe('before');
    expect(await text(store, 'k')).toBe('after');
  });

  it('lists keys in UTF-8 byte order with prefixes, delimiters and markers', async () => {
    const { store } = storeFor(ctx, 'ver-list');
    const keys = ['a', 'a/b', 'a/c', 'a0', 'b\u00e9', 'b\u{1f600}', 'b\uffff'];
    for (const k of [...keys].reverse()) {
      await store.put(k, `${k}1`, 'Enabled');
      await store.put(k, `${k}22`, 'Enabled');
    }
    const all = await listObjectVersions(store);
    expect([...new Set(all.versions.map((v) => v.key))]).toEqual(['a', 'a/b', 'a/c', 'a0', 'b\u00e9', 'b\uffff', 'b\u{1f600}']);
    const grouped = await listObjectVersions(store, { delimiter: '/' });
    expect(grouped.prefixes).toEqual(['a/']);
    expect((await listObjectVersions(store, { prefix: 'a/' })).versions.length).toBe(4);
    const seen: string[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (let i = 0; i < 30; i++) {
      const page = await listObjectVersions(store, { limit: 3, ...(keyMarker !== undefined ? { keyMarker } : {}), ...(versionIdMarker !== undefined ? { versionIdMarker } : {}) });
      seen.push(...page.versions.map((v) => `${v.key}@${v.versionId}`));
      if (!page.isTruncated) break;
      keyMarker = page.nextKeyMarker;
      versionIdMarker = page.nextVersionIdMarker;
    }
    expect(seen).toEqual(all.versions.map((v) => `${v.key}@${v.versionId}`));
  });
}
