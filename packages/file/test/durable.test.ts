/**
 * The durable path (fsync `always`), which the other suites skip for speed: puts, overwrites, deletes that
 * remove directories and conversions still behave, and the cached directory handles used for the commit's
 * directory fsync never outlive their directory (a stale handle would fsync a removed inode while the rename
 * went into its replacement — a silent durability loss).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readText } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { DirHandles } from '../src/dir-handles.ts';
import { openFileStorage } from '../src/index.ts';
import { StagedCloses } from '../src/write-handle.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'strata-file-durable-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe.each([true, false])('fsync always, metadata in attributes: %s', (xattrs) => {
  let storage: Storage;
  beforeEach(async () => {
    storage = await openFileStorage({ root, fsync: 'always', minPartSize: 1, xattrs });
  });
  afterEach(async () => {
    await storage.close();
  });

  it('puts, overwrites, converts, deletes and re-creates directories', async () => {
    await storage.put('a/b/c', 'one');
    await storage.put('a/b/c', 'two');
    await storage.put('a/b', 'beside'); // a/b is a directory: stored as a/b/.strata-self
    await storage.put('a/b/c/d', 'deeper'); // converts the object a/b/c into a directory
    expect(await readText(await storage.get('a/b/c'))).toBe('two');
    expect(await readText(await storage.get('a/b/c/d'))).toBe('deeper');
    for (const k of ['a/b/c/d', 'a/b/c', 'a/b']) await storage.delete(k);
    expect(() => statSync(join(root, 'a'))).toThrow(); // emptied directories went away
    await storage.put('a/b/c', 'again'); // into re-created directories
    expect(await readText(await storage.get('a/b/c'))).toBe('again');
    const page = await storage.list({ prefix: 'a/' });
    expect(page.items.map((i) => i.key)).toEqual(['a/b/c']);
  });

  it('keeps concurrent puts and deletes in one directory consistent', async () => {
    const keys = Array.from({ length: 24 }, (_, i) => `d/k${i}`);
    for (let round = 0; round < 3; round++) {
      await Promise.all(keys.map((k) => storage.put(k, `${k}@${round}`)));
      await Promise.all(keys.map((k) => storage.delete(k)));
    }
    await Promise.all(keys.map((k) => storage.put(k, `${k}@last`)));
    for (const k of keys) expect(await readText(await storage.get(k))).toBe(`${k}@last`);
  });

  // A put's directory fsync runs after the key's mutex is released (core.ts syncPublished), so a delete of the
  // same key can empty and remove that directory before the fsync: the put must still succeed, superseded.
  it('lets same-key puts and deletes race without errors, leaving a whole value or nothing', async () => {
    for (let round = 0; round < 30; round++) {
      // Puts stage their bytes before queueing for the key, so the order they win in is not the call order.
      const ops = [storage.put('r/s/k', 'a'), storage.put('r/s/k', 'b'), storage.delete('r/s/k'), storage.put('r/s/k', 'c'), storage.delete('r/s/k')];
      await Promise.all(ops);
      const now = await storage.get('r/s/k').then(readText, (e: { code?: string }) => e.code);
      expect(['a', 'b', 'c', 'NotFound']).toContain(now);
      await storage.delete('r/s/k');
    }
    const values = await Promise.all(Array.from({ length: 16 }, (_, i) => storage.put('r/s/k', `v${i}`)));
    expect(values.map((v) => v.key)).toEqual(Array(16).fill('r/s/k'));
    expect(await readText(await storage.get('r/s/k'))).toMatch(/^v\d+$/);
  });
});

describe('staged files closed beside the commit', () => {
  const openFds = () => readdirSync('/proc/self/fd').length;

  it.skipIf(process.platform !== 'linux')('closing the storage waits for every staged file’s close', async () => {
    const before = openFds();
    const storage = await openFileStorage({ root, fsync: 'always' });
    // A staged file's descriptor is closed after its fsync, while the put renames and syncs the directory:
    // some closes may still run when the puts resolve, and close() must wait for them.
    const puts = await Promise.all(Array.from({ length: 32 }, (_, i) => storage.put(`k/${i % 8}`, `v${i}`)));
    expect(puts).toHaveLength(32);
    await storage.close();
    expect(openFds()).toBeLessThanOrEqual(before);
  });

  it('StagedCloses.settled waits for a slow close and takes a failed one as done', async () => {
    const closes = new StagedCloses();
    const pending: { resolve: () => void; reject: (e: Error) => void }[] = [];
    const handle = () => ({ close: () => new Promise<void>((resolve, reject) => pending.push({ resolve, reject })) });
    closes.closeSoon(handle());
    closes.closeSoon(handle());
    let settled = false;
    const waiting = closes.settled().then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false);
    pending[0]?.resolve();
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false);
    pending[1]?.reject(Object.assign(new Error('EIO'), { code: 'EIO' }));
    await waiting;
    expect(settled).toBe(true);
  });
});

describe('DirHandles', () => {
  it('reuses a handle, and opens a fresh one once its directory was removed and invalidated', async () => {
    const opened: { ino: number }[] = [];
    const handles = new DirHandles(async (p) => {
      const fh = await open(p, 'r');
      opened.push({ ino: (await fh.stat()).ino });
      return fh;
    }, 4);
    const dir = join(root, 'x');
    mkdirSync(dir);
    await handles.sync(dir);
    await handles.sync(dir);
    expect(opened).toHaveLength(1); // cached
    rmSync(dir, { recursive: true });
    handles.invalidate(dir);
    mkdirSync(dir);
    await handles.sync(dir);
    expect(opened).toHaveLength(2);
    expect(opened[1]?.ino).toBe(statSync(dir).ino); // the new directory, not the removed inode
    await handles.closeAll();
    expect(handles.size).toBe(0);
  });

  it('shares fsyncs among concurrent callers, each served by an fsync that started after its call', async () => {
    const starts: number[] = [];
    const handles = new DirHandles(async (p) => {
      const fh = await open(p, 'r');
      const sync = fh.sync.bind(fh);
      fh.sync = async () => {
        starts.push(performance.now());
        await new Promise((r) => setTimeout(r, 5)); // a slow disk, so callers pile up
        return sync();
      };
      return fh;
    }, 4);
    const dir = join(root, 'g');
    mkdirSync(dir);
    await handles.sync(dir); // opened and cached
    const calls = Array.from({ length: 12 }, (_, i) => {
      const at = performance.now();
      const done = new Promise((r) => setTimeout(r, i)).then(() => performance.now());
      return done.then(async (calledAt) => {
        await handles.sync(dir);
        return Math.max(at, calledAt);
      });
    });
    const calledAt = await Promise.all(calls);
    const syncs = starts.slice(1);
    expect(syncs.length).toBeLessThan(calls.length); // shared
    expect(syncs.length).toBeGreaterThan(0);
    // Every caller has an fsync that started at or after its call.
    for (const t of calledAt) expect(syncs.some((s) => s >= t)).toBe(true);
    expect(handles.fsyncCount(dir)).toBe(starts.length);
    await handles.closeAll();
  });

  it('stays within its bound and never caches a failed open', async () => {
    let live = 0;
    const handles = new DirHandles(async (p) => {
      const fh = await open(p, 'r');
      live++;
      const close = fh.close.bind(fh);
      fh.close = async () => {
        live--;
        return close();
      };
      return fh;
    }, 2);
    for (const n of ['p', 'q', 'r', 's']) {
      mkdirSync(join(root, n));
      await handles.sync(join(root, n));
    }
    expect(handles.size).toBe(2);
    await new Promise((r) => setTimeout(r, 20)); // evicted handles close asynchronously
    expect(live).toBe(2);
    await expect(handles.sync(join(root, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(handles.size).toBe(2);
    await handles.closeAll();
    await new Promise((r) => setTimeout(r, 20));
    expect(live).toBe(0);
  });
});
