/**
 * Keys that cannot be plain paths (key-mapping.ts, "Keys that cannot be paths"). Escaped, `a` + 300 slashes +
 * `b`, `./` × 512 or `../` × 300 are longer than PATH_MAX; once such a put failed half-way (ENAMETOOLONG after
 * hundreds of mkdirs), the directories it left made listing the root, deleting the key and deleting the
 * bucket fail for good, and the error text showed the server's absolute paths. What must hold: every such key
 * round-trips through put/get/head/list/delete (also after a reopen), lists in UTF-8 order among ordinary keys,
 * leaves no directory behind once deleted; a put that fails leaves the tree exactly as it was; and no error
 * message names a server path (the native error, with its paths, stays the `cause`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareKeys, isStorageError, readText } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { LONG_KEYS_DIR, MAX_ROOT_BYTES, createFileAdapter, keyToPath, openFileStorage } from '../src/index.ts';

const HOSTILE = [`a${'/'.repeat(300)}b`, './'.repeat(512), '../'.repeat(300), '/'.repeat(2048), '.strata/'.repeat(256), `${'d/'.repeat(1023)}d`];
const ORDINARY = ['a', 'a/b', 'a//', '.', './x', '../', '/lead', 'd/d', 'zz'];

let dir: string;
let root: string;
const open: Storage[] = [];
const openRoot = async () => {
  const s = await openFileStorage({ root, fsync: 'never', minPartSize: 1 });
  open.push(s);
  return s;
};
/** The root's entries but the lock (its file and its probe socket). */
const ownNames = () => readdirSync(root).filter((n) => !n.startsWith('.strata-lock')).sort();
const closeAll = async () => {
  for (const s of open.splice(0)) await s.close();
};

/** Every path under `at` (files and directories), relative, sorted: the tree's shape. */
function tree(at: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      out.push(relative(at, p) + (e.isDirectory() ? '/' : ''));
      if (e.isDirectory()) visit(p);
    }
  };
  visit(at);
  return out.sort();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'strata-file-hostile-'));
  root = join(dir, 'root');
});
afterEach(async () => {
  await closeAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('keys that cannot be plain paths', () => {
  it('map to the hashed area, and ordinary keys stay plain paths', () => {
    for (const key of HOSTILE) expect(keyToPath(key), key.slice(0, 20)).toMatchObject({ hashed: true, dirs: [LONG_KEYS_DIR, expect.any(String)] });
    for (const key of ORDINARY) expect(keyToPath(key).hashed, key).toBe(false);
    // The limit is the path's, not the key's: 2,048 plain bytes in 8 segments stay a plain path.
    expect(keyToPath(Array.from({ length: 8 }, () => 'x'.repeat(255)).join('/')).hashed).toBe(false);
  });

  it('round-trip through put, get, head, list and delete, also after a reopen', async () => {
    let s = await openRoot();
    for (const key of [...HOSTILE, ...ORDINARY]) await s.put(key, `v:${key.length}:${key.slice(0, 8)}`);
    const all = [...HOSTILE, ...ORDINARY].sort(compareKeys);
    expect((await s.list({ limit: 1000 })).items.map((i) => i.key)).toEqual(all);
    await closeAll();
    s = await openRoot(); // the hashed keys' index is rebuilt from disk
    expect((await s.list({ limit: 1000 })).items.map((i) => i.key)).toEqual(all);
    for (const key of HOSTILE) {
      expect(await readText(await s.get(key))).toBe(`v:${key.length}:${key.slice(0, 8)}`);
      expect((await s.head(key)).key).toBe(key);
      const under = await s.list({ prefix: key.slice(0, 5), limit: 1000 });
      expect(under.items.map((i) => i.key)).toEqual(all.filter((k) => k.startsWith(key.slice(0, 5))));
    }
    // Paged with a delimiter: hashed keys roll up into the same common prefixes as the walk's.
    const top = await s.list({ delimiter: '/', limit: 2 });
    expect(top.items.length + top.prefixes.length).toBeLessThanOrEqual(2);
    for (const key of [...HOSTILE, ...ORDINARY]) await s.delete(key);
    expect((await s.list()).items).toEqual([]);
    // Nothing left but the adapter's own files: no directory of any deleted key survives.
    expect(ownNames()).toEqual(['.strata-staging']);
  });

  it('lists hashed keys between plain ones with startAfter and a prefix, in UTF-8 order', async () => {
    const s = await openRoot();
    const keys = ['a/', `a${'/'.repeat(300)}b`, `a${'/'.repeat(300)}c`, 'a//x', 'a/b', 'a0', `a${'/'.repeat(299)}`];
    for (const k of keys) await s.put(k, k);
    const sorted = [...keys].sort(compareKeys);
    for (let i = 0; i < sorted.length; i++) {
      const page = await s.list({ startAfter: sorted[i], limit: 3 });
      expect(page.items.map((x) => x.key)).toEqual(sorted.slice(i + 1, i + 4));
    }
    const deep = await s.list({ prefix: `a${'/'.repeat(200)}`, limit: 10 });
    expect(deep.items.map((x) => x.key)).toEqual(sorted.filter((k) => k.startsWith(`a${'/'.repeat(200)}`)));
  });

  it('a hand-made tree beyond the limits is not listed (every listed key reads back)', async () => {
    const s = await openRoot();
    await s.put('keep', 'x');
    // 260 levels of `e`: within PATH_MAX for this root, but deeper than a plain key may be.
    const deep = join(root, ...Array.from({ length: 260 }, () => 'e'));
    mkdirSync(deep, { recursive: true });
    const listed = (await s.list({ limit: 1000 })).items.map((i) => i.key);
    expect(listed).toEqual(['keep']);
    writeFileSync(join(deep, 'f'), 'hand-made');
    expect((await s.list({ limit: 1000 })).items.map((i) => i.key)).toEqual(['keep']);
  });

  it('removes a long segment’s directory once emptied (its `.strata-name` does not keep it)', async () => {
    const s = await openRoot();
    const long = 'L'.repeat(300);
    await s.put(`${long}/x`, 'x');
    await s.put(`${long}/y/z`, 'z');
    await s.delete(`${long}/x`);
    expect((await s.list()).items.map((i) => i.key)).toEqual([`${long}/y/z`]);
    await s.delete(`${long}/y/z`);
    expect(ownNames()).toEqual(['.strata-staging']);
  });

  it('refuses a root too long for every plain path at once, naming the option', () => {
    expect(() => createFileAdapter({ root: `/${'r'.repeat(MAX_ROOT_BYTES)}` })).toThrow(/`root`/);
  });
});

describe('error messages', () => {
  it('never contain the root path, and keep the native error as the cause', async () => {
    const s = await openRoot();
    const messages: string[] = [];
    const capture = async (p: Promise<unknown>) => {
      const e = await p.then(() => undefined, (x: unknown) => x);
      expect(isStorageError(e), String(e)).toBe(true);
      messages.push((e as Error).message);
      return e as Error & { cause?: unknown };
    };
    await s.put('f', 'x');
    await capture(s.get('nope/deeper'));
    const planted = join(root, 'fifo');
    execFileSync('mkfifo', [planted]);
    await capture(s.put('fifo/x', 'y')); // a fifo in the way of a directory
    rmSync(planted);
    mkdirSync(join(root, 'dir', '.strata-self'), { recursive: true });
    writeFileSync(join(root, 'dir', '.strata-self', 'x'), 'a directory where the object of `dir` would be');
    await capture(s.put('dir', 'y'));
    const notObject = await capture(s.get('dir'));
    for (const m of messages) expect(m).not.toContain(dir);
    // The native error is kept for the server's log.
    expect((notObject.cause as NodeJS.ErrnoException).code).toBe('EISDIR');
  });
});

/**
 * A put that fails half-way: a small tmpfs whose inodes run out after the staged file and two of the key's
 * directories, so the third mkdir fails with ENOSPC. Needs root (mount); skipped elsewhere.
 */
describe.skipIf(process.getuid?.() !== 0 || process.platform !== 'linux')('a put that fails half-way', () => {
  let mnt: string;
  beforeEach(() => {
    mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,nr_inodes=64', 'tmpfs', mnt]);
    root = join(mnt, 'root');
  });
  afterEach(async () => {
    await closeAll();
    execFileSync('umount', [mnt]);
  });

  it('removes the directories it created, leaving the tree as it was', async () => {
    const s = await openRoot();
    await s.put('keep/old', 'x');
    const before = tree(root);
    // Use up the inodes but three: the staged file, `keep/n1` and `keep/n1/n2` get one each, `n3` none.
    const filler = join(mnt, 'filler');
    mkdirSync(filler);
    for (let i = 0; statfsSync(mnt).ffree > 3; i++) writeFileSync(join(filler, String(i)), '');
    const e = await s.put('keep/n1/n2/n3/obj', 'y').then(() => undefined, (x: unknown) => x);
    expect(isStorageError(e) && e.code).toBe('NoSpace');
    expect((e as Error).message).not.toContain(mnt);
    expect(String(((e as Error).cause as Error).message)).toContain(mnt);
    expect(tree(root)).toEqual(before);
    rmSync(filler, { recursive: true });
    // The tree still works: the same put now succeeds, and listing and deleting work.
    await s.put('keep/n1/n2/n3/obj', 'y');
    expect((await s.list()).items.map((i) => i.key)).toEqual(['keep/n1/n2/n3/obj', 'keep/old']);
    await s.delete('keep/n1/n2/n3/obj');
    expect(tree(root)).toEqual(before);
  });
});
