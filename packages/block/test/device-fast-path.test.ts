/**
 * The page device's hot path (the goal: within 0.8× of raw pread/pwrite): synchronous media, no copies
 * between the caller and the medium, reads into a caller's buffer, and timing off unless asked for. Every shortcut must keep
 * the integrity checks and never hand out a buffer the device will write again.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isStorageError } from '@strata/storage';
import { createFakeClock, createMemoryDevice, createMemoryMedium, openFileDevice, openPageDevice, PageLayout } from '../src/index.ts';
import type { PageMedium } from '../src/index.ts';

const dir = await mkdtemp(join(tmpdir(), 'strata-block-fast-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const corrupted = (e: unknown) => isStorageError(e) && e.code === 'Corrupted';
const page = (size: number, seed: number) => Buffer.alloc(size, seed);

/** A memory medium whose every read and write completes later (as an asynchronous file transfer does). */
function slowMedium(): PageMedium & { toBuffer(): Buffer } {
  const m = createMemoryMedium();
  const later = () => new Promise<void>((r) => setTimeout(r, 1));
  return {
    ...m,
    async read(offset, target) {
      await later();
      await m.read(offset, target);
    },
    async write(offset, data) {
      // Lands later from the caller's buffer, as a pwrite on libuv's thread pool does: the device must not
      // touch that buffer again until the write is done.
      await later();
      await m.write(offset, data);
    },
  };
}

describe('page device fast path', () => {
  it('returns independent buffers from read, and reused write buffers never leak between pages', async () => {
    const d = await createMemoryDevice({ pageSize: 512, pageCount: 16 });
    for (let p = 0; p < 8; p++) await d.write(p, page(512, p + 1), p);
    const got = [];
    for (let p = 0; p < 8; p++) got.push(await d.read(p, 1, { expectTag: p }));
    got.forEach((b, p) => expect(b.equals(page(512, p + 1))).toBe(true));
    // A caller mutating what it got does not affect the device or the other results.
    got[0]!.fill(0xee);
    expect((await d.read(0)).equals(page(512, 1))).toBe(true);
    expect(got[1]!.equals(page(512, 2))).toBe(true);
  });

  it('reads into a caller buffer, one page or many, with the same integrity checks', async () => {
    const d = await createMemoryDevice({ pageSize: 512, pageCount: 16 });
    await d.write(2, Buffer.concat([page(512, 1), page(512, 2), page(512, 3)]), 7);
    const into = Buffer.alloc(4096, 0x55);
    const one = await d.read(3, 1, { into, expectTag: 7 });
    expect(one.buffer).toBe(into.buffer);
    expect(one.length).toBe(512);
    expect(one.equals(page(512, 2))).toBe(true);
    const three = await d.read(2, 3, { into });
    expect(three.equals(Buffer.concat([page(512, 1), page(512, 2), page(512, 3)]))).toBe(true);
    // An unwritten page reads as zeros, whatever `into` held.
    into.fill(0x77);
    expect((await d.read(9, 1, { into })).equals(page(512, 0))).toBe(true);
    // A buffer of exactly one page comes back as itself.
    const exact = Buffer.alloc(512);
    expect(await d.read(4, 1, { into: exact })).toBe(exact);
    await expect(d.read(2, 3, { into: Buffer.alloc(1000) })).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(d.read(3, 1, { into, expectTag: 8 })).rejects.toSatisfy(corrupted);
  });

  it('reads page after page into one buffer, each read settling with that buffer holding its own page', async () => {
    const d = await createMemoryDevice({ pageSize: 512, pageCount: 8 });
    for (let p = 0; p < 4; p++) await d.write(p, page(512, p + 1), p);
    const into = Buffer.alloc(512);
    for (let p = 0; p < 4; p++) {
      const got = await d.read(p, 1, { into, expectTag: p });
      expect(got).toBe(into);
      expect(got.equals(page(512, p + 1))).toBe(true);
    }
    // A failed read in between rejects, and the next good one still settles with its own page.
    await expect(d.read(1, 1, { into, expectTag: 9 })).rejects.toSatisfy(corrupted);
    expect((await d.read(2, 1, { into })).equals(page(512, 3))).toBe(true);
    expect((await d.read(6, 1, { into })).equals(page(512, 0))).toBe(true);
  });

  it('detects torn, misdirected and stale pages read into a buffer from an image file', async () => {
    const path = join(dir, 'into.img');
    const d = await openFileDevice(path, { create: { pageSize: 512, pageCount: 8 } });
    for (let p = 1; p <= 3; p++) await d.write(p, page(512, 0xa0 + p), 1);
    await d.close();
    const layout = new PageLayout(512);
    const fh = await open(path, 'r+');
    await fh.write(Buffer.alloc(100, 0x11), 0, 100, layout.dataOffset(1) + 300); // torn
    const p2 = Buffer.alloc(512);
    await fh.read(p2, 0, 512, layout.dataOffset(2));
    await fh.write(p2, 0, 512, layout.dataOffset(3)); // page 2's bytes over page 3's: misdirected
    await fh.close();
    const r = await openFileDevice(path);
    const into = Buffer.alloc(512);
    await expect(r.read(1, 1, { into })).rejects.toSatisfy(corrupted);
    await expect(r.read(3, 1, { into })).rejects.toSatisfy(corrupted);
    await expect(r.read(2, 2, { into: Buffer.alloc(1024) })).rejects.toSatisfy(corrupted);
    await expect(r.read(2, 1, { into, expectTag: 2 })).rejects.toSatisfy(corrupted); // stale
    expect((await r.read(2, 1, { into, expectTag: 1 })).equals(page(512, 0xa2))).toBe(true);
    expect(r.stats().corruptPages).toBe(4);
    await r.close();
  });

  it('keeps concurrent reads and writes apart on an asynchronous medium', async () => {
    const medium = slowMedium();
    const d = await openPageDevice(medium, { create: { pageSize: 512, pageCount: 64 } });
    // Single-page and multi-page writes in flight at once: each must land its own bytes under its own page.
    await Promise.all([
      ...Array.from({ length: 16 }, (_, p) => d.write(p, page(512, p + 1), p + 100)),
      d.write(20, Buffer.concat([page(512, 0x21), page(512, 0x22)]), 5),
      d.write(30, Buffer.concat([page(512, 0x31), page(512, 0x32), page(512, 0x33)]), 6),
    ]);
    const intos = Array.from({ length: 16 }, () => Buffer.alloc(512));
    const got = await Promise.all(intos.map((into, p) => d.read(p, 1, { into, expectTag: p + 100 })));
    got.forEach((b, p) => expect(b.equals(page(512, p + 1))).toBe(true));
    const plain = await Promise.all(Array.from({ length: 16 }, (_, p) => d.read(p)));
    plain.forEach((b, p) => expect(b.equals(page(512, p + 1))).toBe(true));
    expect((await d.read(20, 2, { expectTag: 5 })).equals(Buffer.concat([page(512, 0x21), page(512, 0x22)]))).toBe(true);
    expect((await d.read(31, 2, { expectTag: 6 })).equals(Buffer.concat([page(512, 0x32), page(512, 0x33)]))).toBe(true);
    // An unwritten page of a group in memory (the fast path, which reads the page before it looks at the guard)
    // reads as zeros whatever its data page holds.
    await medium.write(new PageLayout(512).dataOffset(40), page(512, 0xee));
    expect((await d.read(40, 1, { into: Buffer.alloc(512, 1) })).equals(page(512, 0))).toBe(true);
    expect((await d.read(40)).equals(page(512, 0))).toBe(true);
    // The same image through a synchronous medium reads the same, once flushed (guards reach the medium then).
    await d.flush();
    const again = await openPageDevice(createMemoryMedium(medium.toBuffer()));
    expect((await again.read(7, 1, { expectTag: 107 })).equals(page(512, 8))).toBe(true);
  });

  it('stamps a one-page write on an asynchronous medium into the guard page the table holds after the wait', async () => {
    // Guard pages are clean after the flush, and the cache holds 16 of 100. Groups 0..15 are read, so their
    // guard pages are in memory and each write below starts on the fast path; reads of other groups, started
    // first, load their guard pages while the writes wait for the medium and drop groups 0..15. A write that
    // stamped the guard page it found before the wait would stamp a dropped page, and its guard would be lost.
    const medium = slowMedium();
    const d = await openPageDevice(medium, { create: { pageSize: 512, pageCount: 1600 }, guardCacheBytes: 1 });
    for (let g = 0; g < 100; g++) await d.write(g * 16, page(512, 1), 1);
    await d.flush();
    for (let g = 0; g < 16; g++) await d.read(g * 16, 1, { expectTag: 1 });
    const reads = Array.from({ length: 60 }, (_, i) => d.read((i + 30) * 16, 1, { expectTag: 1 }));
    const writes = Array.from({ length: 16 }, (_, g) => d.write(g * 16 + 3, page(512, g + 10), g + 200));
    await Promise.all([...reads, ...writes]);
    await d.flush();
    const reopened = await openPageDevice(createMemoryMedium(medium.toBuffer()));
    for (let g = 0; g < 16; g++) expect((await reopened.read(g * 16 + 3, 1, { expectTag: g + 200 })).equals(page(512, g + 10))).toBe(true);
  });

  it('checks a read that waited for the medium against its guard page as the table holds it after the wait', async () => {
    // Guard pages live in shared slabs, and a dropped guard page's memory is reused by the next one loaded. The
    // data reads of groups 0..15 are held by the medium while reads of groups 30..89 load their guard pages,
    // which drops groups 0..15 (the cache holds 16) and reuses their memory. A read that checked its page
    // against the guard it located before the wait would check it against another group's guard: Corrupted.
    const m = createMemoryMedium();
    const layout = new PageLayout(512);
    const held = new Set<number>();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const medium: PageMedium = { ...m, read: (offset, target) => (held.has(offset) ? gate.then(() => m.read(offset, target)) : m.read(offset, target)) };
    const d = await openPageDevice(medium, { create: { pageSize: 512, pageCount: 1600 }, guardCacheBytes: 1 });
    const pair = (g: number) => Buffer.concat([page(512, g + 1), page(512, g + 101)]);
    for (let g = 0; g < 90; g++) await d.write(g * 16 + 3, pair(g), g);
    await d.flush();
    for (let g = 0; g < 16; g++) await d.read(g * 16 + 3, 1, { expectTag: g });
    for (let g = 0; g < 16; g++) held.add(layout.dataOffset(g * 16 + 3));
    // One-page reads (the fast path) for groups 0..7, two-page reads (the general path) for groups 8..15.
    const waiting = Array.from({ length: 16 }, (_, g) => (g < 8 ? d.read(g * 16 + 3, 1, { expectTag: g }) : d.read(g * 16 + 3, 2, { expectTag: g })));
    for (let g = 30; g < 90; g++) expect((await d.read(g * 16 + 3, 1, { expectTag: g })).equals(page(512, g + 1))).toBe(true);
    release();
    const got = await Promise.all(waiting);
    got.forEach((b, g) => expect(b.equals(g < 8 ? page(512, g + 1) : pair(g))).toBe(true));
    expect(d.stats().corruptPages).toBe(0);
  });

  it('uses synchronous transfers on memory and small file transfers, asynchronous ones beyond syncIoMax', async () => {
    const m = createMemoryMedium();
    expect(m.write(0, Buffer.alloc(16, 1))).toBeUndefined();
    expect(m.read(0, Buffer.alloc(16))).toBeUndefined();
    for (const syncIoMax of [0, 65536]) {
      const d = await openFileDevice(join(dir, `sync-${syncIoMax}.img`), { create: { pageSize: 4096, pageCount: 128 }, syncIoMax });
      await d.write(1, page(4096, 9), 3);
      // 100 pages: over 256 KiB, so the read gets its own buffer instead of a slab carve.
      const many = Buffer.concat(Array.from({ length: 100 }, (_, i) => page(4096, i)));
      await d.write(10, many, 4);
      await d.flush();
      expect((await d.read(1, 1, { expectTag: 3 })).equals(page(4096, 9))).toBe(true);
      expect((await d.read(1, 1, { into: Buffer.alloc(4096), expectTag: 3 })).equals(page(4096, 9))).toBe(true);
      expect((await d.read(10, 100, { expectTag: 4 })).equals(many)).toBe(true);
      await d.close();
    }
  });

  it('stamps tags beyond 32 bits and tells them apart', async () => {
    const d = await createMemoryDevice({ pageSize: 512, pageCount: 4 });
    const tag = 2 ** 40 + 5;
    await d.write(1, page(512, 3), tag);
    expect((await d.read(1, 1, { expectTag: tag })).equals(page(512, 3))).toBe(true);
    await expect(d.read(1, 1, { expectTag: 5 })).rejects.toSatisfy(corrupted);
    await expect(d.read(1, 1, { expectTag: tag + 2 ** 32 })).rejects.toSatisfy(corrupted);
  });

  it('times operations only when asked (or under a latency profile), and always counts them', async () => {
    const plain = await createMemoryDevice({ pageSize: 512, pageCount: 4 });
    await plain.write(0, page(512, 1));
    await plain.read(0);
    await plain.read(0, 1, { into: Buffer.alloc(512) });
    await plain.flush();
    const s = plain.stats();
    expect([s.reads, s.writes, s.flushes, s.pagesRead, s.bytesRead]).toEqual([2, 1, 1, 2, 1024]);
    expect([s.latency.read.count, s.latency.write.count, s.latency.flush.count]).toEqual([0, 0, 0]);

    const clock = createFakeClock();
    const timed = await createMemoryDevice({ pageSize: 512, pageCount: 4, timing: true, clock });
    await timed.write(0, page(512, 1));
    await timed.read(0);
    await timed.flush();
    const t = timed.stats();
    expect([t.latency.read.count, t.latency.write.count, t.latency.flush.count]).toEqual([1, 1, 1]);
    // Stats are a snapshot: later operations do not change an earlier one.
    await timed.read(0);
    expect(t.latency.read.count).toBe(1);
    expect(timed.stats().latency.read.count).toBe(2);
  });
});
