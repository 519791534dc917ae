/**
 * Child processes for the consumer test: each with a time bound, its output kept for the failure message, and
 * the environment of a fresh shell — not this workspace's test settings (NODE_OPTIONS with tsx and the
 * `@strata/source` condition, which would point a consumer at sources its packages do not ship) nor the npm and
 * pnpm variables of a script run.
 */
import { spawn } from 'node:child_process';

/** What a finished command printed. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link run}. */
export interface RunOptions {
  cwd: string;
  /** Variables added to {@link freshEnv}. */
  env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) after this long. */
  timeoutMs: number;
}

// npm settings a machine may need to reach its registry; every other npm_* variable belongs to a script run.
const KEPT_NPM_CONFIG = /^npm_config_(registry|cache|userconfig|https?_proxy|proxy|noproxy|strict_ssl|cafile)$/i;

/** This process's environment as a fresh shell would have it (see the file header). */
export function freshEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const dropped = (name: string) =>
    ['NODE_OPTIONS', 'NODE_ENV', 'INIT_CWD'].includes(name) ||
    /^(VITEST|STRATA_|PNPM_)/i.test(name) ||
    (/^npm_/i.test(name) && !KEPT_NPM_CONFIG.test(name));
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !dropped(name))), ...extra };
}

/** Runs `command` to completion; rejects, with everything it printed, when it fails or outlives its bound. */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: freshEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const label = `${command} ${args.join(' ')}`;
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${label}: ${e.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ code, stdout, stderr });
      else {
        const why = signal === 'SIGKILL' ? `killed after ${options.timeoutMs} ms` : `exited with ${code ?? signal}`;
        reject(new Error(`${label} (in ${options.cwd}) ${why}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
      }
    });
  });
}
