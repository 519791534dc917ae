/** Runs the autocannon child on core 1 and returns its parsed result. */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasTaskset, nodeArgs } from '../servers/spawn.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** What one autocannon run measured. */
export interface LoadResult {
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  requestsPerSec: number;
  total: number;
  non2xx: number;
  errors: number;
  throughputBytesPerSec: number;
  /** CPU the load generator used, in percent of one core. */
  cpuPercent: number;
}

/** Loads `url` for `seconds` with `connections` connections. */
export function runAutocannon(opts: { url: string; method: 'GET' | 'PUT'; bodyBytes?: number; seconds: number; connections: number }): Promise<LoadResult> {
  const [node, ...flags] = nodeArgs(join(here, 'autocannon-child.ts')).filter((a) => !a.startsWith('--cpu-prof'));
  const args = [node as string, ...flags, JSON.stringify(opts)];
  const [cmd, ...rest] = hasTaskset ? ['taskset', '-c', '1', ...args] : args;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd as string, rest, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as LoadResult);
      } catch {
        reject(new Error(`autocannon exited ${code}: ${out.slice(-300)}`));
      }
    });
  });
}
