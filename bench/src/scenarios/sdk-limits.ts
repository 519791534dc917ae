/**
 * A 64 MiB PutObject and GetObject through the AWS SDK with its default checksums (aws-chunked bodies with a
 * CRC32 trailer on PUT, a validated CRC32 on GET) against the object server, each beside its limit measured by
 * the same client in the same run: a bare fastify route that drains the body and one that sends a 64 MiB
 * buffer with its CRC32 (servers/bare-fastify.ts), and for PUT the in-process limit of a durable put — the same
 * bytes hashed with the same algorithms, written and fsynced, no HTTP (sdk-limits-child.ts). The goals: GET
 * within 1.15× of the fastify route's time, PUT within 1.25× of the in-process limit's; the PUT drain route
 * is reported beside them (it neither hashes nor writes, so it is not the server's floor).
 *
 * Like the HTTP rows, the servers run on core 0 and the client in its own process on the generator core
 * (sdk-limits-child.ts through load/run-pinned.ts). The client's CPU per operation is recorded: a row whose
 * client was busier than the client-bound threshold in any operation measured the client, not the server,
 * and judges no goal (`clientBound` in the row's extras).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchMode } from '../context.ts';
import { isClientBound } from '../load/load-round.ts';
import { runPinned } from '../load/run-pinned.ts';
import type { Measurement } from '../measure.ts';
import { sizeLabel } from '../payload.ts';
import type { ScenarioGroup } from '../report-types.ts';
import { hasTaskset, nodeArgs, spawnServer } from '../servers/spawn.ts';
import type { SpawnedServer } from '../servers/spawn.ts';
import { cdf, spread, summarize } from '../stats.ts';
import type { LimitsJob, LimitsResult, TierSamples } from './sdk-limits-child.ts';
import { SDK_LIMIT_TIERS, sdkLimitScenario } from './sdk-limit-names.ts';

const MiB = 2 ** 20;
const here = dirname(fileURLToPath(import.meta.url));

/** Rounds per mode: one operation per tier per round; a get is cheaper and noisier, so it gets more. */
function limitsPlan(mode: BenchMode, env: NodeJS.ProcessEnv): Pick<LimitsJob, 'rounds' | 'warmup' | 'budgetMs'> {
  const plan = {
    smoke: { rounds: { put: 3, get: 3 }, warmup: 1, budgetMs: 5_000 },
    quick: { rounds: { put: 15, get: 31 }, warmup: 2, budgetMs: 60_000 },
    full: { rounds: { put: 41, get: 81 }, warmup: 3, budgetMs: 300_000 },
  }[mode];
  const override = Number(env.BENCH_SDK_ROUNDS);
  return Number.isSafeInteger(override) && override >= 1 ? { ...plan, rounds: { put: override, get: override } } : plan;
}

/**
 * One tier's row from its samples; `pairedWith` (the limit's samples) adds the per-round time ratio. The
 * in-process limit (`inProcess`) is not a client waiting on a server: its core being busy is the work itself,
 * so it is never marked client-bound.
 */
function limitRow(scenario: string, tier: string, bytes: number, s: TierSamples, pairedWith?: TierSamples, inProcess = false): Measurement {
  const opsPerSec = spread(s.ms.map((ms) => 1000 / ms));
  const mb = (v: number) => (v * bytes) / MiB;
  const cpuPct = s.ms.map((ms, i) => (100 * s.cpuMs[i]!) / ms);
  const extra: Record<string, string | number> = {
    rounds: s.ms.length,
    clientCpuMsPerOp: Number(spread(s.cpuMs).median.toPrecision(3)),
    clientCpuPct: Math.round(spread(cpuPct).median),
    clientBound: inProcess ? 'n/a (no client)' : cpuPct.some(isClientBound) ? 'yes' : 'no',
  };
  if (pairedWith) {
    // Operations in the same round ran back to back: their ratio is the figure least moved by a neighbour.
    const paired = spread(s.ms.map((ms, i) => ms / pairedWith.ms[i]!));
    extra.paired = `${paired.median.toFixed(2)}× (${paired.min.toFixed(2)}…${paired.max.toFixed(2)})`;
  }
  return {
    scenario,
    tier,
    concurrency: 1,
    bytesPerOp: bytes,
    latency: summarize(s.ms),
    opsPerSec,
    mbPerSec: { median: mb(opsPerSec.median), min: mb(opsPerSec.min), max: mb(opsPerSec.max) },
    cdf: cdf(s.ms),
    extra,
  };
}

/**
 * Measures the limit rows against `server` (the object server, already running) with `bytes`-sized objects,
 * starting and stopping the bare route itself. Returns one group for PUT and one for GET.
 */
export async function sdkLimitGroups(mode: BenchMode, server: SpawnedServer, bytes: number, dir: string, env: NodeJS.ProcessEnv = process.env): Promise<ScenarioGroup[]> {
  const bare = await spawnServer('bare-fastify', { BENCH_OBJECT_BYTES: String(bytes) });
  let result: LimitsResult;
  try {
    const job: LimitsJob = {
      endpoints: { server: `http://127.0.0.1:${server.port}`, limit: `http://127.0.0.1:${bare.port}` },
      dir,
      bytes,
      ...limitsPlan(mode, env),
    };
    const [cmd, ...args] = nodeArgs(join(here, 'sdk-limits-child.ts'));
    const run = await runPinned(cmd!, [...args, JSON.stringify(job)], { serverPid: server.pid, timeoutMs: 4 * job.budgetMs + 120_000 });
    if (run.code !== 0) throw new Error(`sdk limits client exited with ${run.code}: ${run.stderr.trim().slice(-2000)}`);
    result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as LimitsResult;
  } finally {
    await bare.stop();
  }
  const label = sizeLabel(bytes);
  const cores = hasTaskset ? 'servers on core 0, client on core 1' : 'unpinned (no taskset)';
  return (['put', 'get'] as const).map((op): ScenarioGroup => {
    const scenario = sdkLimitScenario(op, bytes);
    const ours = result[op].server;
    const limit = op === 'put' ? result.put.operation : result.get.limit;
    const limitTier = op === 'put' ? SDK_LIMIT_TIERS.operationPut : SDK_LIMIT_TIERS.get;
    const measurements = [limitRow(scenario, SDK_LIMIT_TIERS.server, bytes, ours, limit), limitRow(scenario, limitTier, bytes, limit, undefined, op === 'put')];
    if (op === 'put') {
      measurements.push(limitRow(scenario, SDK_LIMIT_TIERS.inProcessPut, bytes, result.put.inProcess, undefined, true));
      measurements.push(limitRow(scenario, SDK_LIMIT_TIERS.put, bytes, result.put.limit));
    }
    const hashes = `MD5 + CRC32${result.putHashesPayload ? ' + SHA-256' : ''}`;
    return {
      id: `sdk-${op}-${label.replace(' ', '')}-limit`,
      title:
        op === 'put'
          ? `AWS SDK PutObject ${label} with default checksums: object server vs the operation's limit (the SDK's own request work, no network, then the in-process put: ${hashes}, write, fsync, rename), the in-process put alone and a bare fastify route draining the body (same client, interleaved; ${cores})`
          : `AWS SDK GetObject ${label} with default checksums: object server vs a bare fastify route sending one buffer (same client, interleaved; ${cores})`,
      baselineTier: limitTier,
      measurements,
    };
  });
}
