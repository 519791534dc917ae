import { createFileStorage } from '@strata/file';
import { createRawFsTier } from './src/tiers/raw-fs.ts';
import { storageTier } from './src/tiers/storage-tier.ts';
import { measure } from './src/measure.ts';
import { rmSync, mkdirSync } from 'node:fs';
const dir = '/tmp/perfw/mp'; rmSync(dir, { recursive: true, force: true }); mkdirSync(dir, { recursive: true });
const raw = createRawFsTier(`${dir}/raw`);
const file = storageTier('file', createFileStorage({ root: `${dir}/file` }));
const data = Buffer.alloc(4096, 7);
const key = (i: number) => `bench/4KiB/${i % 32}`;
const only = process.argv[2];
for (const t of [raw, file]) for (let i = 0; i < 32; i++) await t.put(key(i), data);
for (const c of [1, 16]) {
  for (let r = 0; r < 3; r++) {
    for (const t of [raw, file]) {
      if (only && t.name !== only) continue;
      const m = await measure('put', t.name, 4096, { ops: c === 1 ? 1000 : 2000, repeats: 1, warmup: 50, concurrency: c, maxMs: 3000 }, (i) => t.put(key(i), data));
      const g = await measure('get', t.name, 4096, { ops: 5000, repeats: 1, warmup: 50, concurrency: c, maxMs: 3000 }, (i) => t.get(key(i)));
      console.log(`c${c} ${t.name.padEnd(12)} put ${m.opsPerSec.median.toFixed(0).padStart(6)} p50 ${m.latency.p50.toFixed(3)}  get ${g.opsPerSec.median.toFixed(0).padStart(6)} p50 ${g.latency.p50.toFixed(3)}`);
    }
  }
}
await file.close();
