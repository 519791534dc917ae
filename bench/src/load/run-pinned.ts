/**
 * Runs a load generator as its own process pinned to one core (`taskset -c`, util-linux; the targets hold
 * core 0, see servers/spawn.ts) and measures its CPU and the server's over the same window from /proc. The
 * generator is `taskset`'s child only for the instant before `exec`, so the pid sampled is the generator's.
 */
import { spawn } from 'node:child_process';
import { hasTaskset } from '../servers/spawn.ts';
import { sampleCpu } from './proc-cpu.ts';

/** The core load generators run on; targets run on core 0. */
export const GENERATOR_CORE = 1;

/** A finished generator process. */
export interface PinnedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The generator's CPU over its run, percent of one core. */
  generatorCpuPct: number;
  /** The server's CPU over the same window, percent of one core (NaN without a server pid). */
  serverCpuPct: number;
}

/**
 * Runs `cmd args` on `core`, sampling its CPU and that of `serverPid`; the process is killed if it outlives
 * `timeoutMs`, so a hung generator cannot stall the bench.
 */
export function runPinned(cmd: string, args: string[], opts: { serverPid?: number; timeoutMs: number; core?: number }): Promise<PinnedRun> {
  const core = opts.core ?? GENERATOR_CORE;
  const [file, ...rest] = hasTaskset ? ['taskset', '-c', String(core), cmd, ...args] : [cmd, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(file as string, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid;
    if (pid === undefined) {
      child.once('error', reject);
      return;
    }
    const sampler = sampleCpu(opts.serverPid === undefined ? [pid] : [pid, opts.serverPid]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      sampler.stop();
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const [gen, server] = sampler.stop();
      resolve({ code, stdout, stderr, generatorCpuPct: gen?.percent ?? NaN, serverCpuPct: server?.percent ?? NaN });
    });
  });
}
