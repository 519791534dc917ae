/**
 * HTTP under load. Servers run in their own processes on core 0; the load generator — wrk, one thread, on
 * core 1 (autocannon when wrk is missing) — cycles through presigned URLs. Three groups:
 * - GET 4 KiB, 64 connections: the object server (read cache on and off), a bare fastify route returning the
 *   same bytes (the ceiling), and s3rver (the peer);
 * - GET 1 MiB, 10 connections: the object server and a fastify route sending the same 1 MiB buffer;
 * - durable PUT 4 KiB, 64 connections: the object server on the file and the block backend, the bare route
 *   (drains the body), the bare route storing each body with the floor's durable put, and s3rver, against the
 *   in-process floor of durability — the raw tmp + fsync + rename + directory fsync put with 16 in flight, no
 *   HTTP, on the servers' core.
 *
 * Every row carries the generator's CPU and the server's (load-round.ts): a row whose generator core was
 * saturated measured the client and is marked client-bound; a row with failed requests is marked with them.
 * Rounds rotate through a group's rows (A B C, B C A, …) so a burst of load from elsewhere on a shared machine
 * hits every row alike.
 */
import { join } from 'node:path';
import type { BenchContext, Scenario } from '../context.ts';
import { loadFacts } from '../load/load-round.ts';
import type { LoadRound } from '../load/load-round.ts';
import { chooseGenerator, runLoadRound } from '../load/run-load.ts';
import type { GeneratorChoice } from '../load/run-load.ts';
import { runRawPut } from '../load/run-raw-put.ts';
import type { RawPutRound } from '../load/run-raw-put.ts';
import { bodyPattern } from '../load/wrk-lua.ts';
import type { Measurement } from '../measure.ts';
import type { ScenarioGroup } from '../report-types.ts';
import { hasTaskset } from '../servers/spawn.ts';
import { spread } from '../stats.ts';
import { RAW_PUT_IN_FLIGHT, RAW_PUT_TIER } from './http-names.ts';
import { requestPaths, startHttpServer, warmUp } from './http-targets.ts';
import type { HttpServerId, LiveServer } from './http-targets.ts';


/** One table of the scenario. */
export interface HttpGroupSpec {
  id: string;
  scenario: string;
  method: 'GET' | 'PUT';
  size: number;
  connections: number;
  /** Distinct objects the rows cycle through. */
  keys: number;
  baselineTier: string;
  servers: HttpServerId[];
  /** Adds the in-process durable-put floor as a row. */
  rawPutBaseline?: boolean;
}

export const HTTP_GROUPS: HttpGroupSpec[] = [
  { id: 'http-get', scenario: 'http GET 4 KiB', method: 'GET', size: 4096, connections: 64, keys: 32, baselineTier: 'bare fastify', servers: ['strata-file', 'strata-file-nocache', 'bare-4k', 's3rver'] },
  { id: 'http-get-1mib', scenario: 'http GET 1 MiB', method: 'GET', size: 2 ** 20, connections: 10, keys: 8, baselineTier: 'bare fastify', servers: ['strata-file', 'bare-1m'] },
  { id: 'http-put', scenario: 'http PUT 4 KiB', method: 'PUT', size: 4096, connections: 64, keys: 64, baselineTier: RAW_PUT_TIER, servers: ['strata-file', 'strata-block', 'bare-4k', 'bare-durable', 's3rver'], rawPutBaseline: true },
];

/** A row ready to be loaded. */
type Row =
  | { kind: 'http'; live: LiveServer; paths: string[]; rounds: LoadRound[] }
  | { kind: 'raw'; rounds: RawPutRound[] };

const rowCount = (g: HttpGroupSpec) => g.servers.length + (g.rawPutBaseline ? 1 : 0);

function generatorLabel(choice: GeneratorChoice): string {
  const cores = hasTaskset ? 'on core 1; servers on core 0' : 'unpinned (no taskset): generator and server share the cores';
  if (choice.generator === 'wrk') return `wrk, 1 thread ${cores}`;
  return `autocannon ${cores} (${choice.note ?? 'fallback'}; install wrk: autocannon rows are often client-bound)`;
}

const medianOf = (values: number[]) => spread(values).median;

function httpMeasurement(group: HttpGroupSpec, live: LiveServer, rounds: LoadRound[], note: string | undefined): Measurement {
  const rate = spread(rounds.map((r) => r.okPerSec));
  const lat = (k: keyof LoadRound['latency']) => medianOf(rounds.map((r) => r.latency[k]));
  const mb = (v: number) => (v * group.size) / 2 ** 20;
  const facts = loadFacts(rounds, note);
  return {
    scenario: group.scenario,
    tier: live.tier,
    concurrency: group.connections,
    bytesPerOp: group.size,
    latency: { count: rounds.reduce((n, r) => n + r.total, 0), p50: lat('p50'), p90: lat('p90'), p99: lat('p99'), max: lat('max'), mean: lat('mean') },
    opsPerSec: rate,
    mbPerSec: { median: mb(rate.median), min: mb(rate.min), max: mb(rate.max) },
    cdf: [[lat('p50'), 0.5], [lat('p90'), 0.9], [lat('p99'), 0.99], [lat('max'), 1]],
    extra: { non2xx: facts.errors.non2xx, socketErrors: facts.errors.socket, serverPeakRssMB: Math.round(live.server.peakRssMB()) },
    load: facts,
  };
}

function rawMeasurement(group: HttpGroupSpec, rounds: RawPutRound[]): Measurement {
  const rate = spread(rounds.map((r) => r.okPerSec));
  const lat = (k: keyof RawPutRound['latency']) => medianOf(rounds.map((r) => r.latency[k]));
  const mb = (v: number) => (v * group.size) / 2 ** 20;
  return {
    scenario: group.scenario,
    tier: RAW_PUT_TIER,
    concurrency: RAW_PUT_IN_FLIGHT,
    bytesPerOp: group.size,
    latency: { count: rounds.reduce((n, r) => n + r.total, 0), p50: lat('p50'), p90: lat('p90'), p99: lat('p99'), max: lat('max'), mean: lat('mean') },
    opsPerSec: rate,
    mbPerSec: { median: mb(rate.median), min: mb(rate.min), max: mb(rate.max) },
    cdf: [[lat('p50'), 0.5], [lat('p90'), 0.9], [lat('p99'), 0.99], [lat('max'), 1]],
    extra: { inFlight: RAW_PUT_IN_FLIGHT, processCpuPct: Math.round(medianOf(rounds.map((r) => r.cpuPct))) },
  };
}

/** Prepares a group's rows: paths signed and every row warmed up; a row that cannot is skipped, with why. */
async function prepareRows(ctx: BenchContext, group: HttpGroupSpec, servers: Map<HttpServerId, LiveServer>): Promise<Row[]> {
  const rows: Row[] = [];
  const body = group.method === 'PUT' ? Buffer.from(bodyPattern(group.size)) : undefined;
  for (const id of group.servers) {
    const live = servers.get(id);
    if (!live) continue;
    try {
      const paths = await requestPaths(live, group.method, group.size, group.keys);
      await warmUp(live.origin, group.method, paths, body);
      rows.push({ kind: 'http', live, paths, rounds: [] });
    } catch (e) {
      ctx.skip(`${group.scenario} ${live.tier}`, (e as Error).message);
    }
  }
  if (group.rawPutBaseline) rows.push({ kind: 'raw', rounds: [] });
  return rows;
}

async function runGroup(ctx: BenchContext, group: HttpGroupSpec, servers: Map<HttpServerId, LiveServer>, choice: GeneratorChoice, repeats: number): Promise<ScenarioGroup> {
  const rows = await prepareRows(ctx, group, servers);
  const failed = new Set<Row>();
  for (let r = 0; r < repeats; r++) {
    const turn = rows.map((_, k) => rows[(k + r) % rows.length] as Row);
    for (const row of turn) {
      if (failed.has(row)) continue;
      try {
        if (row.kind === 'raw') {
          const dir = join(ctx.dir, 'http-raw-put');
          row.rounds.push(await runRawPut({ dir, bytes: group.size, inFlight: RAW_PUT_IN_FLIGHT, seconds: ctx.httpSeconds, keys: group.keys, core: 0 }));
        } else {
          const { live, paths } = row;
          const round = await runLoadRound(choice.generator, {
            origin: live.origin,
            method: group.method,
            paths,
            bodyBytes: group.method === 'PUT' ? group.size : undefined,
            connections: group.connections,
            seconds: ctx.httpSeconds,
            serverPid: live.server.pid,
            scriptDir: join(ctx.dir, 'wrk-scripts'),
            name: `${group.id}-${live.id}`,
          });
          row.rounds.push(round);
        }
      } catch (e) {
        failed.add(row);
        ctx.skip(`${group.scenario} ${row.kind === 'raw' ? RAW_PUT_TIER : row.live.tier}`, (e as Error).message);
      }
    }
  }
  const measurements: Measurement[] = [];
  for (const row of rows) {
    if (failed.has(row) || row.rounds.length === 0) continue;
    measurements.push(row.kind === 'raw' ? rawMeasurement(group, row.rounds) : httpMeasurement(group, row.live, row.rounds, choice.note));
    ctx.progress(`${group.scenario} ${row.kind === 'raw' ? 'raw' : row.live.tier}`);
  }
  const verb = group.method === 'PUT' ? 'durable PUT' : 'GET';
  return {
    id: group.id,
    title: `HTTP ${verb} ${group.scenario.split(' ').slice(2).join(' ')}, ${group.connections} connections, presigned URLs (${generatorLabel(choice)})`,
    baselineTier: group.baselineTier,
    measurements,
  };
}

export const httpLoad: Scenario = {
  name: 'http',
  steps: () => HTTP_GROUPS.reduce((n, g) => n + rowCount(g), 0),
  async run(ctx) {
    const repeats = ctx.mode === 'full' ? 3 : ctx.mode === 'quick' ? 2 : 1;
    const choice = chooseGenerator();
    if (choice.note) process.stderr.write(`bench http: load generator autocannon (${choice.note}); apt-get install wrk for honest rows\n`);
    const servers = new Map<HttpServerId, LiveServer>();
    try {
      for (const id of new Set(HTTP_GROUPS.flatMap((g) => g.servers))) {
        try {
          servers.set(id, await startHttpServer(id, join(ctx.dir, 'http')));
        } catch (e) {
          ctx.skip(`http server ${id}`, (e as Error).message);
        }
      }
      const groups: ScenarioGroup[] = [];
      for (const group of HTTP_GROUPS) groups.push(await runGroup(ctx, group, servers, choice, repeats));
      return groups;
    } finally {
      await Promise.all([...servers.values()].map(({ server }) => server.stop()));
    }
  },
};
