/**
 * Crash testing: every write and flush of seeded workloads is a crash point, swept in four fault
 * modes; after each crash the surviving image must recover to a state the acknowledged operations allow.
 * The negative control proves the harness can fail.
 */
import { describe, expect, it } from 'vitest';
import { isStorageError } from '@strata/storage';
import { openPageDevice } from '../src/index.ts';
import { createCrashDevice, CrashError, FAULT_MODES } from '../src/testing/crash-device.ts';
import { DEFAULT_HARNESS, formatImage, runCrashPoint, sweepSeed } from '../src/testing/crash-harness.ts';
import { createMemoryMedium } from '../src/device/memory-medium.ts';

const base = await formatImage(DEFAULT_HARNESS);
/** The device translates the medium's CrashError into a StorageError, keeping it as the cause. */
const dead = (e: unknown) => e instanceof CrashError || (e as Error).cause instanceof CrashError;

describe('crash-simulating device', () => {
  it('keeps flushed writes, applies the fault to unflushed ones, then goes dead', async () => {
    const page = (v: number) => Buffer.alloc(512, v);
    const survivors = new Map<string, Buffer>();
    for (const mode of FAULT_MODES) {
      // Points: write(1) flush: guard page write(2) + sync(3), write(4) write(5) write(6, crash).
      const { device, medium } = await createCrashDevice({ image: base, crashAt: 6, mode, seed: 3 });
      await device.write(100, page(1), 1);
      await device.flush();
      await device.write(101, Buffer.concat([page(2), page(2)]), 2);
      await device.write(103, page(3), 3);
      await expect(device.write(104, page(4), 4)).rejects.toSatisfy(dead);
      await expect(device.read(100)).rejects.toSatisfy(dead);
      await expect(device.flush()).rejects.toSatisfy(dead);
      expect(medium.crashed).toBe(true);
      survivors.set(mode, medium.survivor());
    }
    for (const [mode, image] of survivors) {
      const d = await openPageDevice(createMemoryMedium(image));
      expect((await d.read(100, 1, { expectTag: 1 }))[0]).toBe(1);
      const outcome = async (p: number, tag: number) =>
        d.read(p, 1, { expectTag: tag }).then(
          () => 'new',
          (e: unknown) => (isStorageError(e) && e.code === 'Corrupted' ? (e.message.includes('torn') ? 'torn' : 'lost') : 'error'),
        );
      const seen = await Promise.all([outcome(101, 2), outcome(102, 2), outcome(103, 3), outcome(104, 4)]);
      expect(seen).not.toContain('error');
      if (mode === 'drop') expect(seen).toEqual(['lost', 'lost', 'lost', 'lost']);
      else expect(seen).not.toContain(mode === 'torn' ? 'never' : 'torn');
    }
  });

  it('tears a write at sector granularity: the page is detected, never returned', async () => {
    let torn = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const { device, medium } = await createCrashDevice({ image: base, crashAt: 1, mode: 'torn', seed });
      await expect(device.write(50, Buffer.alloc(4 * 512, 7), 9)).rejects.toSatisfy(dead);
      const d = await openPageDevice(createMemoryMedium(medium.survivor()));
      for (let p = 50; p < 54; p++) {
        const r = await d.read(p, 1, { expectTag: 9 }).then(
          (b) => (b.every((x) => x === 7) ? 'whole' : 'WRONG'),
          (e: unknown) => (isStorageError(e) && e.code === 'Corrupted' ? 'detected' : 'error'),
        );
        expect(r).not.toBe('WRONG');
        expect(r).not.toBe('error');
        if (r === 'detected') torn++;
      }
    }
    expect(torn).toBeGreaterThan(0);
  });
});

describe('crash harness', () => {
  it('sweeps ≥ 5,000 crash points across 4 fault modes with zero violations', { timeout: 240_000 }, async () => {
    let points = 0;
    const violations: string[] = [];
    const perMode = Object.fromEntries(FAULT_MODES.map((m) => [m, 0]));
    const sweep = async (image: Buffer, config: typeof DEFAULT_HARNESS, seed: number) => {
      for (const mode of FAULT_MODES) {
        const r = await sweepSeed(image, config, seed, [mode]);
        points += r.crashPoints;
        perMode[mode]! += r.crashPoints;
        violations.push(...r.violations.map((v) => `${config.pageSize}-byte pages: ${v}`));
      }
    };
    // Two seeds on 4 KiB pages, where a torn write can split one page across its eight sectors.
    const big = { ...DEFAULT_HARNESS, pageSize: 4096, pageCount: 96, journalPages: 12, inlineMax: 1024, minPartSize: 5000 };
    const bigBase = await formatImage(big);
    for (const seed of [101, 102]) await sweep(bigBase, big, seed);
    // Two seeds on a device too small for the workload (8 data pages): it grows several times mid-workload, so
    // crashes land inside grow (header copies, resize) too.
    const tiny = { ...DEFAULT_HARNESS, pageCount: 26 };
    const tinyBase = await formatImage(tiny);
    for (const seed of [201, 202]) await sweep(tinyBase, tiny, seed);
    let seed = 0;
    while (points < 5000 && seed < 60) await sweep(base, DEFAULT_HARNESS, ++seed);
    console.log(`crash harness: ${points} distinct crash points (${seed} seeds on 512-byte pages + 2 on 4 KiB pages + 2 on a growing device)`, perMode);
    expect(violations.slice(0, 20)).toEqual([]);
    expect(points).toBeGreaterThanOrEqual(5000);
    expect(Object.values(perMode).filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
  });

  it('NEGATIVE CONTROL: committing records before their data is flushed makes the harness report violations', { timeout: 120_000 }, async () => {
    const unsafe = { ...DEFAULT_HARNESS, unsafe: true };
    const violations: string[] = [];
    for (let seed = 1; seed <= 2 && violations.length === 0; seed++) {
      for (const mode of ['subset', 'reorder'] as const) violations.push(...(await sweepSeed(base, unsafe, seed, [mode])).violations);
    }
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.join('\n')).toMatch(/stale|missing|holds/);
    // A failing point replays exactly from its seed, mode and point.
    const m = /seed (\d+) mode (\w+) point (\d+)/.exec(violations[0]!)!;
    const again = await runCrashPoint(base, unsafe, Number(m[1]), m[2] as 'subset', Number(m[3]));
    const first = violations.filter((v) => v.startsWith(`seed ${m[1]} mode ${m[2]} point ${m[3]}`));
    expect(again.violations).toEqual(first);
  });
});
