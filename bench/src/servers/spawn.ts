/**
 * Starts a benchmark target in its own process, pinned to core 0 with `taskset` when available (the load
 * generator gets core 1), and waits for the `LISTENING <port>` line it prints. Peak RSS is read from
 * /proc/<pid>/status (VmHWM) while it runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Whether `taskset` exists (util-linux); without it processes are not pinned. */
export const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/** A running target process. */
export interface SpawnedServer {
  port: number;
  pid: number;
  /** Peak resident set size so far, in MB (VmHWM). */
  peakRssMB(): number;
  /** Current resident set size, in MB. */
  rssMB(): number;
  stop(): Promise<void>;
}

function procStatus(pid: number, field: string): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * `node --import tsx <script>`: the script runs in this very process. (The `tsx` CLI would run it in a child
 * of its own, so the pid — and the RSS and CPU read from /proc for it — would be the wrapper's, not the
 * server's.) BENCH_NODE_ARGS adds node flags, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a target.
 */
export function nodeArgs(script: string): string[] {
  const loader = pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return [process.execPath, ...extra, '--import', loader, script];
}

/** Runs `servers/<script>.ts` under tsx with `env`, on `core`. */
export async function spawnServer(script: string, env: Record<string, string>, core = 0): Promise<SpawnedServer> {
  const args = nodeArgs(join(here, `${script}.ts`));
  const [cmd, ...rest] = hasTaskset ? ['taskset', '-c', String(core), ...args] : args;
  const child: ChildProcess = spawn(cmd as string, rest, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not start in 30 s`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /LISTENING (\d+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
  const pid = child.pid as number;
  return {
    port,
    pid,
    peakRssMB: () => procStatus(pid, 'VmHWM'),
    rssMB: () => procStatus(pid, 'VmRSS'),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
