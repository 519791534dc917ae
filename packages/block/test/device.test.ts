import { mkdtemp, rm, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isStorageError } from '@strata/storage';
import { createFakeClock, createMemoryDevice, createMemoryMedium, GUARD_BYTES, LATENCY_PROFILES, openFileDevice, openPageDevice, PageLayout, realClock } from '../src/index.ts';

const dir = await mkdtemp(join(tmpdir(), 'strata-block-device-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const corrupted = (e: unknown) => isStorageError(e) && e.code === 'Corrupted';
const fill = (pages: number, pageSize: number, seed: number) => Buffer.alloc(pages * pageSize, seed);

describe('page device', () => {
  it('validates the page size', async () => {
    for (const pageSize of [256, 1000, 131072]) {
      await expect(createMemoryDevice({ pageSize, pageCount: 4 })).rejects.toMatchObject({ code: 'InvalidArgument' });
    }
    for (const pageSize of [512, 4096, 65536]) expect((await createMemoryDevice({ pageSize, pageCount: 4 })).pageSize).toBe(pageSize);
  });

  it('reads back what it wrote, one page or many, and unwritten pages as zeros', async () => {
    const d = await createMemoryDevice({ pageSize: 512, pageCount: 64 });
    await d.write(3, Buffer.concat([fill(1, 512, 1), fill(1, 512, 2), fill(1, 512, 3)]), 7);
    expect((await d.read(4)).equals(fill(1, 512, 2))).toBe(true);
    const many = await d.read(2, 4);
    expect(many.length).toBe(2048);
    expect(many.subarray(0, 512).equals(fill(1, 512, 0))).toBe(true);
    expect(many.subarray(1536).equals(fill(1, 512, 3))).toBe(true);
    expect((await d.read(3, 3, { expectTag: 7 })).length).toBe(1536);
    await expect(d.read(60, 5)).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(d.write(0, Buffer.alloc(100))).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  it('detects torn, misdirected and stale pages on an image file', async () => {
    const path = join(dir, 'faults.img');
    const d = await openFileDevice(path, { create: { pageSize: 512, pageCount: 16 } });
    await d.write(1, fill(1, 512, 0xaa), 1);
    await d.write(2, fill(1, 512, 0xbb), 1);
    await d.flush();
    await d.close();
    const layout = new PageLayout(512);
    const guardAt = (p: number) => layout.guardPageOffset(layout.groupOf(p)) + layout.guardIndex(p);
    const fh = await open(path, 'r+');
    // Torn: half of page 1's payload replaced.
    await fh.write(Buffer.alloc(256, 0x11), 0, 256, layout.dataOffset(1) + 256);
    // Misdirected: page 2's bytes, and its guard with them, copied over page 3's.
    const p2 = Buffer.alloc(512 + GUARD_BYTES);
    await fh.read(p2, 0, 512, layout.dataOffset(2));
    await fh.read(p2, 512, GUARD_BYTES, guardAt(2));
    await fh.write(p2, 0, 512, layout.dataOffset(3));
    await fh.write(p2, 512, GUARD_BYTES, guardAt(3));
    await fh.close();
    const r = await openFileDevice(path);
    expect(r.pageCount).toBe(16);
    await expect(r.read(1)).rejects.toSatisfy(corrupted);
    await expect(r.read(3)).rejects.toThrow(/misdirected \(holds page 2\)/);
    expect((await r.read(2, 1, { expectTag: 1 })).equals(fill(1, 512, 0xbb))).toBe(true);
    // Stale: the caller expected a newer generation of page 2.
    await expect(r.read(2, 1, { expectTag: 2 })).rejects.toSatisfy(corrupted);
    expect(r.stats().corruptPages).toBe(3);
    await r.close();
  });

  it('discards, zeroes, grows and keeps stats', async () => {
    const medium = createMemoryMedium();
    const d = await openPageDevice(medium, { create: { pageSize: 1024, pageCount: 8 }, timing: true });
    await d.write(0, fill(8, 1024, 5), 9);
    await d.discard(2, 2);
    await d.writeZeroes(6, 1);
    expect((await d.read(2, 2)).every((b) => b === 0)).toBe(true);
    expect((await d.read(6)).every((b) => b === 0)).toBe(true);
    await d.grow(32);
    await d.write(31, fill(1, 1024, 1));
    await d.flush();
    const reopened = await openPageDevice(createMemoryMedium(medium.toBuffer()));
    expect(reopened.pageCount).toBe(32);
    expect((await reopened.read(31))[0]).toBe(1);
    const s = d.stats();
    expect(s.writes).toBe(2);
    expect(s.pagesWritten).toBe(9);
    expect(s.reads).toBe(2);
    expect(s.flushes).toBe(1);
    expect(s.discards).toBe(1);
    expect(s.latency.write.count).toBe(2);
  });

  it('emulates media latency on an injected clock', async () => {
    const clock = createFakeClock();
    const d = await createMemoryDevice({ pageCount: 1000, latency: LATENCY_PROFILES.hdd, clock });
    await d.write(0, Buffer.alloc(4096));
    const near = clock.slept;
    await d.write(999, Buffer.alloc(4096));
    const far = clock.slept - near;
    expect(near).toBeGreaterThanOrEqual(4);
    expect(far).toBeGreaterThan(near + 7); // a full-stroke seek
    const nvme = createFakeClock();
    const n = await createMemoryDevice({ latency: LATENCY_PROFILES.nvme, clock: nvme });
    await n.read(0);
    expect(nvme.slept).toBeCloseTo(0.081, 3);
    expect(n.stats().latency.read.totalMs).toBeCloseTo(0.081, 3);
  });

  it('sleeps sub-millisecond emulated delays accurately on the real clock', async () => {
    // 100 sequential NVMe reads of 81 µs each ≈ 8 ms; with timer-rounded sleeps they took ≥ 100 ms. The machine
    // is shared, so the upper bound applies to the fastest of three rounds (a descheduled round is not the clock).
    const d = await createMemoryDevice({ pageCount: 1000, latency: LATENCY_PROFILES.nvme });
    await d.write(0, Buffer.alloc(4096, 1));
    await d.read(0); // warm up
    const rounds: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 100; i++) await d.read(0);
      rounds.push(performance.now() - t0);
    }
    expect(Math.min(...rounds)).toBeGreaterThan(5);
    expect(Math.min(...rounds)).toBeLessThan(40);
    // Longer waits stay accurate too (a timer for the bulk, then yielding to the deadline); never early.
    const slept: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t1 = performance.now();
      await realClock.sleep(3.3);
      slept.push(performance.now() - t1);
    }
    expect(Math.min(...slept)).toBeGreaterThanOrEqual(3.3);
    expect(Math.min(...slept)).toBeLessThan(12);
  });
});
