/**
 * Through the AWS SDK against the object server in its own process: the S3 adapter against
 * raw `@aws-sdk/client-s3` for 4 KiB and 64 MiB get/put in the same run (goal: ≤ 5 % overhead), and one large
 * streamed upload and download with the server's peak RSS (goal: < 150 MB during a 2 GiB upload).
 *
 * Like with like: the baseline `raw client-s3` uses the client settings the adapter builds its client with
 * (`requestChecksumCalculation` / `responseChecksumValidation` = `WHEN_REQUIRED`, packages/s3/src/core.ts).
 * With the SDK's defaults (`WHEN_SUPPORTED`) a raw put also computes a CRC32 that the server verifies and
 * stores, and a raw get validates it; that client is measured too, as `raw client-s3 (SDK default checksums)`,
 * for information. Both raw tiers and the adapter send an in-memory body's SHA-256 in the signature.
 *
 * The comparison is interleaved: the tiers take turns operation by operation, in every order in turn, so
 * drift on a shared machine hits all alike; the operations are grouped into many short rounds (one operation
 * per round for 64 MiB), a round's rate is one over its median operation time, and the rounds give each
 * tier's median with min–max. The adapter's row adds the median of
 * its per-round overhead against the raw tier in the same round (`paired`), the figure least disturbed by a
 * neighbour's load, and every row the client's CPU per operation (`clientCpuMsPerOp`). BENCH_SDK_ROUNDS
 * overrides the number of rounds. The 64 MiB put and get with the SDK's default checksums are also compared with
 * their limits, bare fastify routes driven by the same client (sdk-limits.ts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createS3Storage } from '@strata/s3';
import type { BenchMode, Scenario } from '../context.ts';
import type { Measurement } from '../measure.ts';
import { payload, sizeLabel } from '../payload.ts';
import type { ScenarioGroup } from '../report-types.ts';
import { BENCH_CREDENTIALS, BENCH_REGION } from '../servers/credentials.ts';
import { spawnServer } from '../servers/spawn.ts';
import { sdkLimitGroups } from './sdk-limits.ts';
import { cdf, spread, summarize } from '../stats.ts';

const MiB = 2 ** 20;
const RAW = 'raw client-s3';
const RAW_DEFAULT = 'raw client-s3 (SDK default checksums)';
const ADAPTER = 's3 adapter';

/** A stream of `total` bytes made of one repeated 1 MiB block: no memory grows with the size. */
function generated(total: number): Readable {
  const block = payload(MiB, 9);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(MiB, total - sent);
      sent += n;
      this.push(n === MiB ? block : block.subarray(0, n));
    },
  });
}

async function drain(body: unknown): Promise<number> {
  let n = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) n += chunk.length;
  return n;
}

/** How one size is compared: `rounds` turns per tier of `opsPerRound` sequential operations. */
interface InterleavePlan {
  rounds: number;
  opsPerRound: number;
  /** Untimed operations per tier before the first round. */
  warmup: number;
  /** No new round starts after this long (at least 3 rounds always run). */
  budgetMs: number;
}

/**
 * The interleaving for `bytes`-sized `op`s in `mode`. A large get (~60 ms) varies most from one operation to
 * the next and costs a fifth of a large put, so it gets twice the rounds.
 */
export function interleavePlan(mode: BenchMode, bytes: number, op: 'put' | 'get', env: NodeJS.ProcessEnv = process.env): InterleavePlan {
  const large = bytes >= 4 * MiB;
  const more = large && op === 'get' ? 2 : 1;
  const byMode = {
    smoke: { rounds: 3, opsPerRound: large ? 1 : 10, warmup: 1, budgetMs: 5_000 },
    quick: { rounds: 21 * more, opsPerRound: large ? 1 : 60, warmup: large ? 2 : 30, budgetMs: 60_000 },
    full: { rounds: 41 * more, opsPerRound: large ? 1 : 200, warmup: large ? 3 : 100, budgetMs: 300_000 },
  }[mode];
  const rounds = Number(env.BENCH_SDK_ROUNDS ?? byMode.rounds);
  return { ...byMode, rounds: Number.isSafeInteger(rounds) && rounds >= 1 ? rounds : byMode.rounds };
}

/** A tier of the comparison: `op(i)` performs its i-th operation. */
interface Tier {
  name: string;
  op: (i: number) => Promise<unknown>;
}

/**
 * Runs the tiers in interleaved rounds (see the module doc) and returns one measurement per tier. The adapter's
 * measurement carries the paired overhead against `RAW` in `extra`.
 */
async function interleaved(scenario: string, bytes: number, tiers: Tier[], plan: InterleavePlan): Promise<Measurement[]> {
  const next = tiers.map(() => 0);
  const samples = tiers.map((): number[] => []);
  const roundMs = tiers.map((): number[] => []);
  const cpuMs = tiers.map((): number[] => []);
  for (const [t, tier] of tiers.entries()) for (let w = 0; w < plan.warmup; w++) await tier.op(next[t]!++);
  const deadline = performance.now() + plan.budgetMs;
  for (let r = 0; r < plan.rounds && (r < 3 || performance.now() < deadline); r++) {
    // Operation by operation, the tiers take turns in every order (A B C, B C A, C A B, C B A, A C B, B A C):
    // a round's time per tier is the sum of its own operations, so drift within the round — and whatever the
    // previous request left warm or cold — hits every tier alike.
    const round = tiers.map((): number[] => []);
    const cpu = tiers.map(() => 0);
    for (let k = 0; k < plan.opsPerRound; k++) {
      const turn = r * plan.opsPerRound + k;
      const order = tiers.map((_, t) => (t + turn) % tiers.length);
      if (Math.floor(turn / tiers.length) % 2 === 1) order.reverse();
      for (const t of order) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await tiers[t]!.op(next[t]!++);
        const ms = performance.now() - t0;
        const c = process.cpuUsage(c0);
        samples[t]!.push(ms);
        round[t]!.push(ms);
        cpu[t]! += (c.user + c.system) / 1000;
      }
    }
    for (const t of tiers.keys()) {
      // A round's time per operation is its median: a neighbour's stall lands on one tier's operation at
      // random and would move that tier's round sum alone (the stalls still show in p90/p99/max).
      roundMs[t]!.push(spread(round[t]!).median);
      cpuMs[t]!.push(cpu[t]! / plan.opsPerRound);
    }
  }
  const raw = tiers.findIndex((t) => t.name === RAW);
  return tiers.map((tier, t) => {
    const rates = roundMs[t]!.map((ms) => 1000 / ms);
    const opsPerSec = spread(rates);
    const mb = (v: number) => (v * bytes) / MiB;
    // The load generator's CPU per operation (this process: SDK, adapter, socket I/O): steadier than wall time
    // on a shared machine, and where an adapter's overhead lives.
    const extra: Record<string, string | number> = {
      rounds: rates.length,
      opsPerRound: plan.opsPerRound,
      clientCpuMsPerOp: Number(spread(cpuMs[t]!).median.toPrecision(3)),
    };
    if (tier.name === ADAPTER && raw >= 0) {
      const paired = spread(roundMs[t]!.map((ms, r) => ms / roundMs[raw]![r]! - 1));
      const pct = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)} %`;
      extra.paired = `${pct(paired.median)} (${pct(paired.min)}…${pct(paired.max)})`;
    }
    return {
      scenario,
      tier: tier.name,
      concurrency: 1,
      bytesPerOp: bytes,
      latency: summarize(samples[t]!),
      opsPerSec,
      mbPerSec: { median: mb(opsPerSec.median), min: mb(opsPerSec.min), max: mb(opsPerSec.max) },
      cdf: cdf(samples[t]!),
      extra,
    };
  });
}

export const sdkScenario: Scenario = {
  name: 'sdk',
  steps: () => 6,
  async run(ctx) {
    const data = join(ctx.dir, 'sdk-server');
    mkdirSync(data, { recursive: true });
    const server = await spawnServer('object-server', { BENCH_DATA: data, BENCH_BACKEND: 'file' });
    const endpoint = `http://127.0.0.1:${server.port}`;
    const base: S3ClientConfig = { endpoint, region: BENCH_REGION, credentials: BENCH_CREDENTIALS, forcePathStyle: true };
    // The adapter's own client settings (packages/s3/src/core.ts createS3Client): the like-for-like baseline.
    const client = new S3Client({ ...base, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    const defaultClient = new S3Client(base);
    const storage = createS3Storage({ endpoint, region: BENCH_REGION, bucket: 'bench', credentials: BENCH_CREDENTIALS, forcePathStyle: true });
    const groups: ScenarioGroup[] = [];
    try {
      await client.send(new CreateBucketCommand({ Bucket: 'bench' }));
      for (const size of [4096, ctx.mode === 'smoke' ? 4 * MiB : 64 * MiB]) {
        const body = payload(size, 5);
        const label = sizeLabel(size);
        const plans = { put: interleavePlan(ctx.mode, size, 'put'), get: interleavePlan(ctx.mode, size, 'get') };
        // Gets read keys the puts wrote: at least warm-up plus three rounds of them (fewer than 4 in tiny runs).
        const keys = Math.min(4, plans.put.warmup + Math.min(3, plans.put.rounds) * plans.put.opsPerRound);
        const rawPut = (c: S3Client, prefix: string) => (i: number) => c.send(new PutObjectCommand({ Bucket: 'bench', Key: `${prefix}/${i % keys}`, Body: body }));
        const rawGet = (c: S3Client, prefix: string) => async (i: number) => drain((await c.send(new GetObjectCommand({ Bucket: 'bench', Key: `${prefix}/${i % keys}` }))).Body);
        const puts: Tier[] = [
          { name: RAW, op: rawPut(client, 'raw') },
          { name: ADAPTER, op: (i) => storage.put(`ad/${i % keys}`, body) },
          { name: RAW_DEFAULT, op: rawPut(defaultClient, 'rawdef') },
        ];
        const gets: Tier[] = [
          { name: RAW, op: rawGet(client, 'raw') },
          { name: ADAPTER, op: async (i) => drain((await storage.get(`ad/${i % keys}`)).body) },
          { name: RAW_DEFAULT, op: rawGet(defaultClient, 'rawdef') },
        ];
        // Puts first: they write the objects the gets read.
        for (const [opName, tiers] of [['put', puts], ['get', gets]] as const) {
          const scenario = `sdk ${opName} ${label}`;
          // One group per operation: a group has one baseline, and a get compared with a put means nothing.
          groups.push({
            id: `sdk-${opName}-${label.replace(' ', '')}`,
            title: `AWS SDK ${opName} ${label}: S3 adapter vs raw client-s3 (object server, file backend; interleaved rounds)`,
            baselineTier: RAW,
            measurements: await interleaved(scenario, size, tiers, plans[opName]),
          });
        }
        ctx.progress(`sdk ${label}`);
      }
      groups.push(...(await sdkLimitGroups(ctx.mode, server, ctx.mode === 'smoke' ? 4 * MiB : 64 * MiB, ctx.dir)));
      ctx.progress('sdk limits');
      // One large streamed upload and download; the server's peak RSS is the figure that matters.
      const large = ctx.largeBytes;
      // The peak of this upload, not of the 64 MiB transfers above (VmHWM is the process's lifetime peak).
      server.resetPeakRss();
      const t0 = performance.now();
      await new Upload({ client, params: { Bucket: 'bench', Key: 'large', Body: generated(large) }, partSize: 16 * MiB, queueSize: 4 }).done();
      const upMs = performance.now() - t0;
      const rssAfterPut = server.peakRssMB();
      ctx.progress('sdk large put');
      const t1 = performance.now();
      const got = await drain((await client.send(new GetObjectCommand({ Bucket: 'bench', Key: 'large' }))).Body);
      const downMs = performance.now() - t1;
      if (got !== large) throw new Error(`large GET returned ${got} bytes, expected ${large}`);
      ctx.progress('sdk large get');
      const one = (scenario: string, msTaken: number, rss: number): Measurement => ({
        scenario,
        tier: 'object server (file)',
        concurrency: 1,
        bytesPerOp: large,
        latency: { count: 1, p50: msTaken, p90: msTaken, p99: msTaken, max: msTaken, mean: msTaken },
        opsPerSec: { median: 1000 / msTaken, min: 1000 / msTaken, max: 1000 / msTaken },
        mbPerSec: { median: large / MiB / (msTaken / 1000), min: large / MiB / (msTaken / 1000), max: large / MiB / (msTaken / 1000) },
        cdf: [[msTaken, 1]],
        extra: { serverPeakRssMB: Math.round(rss) },
      });
      groups.push({
        id: 'sdk-large',
        title: `One ${sizeLabel(large)} streamed upload (lib-storage, 16 MiB parts × 4) and download, with the server's peak RSS`,
        measurements: [one(`sdk put large ${sizeLabel(large)}`, upMs, rssAfterPut), one(`sdk get large ${sizeLabel(large)}`, downMs, server.peakRssMB())],
      });
      ctx.progress('sdk done');
    } finally {
      client.destroy();
      defaultClient.destroy();
      await storage.close();
      await server.stop();
    }
    return groups;
  },
};
