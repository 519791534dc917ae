/**
 * Runs the in-process durable-put baseline (raw-put-child.ts) on the targets' core and reads its CPU from
 * /proc like a server's, so its row sits in the HTTP PUT table beside the servers it bounds.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeArgs } from '../servers/spawn.ts';
import { runPinned } from './run-pinned.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** What one baseline round measured. Latency in milliseconds. */
export interface RawPutRound {
  okPerSec: number;
  total: number;
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** The baseline process's CPU, percent of one core. */
  cpuPct: number;
}

/** Runs `inFlight` raw durable puts of `bytes` at once for `seconds` in `dir`, pinned to `core`. */
export async function runRawPut(opts: { dir: string; bytes: number; inFlight: number; seconds: number; keys: number; core: number }): Promise<RawPutRound> {
  const { core, ...childOpts } = opts;
  const [node, ...flags] = nodeArgs(join(here, 'raw-put-child.ts')).filter((a) => !a.startsWith('--cpu-prof'));
  const run = await runPinned(node as string, [...flags, JSON.stringify(childOpts)], { core, timeoutMs: (opts.seconds + 60) * 1000 });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  try {
    return { ...(JSON.parse(line) as Omit<RawPutRound, 'cpuPct'>), cpuPct: run.generatorCpuPct };
  } catch {
    throw new Error(`raw put baseline exited ${run.code}: ${run.stderr.slice(-300) || run.stdout.slice(-300)}`);
  }
}
