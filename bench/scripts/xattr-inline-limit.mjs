#!/usr/bin/env node
// The largest `user.strata.meta` value a file system keeps inside the inode, and what crossing it costs a
// durable 4 KiB put. On ext4 an attribute that does not fit the inode's spare space goes to a separate 4 KiB
// block, which shows in st_blocks (8 sectors more); the file adapter's compact record (packages/file,
// record-codec.ts) is sized to stay under the limit. Then times the raw durable sequence (open + write +
// setxattr + fsync + close + rename + directory fsync) with a value at the limit and one byte over it, in
// interleaved rounds.
// Usage: node bench/scripts/xattr-inline-limit.mjs [DIR]   (DIR on the file system to measure; default ./.data/xattr-limit)
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';

const require = createRequire(new URL('../../packages/file/package.json', import.meta.url));
const { setAttributeSync } = require('@napi-rs/xattr');
const NAME = 'user.strata.meta';
const dir = resolve(process.argv[2] ?? '.data/xattr-limit');
mkdirSync(dir, { recursive: true });
const body = Buffer.alloc(4096, 7);

// The limit: the first value size whose file takes more blocks than the bare 4 KiB file.
const probe = `${dir}/probe`;
writeFileSync(probe, body);
const bare = statSync(probe).blocks;
let limit;
for (let size = 1; size <= 4000 && limit === undefined; size++) {
  writeFileSync(probe, body);
  setAttributeSync(probe, NAME, Buffer.alloc(size, 0x61));
  if (statSync(probe).blocks > bare) limit = size - 1;
}
console.log(limit === undefined ? 'no attribute block seen up to 4000 bytes (not ext4-like)' : `largest value kept in the inode: ${limit} bytes`);

if (limit !== undefined && limit > 0) {
  const put = (i, value) => {
    const tmp = `${dir}/.t${i}`;
    const fd = openSync(tmp, 'w');
    writeSync(fd, body);
    setAttributeSync(tmp, NAME, value);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, `${dir}/o${i % 200}`);
    const d = openSync(dir, 'r');
    fsyncSync(d);
    closeSync(d);
  };
  const variants = { inside: Buffer.alloc(limit, 0x61), over: Buffer.alloc(limit + 1, 0x61) };
  const times = { inside: [], over: [] };
  for (let round = 0; round < 12; round++) {
    for (const name of round % 2 ? ['inside', 'over'] : ['over', 'inside']) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < 150; i++) put(i, variants[name]);
      times[name].push(Number(process.hrtime.bigint() - start) / 150 / 1e6);
    }
  }
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  for (const name of Object.keys(variants)) {
    console.log(`${name.padEnd(7)} ${median(times[name]).toFixed(3)} ms/put (value ${variants[name].length} bytes)`);
  }
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}
rmSync(dir, { recursive: true, force: true });
