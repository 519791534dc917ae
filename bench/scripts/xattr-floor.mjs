#!/usr/bin/env node
// The floor of a durable 4 KiB put with its metadata in a user extended attribute: the raw sequence
// open + write + fsync + rename + directory fsync, alone and with one setxattr of a file-adapter-sized record
// (~180 bytes: on ext4 it lands in an external attribute block) and of a small one (~40 bytes: inside the
// inode). It tells how much of the file adapter's durable-put cost the attribute itself explains.
// Usage: node bench/scripts/xattr-floor.mjs [DIR]   (DIR on the file system to measure; default ./.data/xattr-floor)
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(new URL('../../packages/file/package.json', import.meta.url));
const { setAttributeSync } = require('@napi-rs/xattr');
const dir = resolve(process.argv[2] ?? '.data/xattr-floor');
mkdirSync(dir, { recursive: true });
const body = Buffer.alloc(4096, 7);
const records = {
  none: undefined,
  record180: Buffer.from(JSON.stringify({ v: 1, etag: 'd41d8cd98f00b204e9800998ecf8427e', size: 4096, ino: 1234567, mtimeMs: 1765000000000.123, ct: 'application/octet-stream', md: {}, tags: {}, ck: { crc32: 'AAAAAA==' } })),
  record40: Buffer.from('{"e":"d41d8cd98f00b204e9800998ecf8427e"}'),
};
function put(i, record) {
  const tmp = `${dir}/.t${i}`;
  const fd = openSync(tmp, 'w');
  writeSync(fd, body);
  if (record !== undefined) setAttributeSync(tmp, 'user.strata.meta', record);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, `${dir}/o${i % 200}`);
  const d = openSync(dir, 'r');
  fsyncSync(d);
  closeSync(d);
}
const times = Object.fromEntries(Object.keys(records).map((k) => [k, []]));
// Interleaved rounds, so a noisy neighbour weighs on every variant alike.
for (let round = 0; round < 12; round++) {
  for (const [name, record] of Object.entries(records)) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 150; i++) put(i, record);
    times[name].push(Number(process.hrtime.bigint() - start) / 150 / 1e6);
  }
}
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
const base = median(times.none);
for (const [name, record] of Object.entries(records)) {
  const m = median(times[name]);
  console.log(`${name.padEnd(10)} ${m.toFixed(3)} ms/put  ${(base / m).toFixed(2)}x of no attribute  (record ${record?.length ?? 0} bytes)`);
}
rmSync(dir, { recursive: true, force: true });
