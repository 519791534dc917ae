import { open, rename, mkdir, rm } from 'node:fs/promises';
import { createFileStorage } from '@strata/file';
import { storageTier } from './src/tiers/storage-tier.ts';
import { measure } from './src/measure.ts';
const dir = '/tmp/perfw/rv'; await rm(dir, { recursive: true, force: true });
await mkdir(`${dir}/same`, { recursive: true }); await mkdir(`${dir}/stage`, { recursive: true }); await mkdir(`${dir}/tgt/a/b`, { recursive: true });
let n = 0;
async function put(tmpDir: string, target: string, targetDir: string, data: Buffer, datasync: boolean, flag = 'w') {
  const tmp = `${tmpDir}/.t${n++}`;
  const fh = await open(tmp, flag);
  try { await fh.writeFile(data); await (datasync ? fh.datasync() : fh.sync()); } finally { await fh.close(); }
  await rename(tmp, target);
  const d = await open(targetDir, 'r'); try { await d.sync(); } finally { await d.close(); }
}
const data = Buffer.alloc(4096, 7);
const file = storageTier('file', createFileStorage({ root: `${dir}/file` }));
const variants: Record<string, (i: number) => Promise<unknown>> = {
  rawSame: (i) => put(`${dir}/same`, `${dir}/same/k${i % 32}`, `${dir}/same`, data, false),
  rawCross: (i) => put(`${dir}/stage`, `${dir}/tgt/a/b/k${i % 32}`, `${dir}/tgt/a/b`, data, false),
  rawCrossDatasync: (i) => put(`${dir}/stage`, `${dir}/tgt/a/b/k${i % 32}`, `${dir}/tgt/a/b`, data, true, 'wx'),
  file: (i) => file.put(`a/b/k${i % 32}`, data),
};
const c = Number(process.argv[2] ?? 1);
const res: Record<string, number[]> = {};
for (let r = 0; r < 8; r++) for (const [name, op] of Object.entries(variants)) {
  const m = await measure('put', name, 4096, { ops: 400, repeats: 1, warmup: 20, concurrency: c, maxMs: 2000 }, op);
  (res[name] ??= []).push(m.opsPerSec.median);
}
for (const [k, v] of Object.entries(res)) { v.sort((a, b) => a - b); console.log(k.padEnd(18), 'median', v[4]!.toFixed(0), 'all', v.map((x) => x.toFixed(0)).join(' ')); }
await file.close();
