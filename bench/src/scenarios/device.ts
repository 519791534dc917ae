/**
 * Raw page I/O (issue 4): the page device on an image file against raw `pread`/`pwrite` of the same bytes on
 * the same disk (goal ≥ 0.8× ops/s without a latency profile), sequential and random, and the device under
 * each emulated media profile (NVMe, EBS gp3, HDD) in real time.
 */
import { closeSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LATENCY_PROFILES, openFileDevice } from '@strata/block';
import type { PageDevice } from '@strata/block';
import type { BenchContext, Scenario } from '../context.ts';
import { measure } from '../measure.ts';
import type { Measurement } from '../measure.ts';
import { payload } from '../payload.ts';
import type { ScenarioGroup } from '../report-types.ts';

const PAGE = 4096;
const PAGES = 16_384; // a 64 MiB working area

/** A deterministic pseudo-random page sequence (xorshift), the same for every tier. */
function pageAt(i: number, random: boolean): number {
  if (!random) return i % PAGES;
  let x = (i + 1) * 0x9e3779b1;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return (x >>> 0) % PAGES;
}

/**
 * Raw positional I/O on a plain file of the same size: synchronous `pread`/`pwrite`, the fastest way Node
 * reaches the disk (no thread-pool round trip), so the ratio is against the best raw figure, not a slow one.
 */
async function rawTier(ctx: BenchContext) {
  const fd = openSync(join(ctx.dir, 'raw-pages.img'), 'w+');
  ftruncateSync(fd, PAGE * PAGES);
  const buf = Buffer.alloc(PAGE);
  const data = payload(PAGE, 11);
  for (let p = 0; p < PAGES; p++) writeSync(fd, data, 0, PAGE, p * PAGE);
  return {
    read: async (p: number) => void readSync(fd, buf, 0, PAGE, p * PAGE),
    write: async (p: number) => void writeSync(fd, data, 0, PAGE, p * PAGE),
    close: async () => closeSync(fd),
  };
}

async function deviceTier(ctx: BenchContext, name: string, latency?: (typeof LATENCY_PROFILES)[keyof typeof LATENCY_PROFILES]) {
  const device: PageDevice = await openFileDevice(join(ctx.dir, `${name}.img`), { create: { pageSize: PAGE, pageCount: PAGES }, latency });
  const data = payload(PAGE, 11);
  // Pre-write every page once so reads verify real slots, not holes.
  const chunk = Buffer.concat(Array.from({ length: 64 }, () => data));
  for (let p = 0; p < PAGES; p += 64) await device.write(p, chunk);
  await device.flush();
  return {
    read: async (p: number) => void (await device.read(p)),
    write: async (p: number) => void (await device.write(p, data)),
    close: () => device.close(),
  };
}

export const deviceScenario: Scenario = {
  name: 'device',
  steps: () => 5,
  async run(ctx) {
    const groups = new Map<string, Measurement[]>();
    const add = (m: Measurement) => groups.set(m.scenario, [...(groups.get(m.scenario) ?? []), m]);
    const tiers: Array<[string, () => Promise<{ read(p: number): Promise<void>; write(p: number): Promise<void>; close(): Promise<void> }>]> = [
      ['raw pread', () => rawTier(ctx)],
      ['page device (image)', () => deviceTier(ctx, 'device')],
    ];
    for (const [tier, make] of tiers) {
      const t = await make();
      try {
        for (const random of [false, true]) {
          const kind = random ? 'random' : 'sequential';
          const plan = ctx.plan(PAGE, 1);
          add(await measure(`page read 4 KiB ${kind}`, tier, PAGE, plan, (i) => t.read(pageAt(i, random))));
          const writeTier = tier === 'raw pread' ? 'raw pwrite' : tier;
          add(await measure(`page write 4 KiB ${kind}`, writeTier, PAGE, plan, (i) => t.write(pageAt(i, random))));
        }
      } finally {
        await t.close();
      }
      ctx.progress(`device ${tier}`);
    }
    // Emulated media, in real time: few operations, since an HDD read takes milliseconds.
    for (const profile of ['nvme', 'ebs-gp3', 'hdd'] as const) {
      const t = await deviceTier(ctx, `profile-${profile}`, LATENCY_PROFILES[profile]);
      try {
        const plan = { ...ctx.plan(PAGE, 1), ops: ctx.mode === 'smoke' ? 10 : ctx.mode === 'full' ? 500 : 100, warmup: 2 };
        add(await measure('page read 4 KiB random, emulated media', `page device (${profile})`, PAGE, plan, (i) => t.read(pageAt(i, true))));
      } finally {
        await t.close();
      }
      ctx.progress(`device ${profile}`);
    }
    return [...groups.entries()].map(([scenario, measurements]): ScenarioGroup => ({
      id: `device-${scenario.replace(/[^a-z0-9]+/gi, '-')}`,
      title: scenario,
      baselineTier: measurements.some((m) => m.tier === 'raw pread') ? 'raw pread' : measurements.some((m) => m.tier === 'raw pwrite') ? 'raw pwrite' : undefined,
      measurements,
    }));
  },
};
