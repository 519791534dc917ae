/**
 * Runs one in-process backend's curve in a child process (scale-child.ts, under tsx with `--expose-gc` so the
 * RSS is read after a collection) and returns its result. The child is killed if it outlives its deadline by
 * more than a grace period, so a stuck fill cannot stall the run.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeArgs } from '../servers/spawn.ts';
import type { CurvePlan, CurveResult } from './scale-curve.ts';

/** The backends a child can hold. */
export type InProcessBackend = 'file' | 'block' | 'memory';

/** What a child measures. */
export interface ScaleJob {
  backend: InProcessBackend;
  /** Its report name (`file adapter`). */
  name: string;
  /** A scratch directory for its files. */
  dir: string;
  sizes: number[];
  plan: CurvePlan;
  /** Epoch milliseconds by which the curve must end. */
  deadline: number;
}

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'scale-child.ts');
/** Time a child may take past its deadline: its last measuring rounds and closing the store. */
const GRACE_MS = 120_000;

/** Runs `job` in a child; `progress` gets each size's label as it completes. */
export function runScaleChild(job: ScaleJob, progress: (label: string) => void): Promise<CurveResult> {
  const [node, ...args] = nodeArgs(CHILD);
  return new Promise((resolve, reject) => {
    const child = spawn(node as string, ['--expose-gc', ...args], {
      env: { ...process.env, BENCH_SCALE_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let result: CurveResult | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(0, job.deadline - Date.now()) + GRACE_MS);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line.startsWith('SCALE-PROGRESS ')) progress(line.slice('SCALE-PROGRESS '.length));
        else if (line.startsWith('SCALE-RESULT ')) result = JSON.parse(line.slice('SCALE-RESULT '.length)) as CurveResult;
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err = (err + d).slice(-4000);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (result) resolve(result);
      else reject(new Error(`the ${job.name} scale child exited (${signal ?? code}) without a result: ${err.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}
