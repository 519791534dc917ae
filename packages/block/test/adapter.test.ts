import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStorage, readBytes } from '@strata/storage';
import { createBlockAdapter, createMemoryDevice, createMemoryMedium, fsckImage, fsckStore, imageInfo, openPageDevice } from '../src/index.ts';

const dir = await mkdtemp(join(tmpdir(), 'strata-block-adapter-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const bytes = (n: number, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

async function open(pageSize = 512) {
  const device = await createMemoryDevice({ pageSize, pageCount: 4096 });
  const adapter = await createBlockAdapter({ device, minPartSize: 1024 });
  return { device, adapter, storage: createStorage(adapter) };
}

describe('block adapter', () => {
  it('stores inline, page-sized and multi-extent objects and reads ranges', async () => {
    const { storage, adapter } = await open();
    for (const n of [0, 1, 100, 511, 512, 513, 5000, 300_000]) {
      const data = bytes(n, n);
      const info = await storage.put(`k/${n}`, data, { contentType: 'x/y', userMetadata: { a: 'b' } });
      expect(info.size).toBe(n);
      const got = await storage.get(`k/${n}`);
      expect((await readBytes(got)).equals(data)).toBe(true);
      expect(got.info.contentType).toBe('x/y');
      if (n > 10) {
        const r = await storage.get(`k/${n}`, { range: { start: 3, end: n - 4 } });
        expect((await readBytes(r)).equals(data.subarray(3, n - 3))).toBe(true);
      }
    }
    // A small range of a large object reads only the pages it covers.
    const before = adapter.store.device.stats().pagesRead;
    await readBytes(await storage.get('k/300000', { range: { start: 100_000, end: 100_010 } }));
    expect(adapter.store.device.stats().pagesRead - before).toBe(1);
    const list = await storage.list({ prefix: 'k/' });
    expect(list.items.map((i) => i.key)).toEqual(['k/0', 'k/1', 'k/100', 'k/300000', 'k/5000', 'k/511', 'k/512', 'k/513']);
  });

  it('survives reopen on an image file, with copy, tags, delete and multipart joining extents', async () => {
    const path = join(dir, 'reopen.img');
    const a = await createBlockAdapter({ path, pageSize: 1024, pageCount: 4096, minPartSize: 2048 });
    const s = createStorage(a);
    await s.put('a', bytes(3000));
    await s.copy('a', 'b');
    await s.setTags('b', { t: '1' });
    await s.put('gone', 'x');
    await s.delete('gone');
    const up = await s.startMultipart('mp', { contentType: 'mp/x' });
    const p1 = await s.uploadPart('mp', up.uploadId, 1, bytes(2500, 1));
    const p2 = await s.uploadPart('mp', up.uploadId, 2, bytes(700, 2));
    const written = a.store.device.stats().pagesWritten;
    const info = await s.completeMultipart('mp', up.uploadId, [p1, p2].map((p) => ({ partNumber: p.partNumber, etag: p.etag })));
    expect(info.etag).toMatch(/-2$/);
    // Complete wrote only journal pages, no data pages.
    expect(a.store.device.stats().pagesWritten - written).toBeLessThanOrEqual(2);
    await s.close();
    const b = await createBlockAdapter({ path });
    const s2 = createStorage(b);
    expect((await readBytes(await s2.get('a'))).equals(bytes(3000))).toBe(true);
    expect((await s2.head('b')).tags).toEqual({ t: '1' });
    await expect(s2.head('gone')).rejects.toMatchObject({ code: 'NotFound' });
    const mp = await s2.get('mp');
    expect(mp.info.contentType).toBe('mp/x');
    expect((await readBytes(mp)).equals(Buffer.concat([bytes(2500, 1), bytes(700, 2)]))).toBe(true);
    expect((await s2.get('mp', { range: { start: 2490, end: 2510 } }).then(readBytes)).equals(Buffer.concat([bytes(2500, 1), bytes(700, 2)]).subarray(2490, 2511))).toBe(true);
    await s2.close();
  });

  it('group-commits concurrent puts and keeps conditional puts atomic', async () => {
    const { storage, device } = await open();
    const flushes = device.stats().flushes;
    await Promise.all(Array.from({ length: 20 }, (_, i) => storage.put(`g${i}`, bytes(2000, i))));
    expect(device.stats().flushes - flushes).toBeLessThan(10);
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => storage.put('once', `v${i}`, { ifNoneMatch: '*' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('reuses freed pages, but not while a reader streams them', async () => {
    const { storage, adapter } = await open();
    await storage.put('big', bytes(100_000, 1));
    const free0 = adapter.store.alloc.freePages;
    const reading = await storage.get('big');
    await storage.delete('big');
    expect(adapter.store.alloc.freePages).toBe(free0);
    await storage.put('other', bytes(100_000, 2));
    expect((await readBytes(reading)).equals(bytes(100_000, 1))).toBe(true);
    expect(adapter.store.alloc.freePages).toBe(free0);
  });
});

describe('growth', () => {
  it('grows the device when it runs out of pages, up to maxPages, then fails NoSpace and stays usable', async () => {
    const device = await createMemoryDevice({ pageSize: 512, pageCount: 64 });
    const adapter = await createBlockAdapter({ device, maxPages: 600 });
    const storage = createStorage(adapter);
    // 20 objects of 20 pages each: 400 pages, far beyond the 64-page device.
    for (let i = 0; i < 20; i++) await storage.put(`g/${i}`, bytes(10_000, i));
    expect(device.pageCount).toBeGreaterThan(400);
    expect(device.pageCount).toBeLessThanOrEqual(600);
    for (let i = 0; i < 20; i++) expect((await readBytes(await storage.get(`g/${i}`))).equals(bytes(10_000, i))).toBe(true);
    expect((await fsckStore(adapter.store)).errors).toEqual([]);
    // At maxPages: NoSpace, not a broken store.
    await expect(storage.put('too-big', bytes(200_000, 9))).rejects.toMatchObject({ code: 'NoSpace' });
    expect(device.pageCount).toBe(600);
    await storage.delete('g/0');
    await storage.put('after', bytes(5000, 7));
    expect((await readBytes(await storage.get('after'))).equals(bytes(5000, 7))).toBe(true);
    expect((await fsckStore(adapter.store)).errors).toEqual([]);
  });

  it('a grown image file reopens with its new size and every object', async () => {
    const path = join(dir, 'grow.img');
    const a = await createBlockAdapter({ path, pageSize: 1024, pageCount: 128 });
    const s = createStorage(a);
    await Promise.all(Array.from({ length: 16 }, (_, i) => s.put(`k${i}`, bytes(30_000, i))));
    const grown = a.store.device.pageCount;
    expect(grown).toBeGreaterThan(128 + 16 * 29);
    await s.close();
    const info = await imageInfo(path);
    expect(info.pageCount).toBe(grown);
    expect((await fsckImage(path)).errors).toEqual([]);
    const b = createStorage(await createBlockAdapter({ path, maxPages: grown }));
    for (let i = 0; i < 16; i++) expect((await readBytes(await b.get(`k${i}`))).equals(bytes(30_000, i))).toBe(true);
    await b.close();
  });
});

describe('journal staging (one flush per small put)', () => {
  it('stages small objects in their record, spills them to pages at the checkpoint, and stops staging once the index is large', async () => {
    const path = join(dir, 'staging.img');
    const a = await createBlockAdapter({ path, pageSize: 512, pageCount: 4096 });
    const s = createStorage(a);
    const store = a.store;
    expect(store.journalInlineMax).toBe(2048);
    const flushes = store.device.stats().flushes;
    await s.put('staged', bytes(1500, 1));
    // One flush (the journal's), no data page written, the bytes held in the record.
    expect(store.device.stats().flushes - flushes).toBe(1);
    expect(store.state.object('staged')!.inline).toBeDefined();
    await s.put('paged', bytes(2049, 2));
    expect(store.state.object('paged')!.extents.length).toBeGreaterThan(0);
    await store.checkpoint();
    const spilled = store.state.object('staged')!;
    expect(spilled.inline).toBeUndefined();
    expect(spilled.extents).toHaveLength(1);
    expect((await readBytes(await s.get('staged'))).equals(bytes(1500, 1))).toBe(true);
    expect((await fsckStore(store)).errors).toEqual([]);
    // A large index (checkpoint > ring/4) turns staging off: the rewrite would cost more than the flush saved.
    await Promise.all(Array.from({ length: 300 }, (_, i) => s.put(`meta/${i}`, 'x', { userMetadata: { pad: 'p'.repeat(100) } })));
    await store.checkpoint();
    expect(store.stagingMax).toBe(store.inlineMax);
    await s.put('late', bytes(1500, 3));
    expect(store.state.object('late')!.inline).toBeUndefined();
    await s.close();
    const b = createStorage(await createBlockAdapter({ path }));
    for (const [k, v] of [['staged', bytes(1500, 1)], ['paged', bytes(2049, 2)], ['late', bytes(1500, 3)]] as const) {
      expect((await readBytes(await b.get(k))).equals(v), k).toBe(true);
    }
    await b.close();
    expect((await fsckImage(path)).errors).toEqual([]);
  });

  it('staged objects not yet spilled survive a reopen (replayed from the journal) and are spilled then', async () => {
    const medium = createMemoryMedium();
    const a = await createBlockAdapter({ device: await openPageDevice(medium, { create: { pageSize: 512, pageCount: 4096 } }) });
    const s = createStorage(a);
    await Promise.all(Array.from({ length: 40 }, (_, i) => s.put(`s/${i}`, bytes(600 + i * 30, i))));
    expect([...a.store.state.objects.values()].every((o) => o.inline !== undefined)).toBe(true);
    // Reopen the image as it is (no close, no checkpoint): recovery replays the records, bytes inside, and
    // its checkpoint at open spills them to pages.
    const b = await createBlockAdapter({ device: await openPageDevice(createMemoryMedium(medium.toBuffer())) });
    expect(b.store.recovery.recordsReplayed).toBeGreaterThanOrEqual(40);
    expect([...b.store.state.objects.values()].every((o) => o.inline === undefined && o.extents.length > 0)).toBe(true);
    const s2 = createStorage(b);
    for (let i = 0; i < 40; i++) expect((await readBytes(await s2.get(`s/${i}`))).equals(bytes(600 + i * 30, i))).toBe(true);
    expect((await fsckStore(b.store)).errors).toEqual([]);
  });
});
