/**
 * Starts a benchmark target in its own process, pinned to core 0 with `taskset` when available (the load
 * generator gets core 1), and waits for the line announcing its port. The object server runs as users run it:
 * the production bundle (`node servers/object-server/dist/strata.mjs serve`, built by scripts/build-server.mjs),
 * not TypeScript through tsx's loader, whose worker and esbuild service would add ~35 MB to the RSS measured.
 * Peak RSS is read from /proc/<pid>/status (VmHWM) while it runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BENCH_CREDENTIALS } from './credentials.ts';

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
  /**
   * Resets the peak (VmHWM) to the current RSS, so the next {@link SpawnedServer.peakRssMB} measures one phase
   * (`echo 5 > /proc/<pid>/clear_refs`, Linux ≥ 4.0; a no-op where that is not allowed).
   */
  resetPeakRss(): void;
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

/** The object server's production bundle (scripts/build-server.mjs writes it; `pnpm start` runs it). */
const repoRoot = join(here, '..', '..', '..');
export const SERVER_BUNDLE = join(repoRoot, 'servers', 'object-server', 'dist', 'strata.mjs');
let bundleBuilt = false;

/** Builds the bundle once per bench process (≈ 0.3 s), so a run never measures a stale one. */
function ensureBundle(): void {
  if (bundleBuilt) return;
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-server.mjs'), '--quiet'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`scripts/build-server.mjs failed (exit ${r.status})`);
  bundleBuilt = true;
}

/**
 * The command line of a target. `object-server` is what users run — `node dist/strata.mjs serve`, the bundle —
 * configured from BENCH_DATA and BENCH_BACKEND, unless BENCH_OBJECT_SERVER=source runs the TypeScript source
 * through tsx instead (servers/object-server.ts; the figures before the bundle existed). Every other target is
 * `servers/<script>.ts` under tsx.
 */
export function targetArgs(script: string, env: Record<string, string>): string[] {
  if (script !== 'object-server' || (env.BENCH_OBJECT_SERVER ?? process.env.BENCH_OBJECT_SERVER) === 'source') {
    return nodeArgs(join(here, `${script}.ts`));
  }
  ensureBundle();
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const backend = env.BENCH_BACKEND ?? 'file';
  return [
    process.execPath, ...extra, SERVER_BUNDLE, 'serve', '--host', '127.0.0.1', '--port', '0', '--backend', backend,
    '--data', env.BENCH_DATA ?? '/tmp/strata-bench-server',
    '--access-key', BENCH_CREDENTIALS.accessKeyId, '--secret-key', BENCH_CREDENTIALS.secretAccessKey,
  ];
}

/** The port a target announces: `LISTENING <port>` (bench targets) or `endpoint: http://host:<port>` (strata). */
const LISTENING = /LISTENING (\d+)|endpoint:\s+http:\/\/\S+:(\d+)/;

/** Starts target `script` (see {@link targetArgs}) with `env`, on `core`. */
export async function spawnServer(script: string, env: Record<string, string>, core = 0): Promise<SpawnedServer> {
  const args = targetArgs(script, env);
  const [cmd, ...rest] = hasTaskset ? ['taskset', '-c', String(core), ...args] : args;
  const child: ChildProcess = spawn(cmd as string, rest, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not start in 30 s`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = LISTENING.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1] ?? m[2]));
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
    resetPeakRss: () => {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        // not Linux, or not permitted: the peak then covers the process's whole life, as before
      }
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
