// The file adapter's durable 4 KiB put against the raw sequence the storage scenario's baseline runs
// (open + write + fsync + close + rename + open dir + fsync + close, through node:fs/promises), in interleaved
// rounds in one process, same parent directory, same bytes, at concurrency 1 and 16. Prints the median ms per
// put of each and the ratio of throughputs (adapter / raw: the bench goal wants ≥ 0.8), with the load average.
// Usage (from the repository root, sources resolved):
//   NODE_OPTIONS=--conditions=@strata/source npx tsx bench/scripts/file-put-ratio.ts [DIR] [ROUNDS] [OPS]
// With PROFILE=1 it only runs the adapter (3000 puts at c1), for `node --cpu-prof` style profiles.
import { mkdirSync, rmSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createFileStorage } from '@strata/file';

const dir = resolve(process.argv[2] ?? '.data/file-put-ratio');
const rounds = Number(process.argv[3] ?? 7);
const ops = Number(process.argv[4] ?? 300);
rmSync(dir, { recursive: true, force: true });
const rawDir = join(dir, 'raw');
mkdirSync(rawDir, { recursive: true });
const storage = createFileStorage({ root: join(dir, 'file') });
const body = Buffer.alloc(4096, 7);
const SET = 32;

let tmpCounter = 0;
async function rawPut(i: number): Promise<void> {
  const tmp = join(rawDir, `.tmp-${tmpCounter++}`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(body);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(rawDir, `bench_4KiB_${i % SET}`));
  const d = await open(rawDir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

const adapterPut = async (i: number) => {
  await storage.put(`bench/4KiB/${i % SET}`, body);
};

/** Runs `count` puts with `concurrency` workers; ms per put (wall clock over the round). */
async function round(put: (i: number) => Promise<void>, count: number, concurrency: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await put(next++);
    }),
  );
  return (performance.now() - start) / count;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

if (process.env.PROFILE) {
  await round(adapterPut, 3000, 1);
} else {
  for (const c of [1, 16]) {
    await round(rawPut, 50, c);
    await round(adapterPut, 50, c);
    const times = { raw: [] as number[], adapter: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      // Alternate which goes first, so neither always follows the other's writeback.
      if (r % 2 === 0) {
        times.raw.push(await round(rawPut, ops, c));
        times.adapter.push(await round(adapterPut, ops, c));
      } else {
        times.adapter.push(await round(adapterPut, ops, c));
        times.raw.push(await round(rawPut, ops, c));
      }
    }
    const raw = median(times.raw);
    const adapter = median(times.adapter);
    console.log(
      `c${c}: raw ${raw.toFixed(3)} ms/put, adapter ${adapter.toFixed(3)} ms/put, ratio ${(raw / adapter).toFixed(2)}x ` +
        `(median of ${rounds} rounds of ${ops}; adapter rounds ${times.adapter.map((t) => t.toFixed(3)).join(' ')})`,
    );
  }
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}
await storage.close();
rmSync(dir, { recursive: true, force: true });
