/**
 * The GET/HEAD fast path (the goal: a 4 KiB GET at least 0.75× as fast as a raw `readFile`): one open and one
 * read into a pooled buffer, the close off the latency path — synchronous only when it provably does no I/O.
 * What must hold: callers never see a pooled buffer's bytes change, no descriptor leaks (on success, failed
 * conditions, bad ranges, corrupt files, unconsumed or destroyed bodies), objects on either side of the first
 * read's size come back byte-exact, and a close never runs synchronously when a rename or unlink of this
 * process overlapped the read.
 */
import { readdirSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError, readBytes } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { FileCore } from '../src/core.ts';
import { openFileStorage } from '../src/index.ts';
import { FIRST_READ_BYTES } from '../src/read-buffer.ts';
import type { ReadHandle } from '../src/read-handle.ts';

let root: string;
let storage: Storage;
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'strata-file-read-'));
  storage = await openFileStorage({ root, fsync: 'never' });
});
afterEach(async () => {
  await storage.close();
  rmSync(root, { recursive: true, force: true });
});

const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));
const openFds = () => readdirSync('/proc/self/fd').length;

describe('read path', () => {
  it('returns bodies that later reads never overwrite (the first-read buffer is pooled)', async () => {
    await storage.put('a', bytes(4096, 1));
    await storage.put('b', bytes(4096, 2));
    const held = await storage.get('a'); // not consumed yet
    const info = await storage.head('a');
    for (let i = 0; i < 40; i++) {
      await readBytes(await storage.get('b'));
      await storage.head('b');
    }
    await Promise.all(Array.from({ length: 20 }, () => storage.get('b').then((r) => readBytes(r))));
    expect((await readBytes(held)).equals(bytes(4096, 1))).toBe(true);
    expect(info.size).toBe(4096);
  });

  it('reads objects byte-exact around the size of the first read, whole and in ranges', async () => {
    const sizes = [0, 1, 4095, 4096, 64 * 1024, FIRST_READ_BYTES - 600, FIRST_READ_BYTES - 1, FIRST_READ_BYTES, FIRST_READ_BYTES + 1, 300_000];
    for (const [i, size] of sizes.entries()) {
      const data = bytes(size, i);
      await storage.put(`s/${size}`, data);
      expect((await readBytes(await storage.get(`s/${size}`))).equals(data), `size ${size}`).toBe(true);
      if (size < 2) continue;
      const [start, end] = [Math.floor(size / 3), size - 2];
      const r = await storage.get(`s/${size}`, { range: { start, end } });
      expect(r.range).toEqual({ start, end });
      expect((await readBytes(r)).equals(data.subarray(start, end + 1)), `range of ${size}`).toBe(true);
    }
  });

  it.skipIf(process.platform !== 'linux')('leaks no descriptor on success, failure, or an abandoned body', async () => {
    await storage.put('small', bytes(1000, 3));
    await storage.put('large', bytes(200_000, 4));
    await storage.put('dir/x', 'x');
    await storage.put('dir', 'self'); // stored as dir/.strata-self: the EISDIR path
    const before = openFds();
    for (let i = 0; i < 50; i++) {
      await readBytes(await storage.get('small'));
      await readBytes(await storage.get('large'));
      await readBytes(await storage.get('dir'));
      await storage.head('small');
      await expect(storage.get('small', { ifMatch: '"nope"' })).rejects.toMatchObject({ code: 'PreconditionFailed' });
      await expect(storage.get('large', { range: { start: 300_000 } })).rejects.toBeInstanceOf(StorageError);
      await expect(storage.get('missing')).rejects.toMatchObject({ code: 'NotFound' });
      (await storage.get('large')).body.destroy();
      (await storage.get('small')).body.destroy();
    }
    await new Promise((r) => setTimeout(r, 50)); // destroyed streams and deferred closes settle
    expect(openFds()).toBeLessThanOrEqual(before);
  });
});

describe('closeRead', () => {
  const handle = () => {
    const calls: string[] = [];
    const fh = { closeSync: () => calls.push('sync'), closeSoon: (done: () => void) => (calls.push('soon'), done()) } as unknown as ReadHandle;
    return { fh, calls };
  };
  const core = () => new FileCore({ root, fsync: 'never', maxOpenFiles: 8, minPartSize: 1, xattrs: true });

  it('never closes synchronously when a rename or unlink overlapped the read', async () => {
    const c = core();
    await c.reads.probeFilesystem();
    // In flight across the close.
    let finish!: () => void;
    const pending = c.reads.unlinking(() => new Promise<void>((r) => (finish = r)));
    const a = handle();
    c.reads.closeRead(a.fh, c.reads.unlinkEpoch);
    expect(a.calls).toEqual(['soon']);
    finish();
    await pending;
    // Started and finished between the open (epoch taken) and the close.
    const epoch = c.reads.unlinkEpoch;
    await c.reads.unlinking(async () => undefined);
    const b = handle();
    c.reads.closeRead(b.fh, epoch);
    expect(b.calls).toEqual(['soon']);
    await c.reads.closesSettled();
  });

  it('closes synchronously only on a filesystem known to close read-only descriptors without I/O', async () => {
    const c = core();
    const a = handle();
    c.reads.closeRead(a.fh, c.reads.unlinkEpoch); // not probed yet: unknown filesystem
    expect(a.calls).toEqual(['soon']);
    await c.reads.probeFilesystem();
    const b = handle();
    c.reads.closeRead(b.fh, c.reads.unlinkEpoch);
    const type = process.platform === 'linux' ? statfsSync(root).type : -1;
    expect(b.calls).toEqual([type === 0xef53 || type === 0x01021994 ? 'sync' : 'soon']);
    await c.reads.closesSettled();
  });
});
