/**
 * A directory tree as people have them before any S3 server: nested folders, files of various sizes (empty,
 * a few bytes, several MiB), names with spaces, `+`, `&`, `=` and unicode — and things that are not buckets:
 * a top-level file, an empty directory, a hidden directory and one whose name S3 does not allow.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { join, relative } from 'node:path';
import { bytes } from '../../interop/src/harness.ts';

/** The files of the fixture's buckets, by bucket and key. */
export const BUCKET_FILES: Record<string, Record<string, Buffer>> = {
  docs: {
    'readme.txt': Buffer.from('Read me first: this tree was here before the server.\n'),
    'guides/intro to strata.md': Buffer.from(`# Intro\n\n${'Strata serves this folder over S3. '.repeat(60)}\n`),
    'ünïcödé/日本語 ファイル.txt': Buffer.from('こんにちは, plain files\n'),
    'a+b=c & d.txt': Buffer.from('odd characters in a name\n'),
  },
  media: {
    'clip.bin': bytes(3 * 1024 * 1024 + 7, 21),
    'empty.dat': Buffer.alloc(0),
    'nested/deep/er/leaf.json': Buffer.from('{"leaf":true}\n'),
    'still.bin': bytes(70 * 1024, 22),
  },
};

/** Top-level directories whose files are no objects of any bucket: their names are no valid bucket names. */
export const NOT_BUCKETS: Record<string, Record<string, Buffer>> = {
  Not_A_Bucket: { 'x.txt': Buffer.from('uppercase and underscore\n') },
  '.hidden': { 'y.txt': Buffer.from('a dot first\n') },
};

/** Writes the fixture under `dir` (created). */
export function writeFixture(dir: string): void {
  for (const tree of [BUCKET_FILES, NOT_BUCKETS]) {
    for (const [bucket, files] of Object.entries(tree)) {
      for (const [key, body] of Object.entries(files)) {
        mkdirSync(join(dir, bucket, key, '..'), { recursive: true });
        writeFileSync(join(dir, bucket, key), body);
      }
    }
  }
  writeFileSync(join(dir, 'top-level.txt'), 'a file beside the buckets: in no bucket\n');
  mkdirSync(join(dir, 'emptydir'));
}

/** Every regular file under `dir` with its bytes, by path relative to `dir` (reserved `.strata…` names left out). */
export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[]) {
    const rel = relative(dir, join(e.parentPath, e.name));
    if (!e.isFile() || rel.split('/').some((s) => s.startsWith('.strata'))) continue;
    out.set(rel, readFileSync(join(dir, rel)));
  }
  return out;
}
