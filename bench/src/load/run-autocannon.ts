/**
 * Runs one round of load with autocannon, the fallback when wrk is not installed, in a child process on the
 * generator's core, with its CPU and the server's read from /proc like a wrk round's. autocannon's single
 * JavaScript thread is often the bottleneck against a fast server, so its rows are client-bound more often:
 * the report says so row by row instead of crediting the server with the client's ceiling.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeArgs } from '../servers/spawn.ts';
import type { LoadRound } from './load-round.ts';
import { runPinned } from './run-pinned.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** One round of autocannon load (the same request list as a wrk round). */
export interface AutocannonRoundOptions {
  origin: string;
  method: 'GET' | 'PUT';
  paths: string[];
  bodyBytes?: number;
  seconds: number;
  connections: number;
  serverPid: number;
}

/** Runs one round and returns what it measured. */
export async function runAutocannon(opts: AutocannonRoundOptions): Promise<LoadRound> {
  const { serverPid, ...childOpts } = opts;
  // A target's profiling flags (BENCH_NODE_ARGS) are not for the generator.
  const [node, ...flags] = nodeArgs(join(here, 'autocannon-child.ts')).filter((a) => !a.startsWith('--cpu-prof'));
  const run = await runPinned(node as string, [...flags, JSON.stringify(childOpts)], { serverPid, timeoutMs: (opts.seconds + 30) * 1000 });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  let parsed: Omit<LoadRound, 'generator' | 'generatorCpuPct' | 'serverCpuPct'>;
  try {
    parsed = JSON.parse(line) as typeof parsed;
  } catch {
    throw new Error(`autocannon exited ${run.code}: ${run.stderr.slice(-300) || run.stdout.slice(-300)}`);
  }
  return { generator: 'autocannon', ...parsed, generatorCpuPct: run.generatorCpuPct, serverCpuPct: run.serverCpuPct };
}
