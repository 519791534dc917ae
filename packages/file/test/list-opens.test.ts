/**
 * What a listing opens: a page must cost what it returns, not what its directories hold. A listing with a
 * delimiter rolls each directory up into one common prefix after the first key beneath it and restarts past
 * the directory; the walk must not read the metadata of the other objects in it. The reads are counted on a
 * real `FileCore` over a real tree, paged by the storage package's own pager, as the front wrapper does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPage } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { FileCore } from '../src/core.ts';
import { openFileStorage } from '../src/index.ts';
import { scanTree } from '../src/list.ts';

const DIRS = 12;
const PER_DIR = 20;
const TOP = ['list/top-a', 'list/top-b', 'list/top-c'];

let root: string;
let storage: Storage;
let core: FileCore;
let opened: string[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'strata-file-list-opens-'));
  storage = await openFileStorage({ root, fsync: 'never' });
  for (let d = 0; d < DIRS; d++) {
    for (let k = 0; k < PER_DIR; k++) await storage.put(`list/d${String(d).padStart(2, '0')}/k${String(k).padStart(2, '0')}`, `${d}/${k}`);
  }
  for (const key of TOP) await storage.put(key, key);
  // A read-only second core over the same tree, whose metadata reads are counted (the adapter keeps its own
  // private). A listing reads an object's record by lstat and attribute, without opening the file.
  core = new FileCore({ root, fsync: 'never', maxOpenFiles: 64, minPartSize: 5 * 1024 * 1024, xattrs: true });
  await core.meta.open();
  const lookup = core.meta.lookup.bind(core.meta);
  core.meta.lookup = async (path, st, sync) => {
    opened.push(path);
    return lookup(path, st, sync);
  };
});
afterAll(async () => {
  await storage.close();
  rmSync(root, { recursive: true, force: true });
});

const scan = (o: Parameters<typeof scanTree>[1]) => scanTree(core, o);

describe('listing opens only what it returns', () => {
  it('a delimiter listing reads at most one object header per common prefix', async () => {
    opened = [];
    const page = await listPage(scan, { prefix: 'list/', delimiter: '/' });
    expect(page.prefixes).toEqual(Array.from({ length: DIRS }, (_, d) => `list/d${String(d).padStart(2, '0')}/`));
    expect(page.items.map((i) => i.key)).toEqual(TOP);
    // The returned objects, plus the one key each directory is recognised by (the scan yields whole items).
    // A fixed read-ahead window opened up to 16 per directory here.
    expect(opened.length).toBeLessThanOrEqual(TOP.length + DIRS);
    expect(opened.filter((p) => p.includes('/k01'))).toEqual([]);
  });

  it('deep objects rewritten by another program are not read by a delimiter listing', async () => {
    // Rewritten in place behind the adapter's back (records stale): reading them would mean hashing them.
    for (let k = 1; k < PER_DIR; k++) writeFileSync(join(root, 'list', 'd03', `k${String(k).padStart(2, '0')}`), 'changed by hand');
    opened = [];
    const page = await listPage(scan, { prefix: 'list/', delimiter: '/' });
    expect(page.prefixes).toContain('list/d03/');
    expect(opened.filter((p) => p.includes('/d03/'))).toEqual([join(root, 'list', 'd03', 'k00')]);
  });

  it('a listing without a delimiter still reads each returned object once, in order, opening none', async () => {
    opened = [];
    let opens = 0;
    const openRead = core.openRead.bind(core);
    core.openRead = (path: string) => (opens++, openRead(path));
    const page = await listPage(scan, { prefix: 'list/d00/' });
    expect(page.items.map((i) => i.key)).toEqual(Array.from({ length: PER_DIR }, (_, k) => `list/d00/k${String(k).padStart(2, '0')}`));
    expect(page.items.every((i) => i.size > 0 && i.etag !== '')).toBe(true);
    expect(opened.length).toBe(PER_DIR);
    // Their records come from an lstat and the attribute (or the record cache): no file is opened.
    expect(opens).toBe(0);
  });
});
