/**
 * Drives one round of load with wrk (a C load generator, Debian package `wrk`): one thread on its own core,
 * `connections` keep-alive connections, a generated Lua script cycling through the round's request paths.
 * One wrk thread on one core sustains several times the request rate of a Node server on the other core, so
 * the server, not the client, sets the pace; the CPU measured for both says whether that held.
 */
import { spawnSync } from 'node:child_process';
import type { LoadRound } from './load-round.ts';
import { runPinned } from './run-pinned.ts';
import { parseWrkOutput } from './wrk-output.ts';
import { writeWrkScript } from './wrk-lua.ts';
import type { WrkScriptSpec } from './wrk-lua.ts';

/** Whether a working `wrk` is on the PATH (`wrk -v` prints its version and exits 1, so only ENOENT counts). */
export const hasWrk: boolean = (() => {
  const r = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  return !r.error && /wrk/.test(`${r.stdout}${r.stderr}`);
})();

/** One round of wrk load. */
export interface WrkRoundOptions extends WrkScriptSpec {
  /** `http://host:port`: wrk connects there and sets the Host header from it. */
  origin: string;
  connections: number;
  seconds: number;
  /** The server process, whose CPU is measured over the round. */
  serverPid: number;
  /** Where the generated Lua script is written. */
  scriptDir: string;
  /** Names the script file (one per row). */
  name: string;
}

/** The command-line arguments of a wrk round. wrk takes whole seconds; a round lasts at least one. */
export function wrkArgs(script: string, opts: Pick<WrkRoundOptions, 'origin' | 'connections' | 'seconds'>): string[] {
  const seconds = Math.max(1, Math.round(opts.seconds));
  // --timeout 10s: a durable PUT behind 64 others may wait long on a slow disk; only a request stuck past
  // that counts as a timeout (and then as an error of the row).
  return ['-t1', `-c${opts.connections}`, `-d${seconds}s`, '--latency', '--timeout', '10s', '-s', script, `${opts.origin}/`];
}

/** Runs one round and returns what it measured; throws when wrk fails or prints no summary. */
export async function runWrk(opts: WrkRoundOptions): Promise<LoadRound> {
  const script = writeWrkScript(opts.scriptDir, opts.name, opts);
  const args = wrkArgs(script, opts);
  const run = await runPinned('wrk', args, { serverPid: opts.serverPid, timeoutMs: (Math.max(1, opts.seconds) + 30) * 1000 });
  if (run.code !== 0) throw new Error(`wrk exited with ${run.code}: ${run.stderr.slice(-400) || run.stdout.slice(-400)}`);
  const s = parseWrkOutput(run.stdout);
  const socketErrors = s.socketErrors.connect + s.socketErrors.read + s.socketErrors.write + s.socketErrors.timeout;
  return {
    generator: 'wrk',
    latency: { p50: s.latencyMs.p50, p90: s.latencyMs.p90, p99: s.latencyMs.p99, max: s.latencyMs.max, mean: s.latencyMs.mean },
    okPerSec: s.durationSec > 0 ? Math.max(0, s.requests - s.non2xx) / s.durationSec : 0,
    total: s.requests,
    non2xx: s.non2xx,
    socketErrors,
    generatorCpuPct: run.generatorCpuPct,
    serverCpuPct: run.serverCpuPct,
  };
}
