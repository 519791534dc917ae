/**
 * Raw page I/O: the page device on an image file against raw `pread`/`pwrite` of the same bytes on
 * the same disk (goal ≥ 0.8× ops/s without a latency profile), sequential and random, and the device under
 * each emulated media profile (NVMe, EBS gp3, HDD) in real time.
 *
 * The raw-vs-device comparison is interleaved: both tiers are open at once, get the same warm-up (enough for
 * the JIT to optimise either side, so neither is measured half-interpreted), then take turns round by round
 * (raw, device, device, raw, …) so a neighbour's load on the shared machine hits both alike. Each tier walks
 * the same page sequence. A round's rate is its operations over its wall time (GC pauses included); the rounds
 * give the median with min–max. Reads are shown twice for the device: `read(p, 1, { into })`, which, like the
 * raw `pread`, fills one reused buffer (the tier the goal is checked on: like for like), and `read(p)`, which
 * returns a new buffer per page (fresh memory costs about as much as the integrity check).
 *
 * A third tier in each comparison is the floor set by the integrity check itself: the raw pread/pwrite plus
 * the xxh64 of the page with the device's own per-page hasher (`loadHash64Halves`, the digest as two 32-bit
 * halves), and nothing else. The device verifies
 * every page it reads and stamps every page it writes, so it cannot beat that tier; how close it comes is the
 * device's own overhead (the aim: ≥ 0.9× of the floor), and the floor's ratio shows how much of a goal is
 * reachable on this machine at all. Most of that overhead on random pages is not code but memory: the device
 * must look at the page's 32-byte guard, and the guards of the 64 MiB area span 512 KiB, so a random page's
 * guard is seldom in the CPU cache (the floor has no such lookup; guards held in one small, cache-resident
 * region cost the same work a few percent at most). Both files are filled the same way, one 4 KiB write per page, so the page
 * cache holds them alike (see `deviceTier`).
 */
import { closeSync, fdatasyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LATENCY_PROFILES, loadHash64Halves, openFileDevice } from '@strata/block';
import type { PageDevice } from '@strata/block';
import type { BenchContext, BenchMode, Scenario } from '../context.ts';
import { measure } from '../measure.ts';
import type { Measurement } from '../measure.ts';
import { payload } from '../payload.ts';
import type { ScenarioGroup } from '../report-types.ts';
import { cdf, spread, summarize } from '../stats.ts';

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

/** A tier of the interleaved comparison: its i-th operation. */
interface Tier {
  name: string;
  op: (i: number) => Promise<unknown>;
}

/** Rounds, operations per round and warm-up operations per tier of the interleaved comparison. */
function interleavePlan(ctx: BenchContext): { rounds: number; ops: number; warmup: number } {
  const byMode: Record<BenchMode, { rounds: number; warmup: number }> = {
    smoke: { rounds: 3, warmup: 50 },
    // Many short rounds: a round is a few milliseconds, so on a shared machine one descheduling spoils a round,
    // and the median needs enough rounds that a few spoiled ones do not move it.
    quick: { rounds: 101, warmup: 3_000 },
    full: { rounds: 201, warmup: 10_000 },
  };
  return { ...byMode[ctx.mode], ops: ctx.plan(PAGE, 1).ops };
}

/** Runs `tiers` in interleaved rounds (see the module doc) and returns one measurement per tier. */
async function interleaved(scenario: string, tiers: Tier[], plan: { rounds: number; ops: number; warmup: number }): Promise<Measurement[]> {
  const next = tiers.map(() => 0);
  const samples = tiers.map((): number[] => []);
  const rates = tiers.map((): number[] => []);
  for (const [t, tier] of tiers.entries()) for (let w = 0; w < plan.warmup; w++) await tier.op(next[t]!++);
  // The page sequence restarts for the timed rounds, the same for every tier.
  next.fill(0);
  for (let r = 0; r < plan.rounds; r++) {
    const order = tiers.map((_, t) => (t + r) % tiers.length);
    if (r % 2 === 1) order.reverse();
    for (const t of order) {
      const op = tiers[t]!.op;
      const got = samples[t]!;
      const started = performance.now();
      // The same per-operation timing as `measure()`, so latencies are comparable with the other scenarios.
      for (let k = 0; k < plan.ops; k++) {
        const t0 = performance.now();
        await op(next[t]!++);
        got.push(performance.now() - t0);
      }
      rates[t]!.push(plan.ops / ((performance.now() - started) / 1000));
    }
  }
  return tiers.map((tier, t): Measurement => {
    const opsPerSec = spread(rates[t]!);
    const mb = (v: number) => (v * PAGE) / (1024 * 1024);
    return {
      scenario,
      tier: tier.name,
      concurrency: 1,
      bytesPerOp: PAGE,
      latency: summarize(samples[t]!),
      opsPerSec,
      mbPerSec: { median: mb(opsPerSec.median), min: mb(opsPerSec.min), max: mb(opsPerSec.max) },
      cdf: cdf(samples[t]!),
      extra: { rounds: plan.rounds, opsPerRound: plan.ops, warmup: plan.warmup },
    };
  });
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
  // Flushed like the device's image below, so both start from the same page-cache state (cached and clean).
  fdatasyncSync(fd);
  const hash = await loadHash64Halves();
  return {
    read: async (p: number) => void readSync(fd, buf, 0, PAGE, p * PAGE),
    write: async (p: number) => void writeSync(fd, data, 0, PAGE, p * PAGE),
    readHashed: async (p: number) => {
      readSync(fd, buf, 0, PAGE, p * PAGE);
      hash(buf);
    },
    writeHashed: async (p: number) => {
      hash(data);
      writeSync(fd, data, 0, PAGE, p * PAGE);
    },
    close: async () => closeSync(fd),
  };
}

async function deviceTier(ctx: BenchContext, name: string, latency?: (typeof LATENCY_PROFILES)[keyof typeof LATENCY_PROFILES]) {
  const device: PageDevice = await openFileDevice(join(ctx.dir, `${name}.img`), { create: { pageSize: PAGE, pageCount: PAGES }, latency });
  const data = payload(PAGE, 11);
  // Pre-write every page once so reads verify written pages (an unwritten page reads as zeros without a pread),
  // one 4 KiB write per page like the raw tier's file: the page cache keeps a file's pages in folios sized by the
  // writes that filled them, and larger folios make later random 4 KiB reads cheaper and writes dearer, so both
  // tiers must start from the same kind of cache state, not just the same bytes.
  for (let p = 0; p < PAGES; p++) await device.write(p, data);
  await device.flush();
  const into = Buffer.alloc(PAGE);
  // The device's own promise, not wrapped in another async function: one promise per operation, as the raw
  // tier's async wrapper makes one.
  return {
    read: (p: number): Promise<unknown> => device.read(p),
    readInto: (p: number): Promise<unknown> => device.read(p, 1, { into }),
    write: (p: number): Promise<unknown> => device.write(p, data),
    close: () => device.close(),
  };
}

export const deviceScenario: Scenario = {
  name: 'device',
  steps: () => 5,
  async run(ctx) {
    const groups = new Map<string, Measurement[]>();
    const add = (m: Measurement) => groups.set(m.scenario, [...(groups.get(m.scenario) ?? []), m]);
    const plan = interleavePlan(ctx);
    const raw = await rawTier(ctx);
    ctx.progress('device raw pread');
    const device = await deviceTier(ctx, 'device');
    try {
      // One warm-up of every operation of both tiers before the first scenario, so the first one measured
      // (sequential reads) does not pay for JIT compilation that the later ones get for free.
      for (const op of [raw.read, raw.readHashed, device.read, device.readInto, raw.write, raw.writeHashed, device.write]) {
        for (let i = 0; i < plan.warmup * 3; i++) await op(pageAt(i, true));
      }
      for (const random of [false, true]) {
        const kind = random ? 'random' : 'sequential';
        const at = (i: number) => pageAt(i, random);
        const reads = await interleaved(`page read 4 KiB ${kind}`, [
          { name: 'raw pread', op: (i) => raw.read(at(i)) },
          { name: 'raw pread + xxh64 (integrity floor)', op: (i) => raw.readHashed(at(i)) },
          { name: 'page device (image, read into a buffer)', op: (i) => device.readInto(at(i)) },
          { name: 'page device (image, new buffer per read)', op: (i) => device.read(at(i)) },
        ], plan);
        reads.forEach(add);
        const writes = await interleaved(`page write 4 KiB ${kind}`, [
          { name: 'raw pwrite', op: (i) => raw.write(at(i)) },
          { name: 'raw pwrite + xxh64 (integrity floor)', op: (i) => raw.writeHashed(at(i)) },
          { name: 'page device (image)', op: (i) => device.write(at(i)) },
        ], plan);
        writes.forEach(add);
      }
    } finally {
      await raw.close();
      await device.close();
    }
    ctx.progress('device page device (image)');
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
