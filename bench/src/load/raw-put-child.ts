/**
 * The in-process durable-put baseline, in its own process on the targets' core: the raw `node:fs` tier's put
 * (open a temp file, write, fsync, close, rename into place, fsync the directory) with `inFlight` puts at
 * once for `seconds`, no HTTP. It is what an HTTP PUT's durability costs at least, so the object server's
 * durable PUT is judged against it. Prints one JSON line. Args: a JSON object { dir, bytes, inFlight, seconds, keys }.
 */
import { performance } from 'node:perf_hooks';
import { summarize } from '../stats.ts';
import { createRawFsTier } from '../tiers/raw-fs.ts';
import { bodyPattern } from './wrk-lua.ts';

const opts = JSON.parse(process.argv[2] ?? '{}') as { dir: string; bytes: number; inFlight: number; seconds: number; keys: number };
const tier = createRawFsTier(opts.dir);
const data = Buffer.from(bodyPattern(opts.bytes));
let next = 0;
const key = () => `put/${next++ % opts.keys}`;

// Untimed warm-up: the first puts create the files and compile the path.
for (let i = 0; i < Math.min(opts.keys, 32); i++) await tier.put(key(), data);

const samples: number[] = [];
const started = performance.now();
const deadline = started + opts.seconds * 1000;
await Promise.all(
  Array.from({ length: opts.inFlight }, async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await tier.put(key(), data);
      samples.push(performance.now() - t0);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const lat = summarize(samples);
console.log(JSON.stringify({ okPerSec: samples.length / seconds, total: samples.length, latency: { p50: lat.p50, p90: lat.p90, p99: lat.p99, max: lat.max, mean: lat.mean } }));
