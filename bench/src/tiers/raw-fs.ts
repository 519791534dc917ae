/**
 * The raw `node:fs` baseline, doing by hand what a durable store must do: put = open a temp file, write,
 * fsync, close, rename into place, fsync the directory; get = readFile; head = stat; delete = unlink;
 * list = readdir + sort. Ratios in the report are against this tier.
 */
import { mkdirSync } from 'node:fs';
import { open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchTier } from './tier.ts';

/** A tier over plain files in `dir` (flat: key characters are [a-z0-9/-] in the benchmark; '/' becomes '_'). */
export function createRawFsTier(dir: string): BenchTier {
  mkdirSync(dir, { recursive: true });
  const path = (key: string) => join(dir, key.replaceAll('/', '_'));
  let tmpCounter = 0;
  return {
    name: 'raw node:fs',
    async put(key, data) {
      const tmp = join(dir, `.tmp-${process.pid}-${tmpCounter++}`);
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, path(key));
      const d = await open(dir, 'r');
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    },
    async get(key) {
      return (await readFile(path(key))).length;
    },
    async head(key) {
      await stat(path(key));
    },
    async delete(key) {
      await unlink(path(key)).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
    },
    async list(prefix) {
      const p = prefix.replaceAll('/', '_');
      return (await readdir(dir)).filter((n) => n.startsWith(p)).sort().length;
    },
    async close() {},
  };
}
