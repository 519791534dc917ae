/**
 * Format version 2: page-aligned data with guards in guard pages held in memory (`layout.ts`,
 * `guard-table.ts`). What must hold: guards reach the medium with the flush (and at close), never later than
 * the data they cover is promised durable; a page whose guard did not reach the medium reads as `Corrupted`
 * or as its old bytes, never as unchecked bytes; guard pages dropped from memory are read again correctly;
 * damaged guards are detected; version 1 images are refused with a clear error.
 */
import { describe, expect, it } from 'vitest';
import { isStorageError } from '@strata/storage';
import { createMemoryMedium, GUARD_BYTES, openPageDevice, PageLayout } from '../src/index.ts';
import type { PageMedium } from '../src/index.ts';
import { loadHash64 } from '../src/hash.ts';
import { encodeHeaderRegion } from '../src/device/header.ts';
import { GuardSlabs } from '../src/device/guard-slabs.ts';

const corrupted = (e: unknown) => isStorageError(e) && e.code === 'Corrupted';
const page = (v: number, size = 512) => Buffer.alloc(size, v);

/** A memory medium that counts reads and writes per region (data page or guard page). */
function countingMedium(layout: PageLayout) {
  const m = createMemoryMedium();
  const counts = { dataReads: 0, guardReads: 0, guardWrites: 0, dataWrites: 0 };
  const isGuard = (offset: number) => offset >= layout.pageSize && (offset - layout.pageSize) % layout.groupBytes === 0;
  const medium: PageMedium & { toBuffer(): Buffer } = {
    ...m,
    read(offset, target) {
      if (isGuard(offset)) counts.guardReads++;
      else if (offset >= layout.pageSize) counts.dataReads++;
      return m.read(offset, target);
    },
    write(offset, data) {
      if (isGuard(offset)) counts.guardWrites++;
      else if (offset >= layout.pageSize) counts.dataWrites++;
      return m.write(offset, data);
    },
  };
  return { medium, counts };
}

describe('guard pages', () => {
  it('lays pages out aligned, in groups of pageSize / 32 behind one guard page', () => {
    const l = new PageLayout(4096);
    expect(l.perGroup).toBe(128);
    expect(l.dataOffset(0)).toBe(4096 * 2);
    expect(l.dataOffset(127)).toBe(4096 * 129);
    expect(l.guardPageOffset(1)).toBe(4096 * 130);
    expect(l.dataOffset(128)).toBe(4096 * 131);
    for (const p of [0, 5, 127, 128, 1000, 2 ** 40 + 3]) expect(l.dataOffset(p) % 4096).toBe(0);
    expect(l.runFrom(120, 20)).toBe(8);
    expect(l.mediumBytes(128)).toBe(4096 * 130);
    expect(l.mediumBytes(129)).toBe(4096 * 132);
    expect(new PageLayout(512).perGroup).toBe(512 / GUARD_BYTES);
  });

  it('writes guards at flush, before the sync, and reads them once', async () => {
    const layout = new PageLayout(512);
    const { medium, counts } = countingMedium(layout);
    const d = await openPageDevice(medium, { create: { pageSize: 512, pageCount: 64 } });
    for (let p = 0; p < 20; p++) await d.write(p, page(p + 1), 7);
    // Pages 0..15 are group 0, 16..19 group 1: two guard pages loaded, none written yet.
    expect([counts.guardReads, counts.guardWrites, counts.dataWrites]).toEqual([2, 0, 20]);
    await d.flush();
    expect(counts.guardWrites).toBe(2);
    for (let p = 0; p < 20; p++) expect((await d.read(p, 1, { expectTag: 7 })).equals(page(p + 1))).toBe(true);
    expect(counts.guardReads).toBe(2);
    // A flush with nothing new writes no guard page.
    await d.flush();
    expect(counts.guardWrites).toBe(2);
    // An unwritten page reads as zeros whatever its data page holds on the medium. The general path (the first
    // read, which loads the guard page) reads no lone unwritten page; the one-page fast path reads the page
    // before it looks at the guard, then replaces the bytes with zeros.
    await medium.write(layout.dataOffset(40), page(0xee));
    const before = counts.dataReads;
    expect((await d.read(40)).equals(page(0))).toBe(true);
    expect(counts.dataReads).toBe(before);
    expect((await d.read(40)).equals(page(0))).toBe(true);
    expect((await d.read(40, 1, { into: Buffer.alloc(512, 1) })).equals(page(0))).toBe(true);
    await expect(d.read(40, 1, { expectTag: 7 })).rejects.toThrow(/stale \(unwritten, expected tag 7\)/);
  });

  it('a write whose guard never reached the medium reads as Corrupted or old, never as unchecked bytes', async () => {
    const medium = createMemoryMedium();
    const d = await openPageDevice(medium, { create: { pageSize: 512, pageCount: 64 } });
    await d.write(3, page(0x33), 1);
    await d.write(4, page(0x44), 1);
    await d.flush();
    await d.write(3, page(0x99), 2); // data landed, guard only in memory
    await d.write(5, page(0x55), 2); // a page never written before
    // The process dies here: the medium holds what it holds, the device never closes.
    const after = await openPageDevice(createMemoryMedium(medium.toBuffer()));
    await expect(after.read(3)).rejects.toSatisfy(corrupted);
    await expect(after.read(5, 1, { expectTag: 2 })).rejects.toThrow(/stale \(unwritten/);
    expect((await after.read(4, 1, { expectTag: 1 })).equals(page(0x44))).toBe(true);
  });

  it('close writes the guards (no sync), so a cleanly closed image reads back as written', async () => {
    const medium = createMemoryMedium();
    const d = await openPageDevice(medium, { create: { pageSize: 512, pageCount: 64 } });
    await d.write(9, page(9), 4);
    await d.close();
    const again = await openPageDevice(createMemoryMedium(medium.toBuffer()));
    expect((await again.read(9, 1, { expectTag: 4 })).equals(page(9))).toBe(true);
  });

  it('drops clean guard pages beyond the cache and reads them again; dirty ones wait for the flush', async () => {
    const layout = new PageLayout(512);
    const { medium, counts } = countingMedium(layout);
    // 16 guard pages of 512 bytes at most (the floor), over 100 groups.
    const d = await openPageDevice(medium, { create: { pageSize: 512, pageCount: 1600 }, guardCacheBytes: 1 });
    for (let g = 0; g < 100; g++) await d.write(g * 16 + 1, page(g + 1), g);
    expect(counts.guardReads).toBe(100);
    await d.flush();
    expect(counts.guardWrites).toBe(100);
    for (let g = 0; g < 100; g++) expect((await d.read(g * 16 + 1, 1, { expectTag: g })).equals(page(g + 1))).toBe(true);
    // Most were dropped after the flush and read again.
    expect(counts.guardReads).toBeGreaterThan(150);
    const again = await openPageDevice(createMemoryMedium(medium.toBuffer()));
    for (let g = 0; g < 100; g++) expect((await again.read(g * 16 + 1, 1, { expectTag: g })).equals(page(g + 1))).toBe(true);
  });

  it('holds guard pages in slab slots that never overlap, and reuses a released slot before allocating', () => {
    const slabs = new GuardSlabs(4096, 1000);
    // 256 KiB slabs: 64 slots of 4 KiB in the first, the 65th in a second slab with its own view.
    const slots = Array.from({ length: 65 }, () => slabs.take());
    expect(new Set(slots).size).toBe(65);
    slots.forEach((s, i) => slabs.buffer(s).fill(i));
    slots.forEach((s, i) => {
      expect(slabs.buffer(s).equals(Buffer.alloc(4096, i))).toBe(true);
      // The slab's view at the slot's base sees the same bytes as the slot's buffer.
      expect([slabs.view(s).getUint8(slabs.base(s)), slabs.view(s).getUint8(slabs.base(s) + 4095)]).toEqual([i, i]);
    });
    expect(slabs.view(slots[64]!)).not.toBe(slabs.view(slots[0]!));
    expect(slabs.view(slots[63]!)).toBe(slabs.view(slots[0]!));
    slabs.release(slots[5]!);
    expect(slabs.take()).toBe(slots[5]);
    // A device of two guard pages gets slabs of two pages.
    const small = new GuardSlabs(4096, 2);
    const [a, b, c] = [small.take(), small.take(), small.take()];
    expect(small.view(a)).toBe(small.view(b));
    expect(small.view(c)).not.toBe(small.view(a));
    expect(small.view(a).byteLength).toBe(8192);
  });

  it('reads and writes across group boundaries in one call', async () => {
    const d = await openPageDevice(createMemoryMedium(), { create: { pageSize: 512, pageCount: 100 } });
    const data = Buffer.concat(Array.from({ length: 40 }, (_, i) => page(i + 1)));
    await d.write(10, data, 3); // pages 10..49: groups 0, 1, 2 and 3
    expect((await d.read(10, 40, { expectTag: 3 })).equals(data)).toBe(true);
    expect((await d.read(30, 3)).equals(data.subarray(20 * 512, 23 * 512))).toBe(true);
    // Zeroing pages in the middle of a multi-group read.
    await d.writeZeroes(15, 3);
    const got = await d.read(10, 10);
    expect(got.subarray(5 * 512, 8 * 512).equals(Buffer.alloc(3 * 512))).toBe(true);
    expect(got.subarray(8 * 512).equals(data.subarray(8 * 512, 10 * 512))).toBe(true);
  });

  it('detects a damaged guard: a changed tag, page number, flags or check word', async () => {
    const layout = new PageLayout(512);
    for (const [field, at] of [['page', 0], ['tag', 8], ['flags', 16], ['reserved', 20], ['check', 24]] as const) {
      const medium = createMemoryMedium();
      const d = await openPageDevice(medium, { create: { pageSize: 512, pageCount: 64 } });
      await d.write(6, page(6), 5);
      await d.close();
      const image = medium.toBuffer();
      const g = layout.guardPageOffset(0) + layout.guardIndex(6) + at;
      image[g] = image[g]! ^ 0x04;
      const r = await openPageDevice(createMemoryMedium(image));
      await expect(r.read(6), field).rejects.toSatisfy(corrupted);
    }
  });

  it('refuses a version 1 image with Unsupported and says what it is', async () => {
    const hash = await loadHash64();
    const region = encodeHeaderRegion({ pageSize: 512, pageCount: 8 }, 512, hash);
    // Rewrite the version field (and the copy's checksum) as version 1 wrote them.
    for (const o of [0, 128]) {
      region.writeUInt32LE(1, o + 8);
      region.writeBigUInt64LE(hash(region.subarray(o, o + 56)), o + 56);
    }
    await expect(openPageDevice(createMemoryMedium(region))).rejects.toMatchObject({ code: 'Unsupported', message: /version 1 .*slot layout/ });
  });
});

describe('page layout offsets', () => {
  it('computes the same offsets on the int32 fast path and beyond it, up to 2^53 pages', () => {
    for (const pageSize of [512, 4096, 65536]) {
      const l = new PageLayout(pageSize);
      const g = l.perGroup;
      // The defining formula, in exact bigint arithmetic.
      const exact = (p: number) => {
        const group = BigInt(Math.floor(p / g));
        return Number(BigInt(pageSize) + group * BigInt(l.groupBytes) + (1n + BigInt(p) - group * BigInt(g)) * BigInt(pageSize));
      };
      const edge = Math.floor((2 ** 31 / pageSize) * (g / (g + 1)));
      for (const p of [0, 1, g - 1, g, g + 1, edge - 2, edge - 1, edge, edge + 1, edge + g, 2 ** 31, 2 ** 40 + 7]) {
        expect(l.dataOffset(p), `${pageSize} ${p}`).toBe(exact(p));
      }
    }
  });
});

describe('guard page I/O failures', () => {
  it('a failed guard page read or write is a StorageError of the operation, and a failed flush can be retried', async () => {
    const layout = new PageLayout(512);
    const m = createMemoryMedium();
    let failGuardReads = false;
    let failWrites = false;
    const eio = () => Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    const medium: PageMedium = {
      ...m,
      read(offset, target) {
        if (failGuardReads && offset === layout.guardPageOffset(1)) throw eio();
        return m.read(offset, target);
      },
      write(offset, data) {
        if (failWrites) throw eio();
        return m.write(offset, data);
      },
    };
    const d = await openPageDevice(medium, { create: { pageSize: 512, pageCount: 64 } });
    failGuardReads = true;
    await expect(d.read(20)).rejects.toMatchObject({ code: 'Unavailable', op: 'read' });
    await expect(d.write(21, page(1))).rejects.toMatchObject({ code: 'Unavailable', op: 'write' });
    await expect(d.writeZeroes(22, 1)).rejects.toMatchObject({ code: 'Unavailable', op: 'writeZeroes' });
    failGuardReads = false;
    await d.write(3, page(3), 1);
    failWrites = true;
    await expect(d.flush()).rejects.toMatchObject({ code: 'Unavailable', op: 'flush' });
    failWrites = false;
    // The guard page stayed dirty: the retried flush writes it, and the page reads back after a reopen.
    await d.flush();
    const again = await openPageDevice(createMemoryMedium(m.toBuffer()));
    expect((await again.read(3, 1, { expectTag: 1 })).equals(page(3))).toBe(true);
  });
});
