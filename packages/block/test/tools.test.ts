import { spawnSync } from 'node:child_process';
import { open, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createStorage, readBytes } from '@strata/storage';
import { createBlockAdapter, createBlockStorage, createImage, createMemoryDevice, createMemoryMedium, fsckImage, fsckStore, imageInfo, openPageDevice, PageLayout, runCli } from '../src/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'strata-block-tools-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('tools', () => {
  it('create, info and fsck as library functions', async () => {
    const path = join(dir, 'lib.img');
    const created = await createImage(path, { pageSize: 1024, pageCount: 4096, journalPages: 32 });
    expect(created).toMatchObject({ pageSize: 1024, pageCount: 4096, objects: 0 });
    await expect(createImage(path)).rejects.toMatchObject({ code: 'AlreadyExists' });
    const s = await createBlockStorage({ path });
    await s.put('x', Buffer.alloc(5000, 1));
    await s.put('y', 'small');
    await s.close();
    const info = await imageInfo(path);
    expect(info).toMatchObject({ objects: 2, bytesStored: 5005 });
    const report = await fsckImage(path);
    expect(report).toMatchObject({ ok: true, objects: 2, errors: [] });
    expect(report.pagesRead).toBeGreaterThanOrEqual(5);
  });

  it('fsck reports a damaged data page, and the CLI exits non-zero', async () => {
    const path = join(dir, 'damaged.img');
    await createImage(path, { pageSize: 1024, pageCount: 2048, journalPages: 16 });
    const a = await createBlockAdapter({ path });
    const s = createStorage(a);
    await s.put('victim', Buffer.alloc(10_000, 9));
    const page = a.store.state.object('victim')!.extents[0]![0];
    await s.close();
    expect(await runCli(['fsck', path], () => undefined)).toBe(0);
    // Flip one byte in the middle of the victim's first page.
    const fh = await open(path, 'r+');
    await fh.write(Buffer.from([0x55]), 0, 1, new PageLayout(1024).dataOffset(page) + 100);
    await fh.close();
    const report = await fsckImage(path);
    expect(report.ok).toBe(false);
    expect(report.errors.join('\n')).toMatch(/victim.*checksum mismatch/);
    const lines: string[] = [];
    expect(await runCli(['fsck', path], (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toMatch(/DAMAGED/);
    // The adapter refuses to return the torn bytes.
    const again = await createBlockStorage({ path });
    await expect(readBytes(await again.get('victim'))).rejects.toMatchObject({ code: 'Corrupted' });
    await again.close();
  });

  it('fsck catches broken invariants in memory: a double reference and a leaked page', async () => {
    const a = await createBlockAdapter({ device: await createMemoryDevice({ pageSize: 512, pageCount: 512 }) });
    const s = createStorage(a);
    await s.put('a', Buffer.alloc(3000, 1));
    await s.put('b', Buffer.alloc(3000, 2));
    expect((await fsckStore(a.store)).errors).toEqual([]);
    const b = a.store.state.object('b')!;
    b.extents = a.store.state.object('a')!.extents.map((e) => [...e]);
    const errors = (await fsckStore(a.store)).errors.join('\n');
    expect(errors).toMatch(/also used by|reference count/);
    expect(errors).toMatch(/allocator accounts/);
  });

  it('the CLI runs as a command (bin/strata-block.js)', () => {
    const path = join(dir, 'cli.img');
    const bin = join(here, '../bin/strata-block.js');
    const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
    expect(run('create', path, '--page-size', '512', '--pages', '1024').status).toBe(0);
    const info = run('info', path, '--json');
    expect(info.status).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ pageSize: 512, pageCount: 1024 });
    expect(run('fsck', path).stdout).toMatch(/clean/);
    expect(run('fsck', join(dir, 'missing.img')).status).toBe(1);
    expect(run('bogus', path).status).toBe(2);
  });
});

describe('journal and checkpoints', () => {
  it('wraps the journal ring many times, checkpointing, and recovers the same index', async () => {
    const path = join(dir, 'ring.img');
    await createImage(path, { pageSize: 512, pageCount: 4096, journalPages: 8 });
    const a = await createBlockAdapter({ path, inlineMax: 64 });
    const s = createStorage(a);
    const gen0 = a.store.superblock.generation;
    for (let i = 0; i < 200; i++) await s.put(`k${i % 37}`, `value ${i} ${'x'.repeat(i % 90)}`);
    for (let i = 0; i < 10; i++) await s.delete(`k${i}`);
    expect(a.store.superblock.generation - gen0).toBeGreaterThan(20);
    const before = (await s.list()).items.map((i) => `${i.key}=${i.etag}`);
    await s.close();
    const b = await createBlockAdapter({ path });
    const s2 = createStorage(b);
    expect((await s2.list()).items.map((i) => `${i.key}=${i.etag}`)).toEqual(before);
    expect(await readBytes(await s2.get('k36')).then(String)).toBe(`value 184 ${'x'.repeat(184 % 90)}`);
    expect((await fsckStore(b.store)).errors).toEqual([]);
    await s2.close();
  });

  it('replays the journal when no checkpoint followed the writes', async () => {
    const medium = createMemoryMedium();
    const a = await createBlockAdapter({ device: await openPageDevice(medium, { create: { pageSize: 512, pageCount: 1024 } }) });
    const s = createStorage(a);
    await s.put('a', 'one');
    await s.put('b', Buffer.alloc(3000, 3));
    await s.delete('a');
    // No close, no checkpoint: reopen a copy of the bytes as they are now.
    const b = await createBlockAdapter({ device: await openPageDevice(createMemoryMedium(medium.toBuffer())) });
    expect(b.store.recovery.recordsReplayed).toBe(3);
    const s2 = createStorage(b);
    await expect(s2.head('a')).rejects.toMatchObject({ code: 'NotFound' });
    expect((await readBytes(await s2.get('b'))).equals(Buffer.alloc(3000, 3))).toBe(true);
    expect((await fsckStore(b.store)).errors).toEqual([]);
  });
});
