/**
 * The image lock (two writers would each trust their own allocator and overwrite each other's pages): a second
 * writer of an image — another process, or this one — gets a clear `Unavailable` error naming the holder; a
 * lock left by a SIGKILLed holder is taken over at open.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readText } from '@strata/storage';
import { createBlockStorage, createImage, fsckImage } from '../src/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'strata-block-lock-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

function child(path: string, mode: 'hold' | 'try'): { proc: ChildProcessByStdio<null, Readable, Readable>; line: Promise<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures/lock-child.ts'), path, mode], {
    cwd: join(here, '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const line = new Promise<string>((resolve, reject) => {
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    proc.on('exit', (code) => reject(new Error(`child exited ${code} before answering: ${err}`)));
  });
  return { proc, line };
}

const exited = (proc: { once(e: 'exit', f: () => void): unknown; exitCode: number | null; signalCode: string | null }) =>
  proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => proc.once('exit', () => r()));

describe('image lock', () => {
  it('refuses a second writer in another process and in this one, and takes over after SIGKILL', { timeout: 30_000 }, async () => {
    const path = join(dir, 'locked.img');
    await createImage(path, { pageSize: 1024, pageCount: 2048 });
    const holder = child(path, 'hold');
    try {
      expect(await holder.line).toBe('ready');
      expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).toMatchObject({ pid: holder.proc.pid });
      // This process is a second writer: refused, naming the holder.
      const refused = await createBlockStorage({ path }).then(
        () => 'opened',
        (e: unknown) => e,
      );
      expect(refused).toMatchObject({ code: 'Unavailable' });
      expect((refused as Error).message).toContain(`process ${holder.proc.pid}`);
      expect((refused as Error).message).toContain('locked.img.lock');
      // Read-only tools need no lock.
      expect((await fsckImage(path)).errors).toEqual([]);
    } finally {
      holder.proc.kill('SIGKILL');
      await exited(holder.proc);
    }
    // The dead holder's lock is still there; it is stale, so the next writer takes it over.
    expect(existsSync(`${path}.lock`)).toBe(true);
    const storage = await createBlockStorage({ path });
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    expect(await readText(await storage.get('held-by'))).toBe(String(holder.proc.pid));
    // Another process is refused while we hold it; so is a second open in this process.
    const other = child(path, 'try');
    const answer = await other.line;
    await exited(other.proc);
    expect(answer).toMatch(new RegExp(`^error Unavailable .*process ${process.pid}\\b`));
    await expect(createBlockStorage({ path })).rejects.toMatchObject({ code: 'Unavailable', message: expect.stringContaining('this process') });
    await storage.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
    // Closed: the image opens again (and a refused open did not leave a lock behind).
    const again = await createBlockStorage({ path });
    await again.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('takes over a lock naming a process that no longer exists, or holding garbage', async () => {
    const path = join(dir, 'stale.img');
    await createImage(path, { pageSize: 1024, pageCount: 2048 });
    const { writeFileSync } = await import('node:fs');
    for (const content of [JSON.stringify({ pid: 2 ** 22 + 12345 }), 'not json']) {
      writeFileSync(`${path}.lock`, content);
      const storage = await createBlockStorage({ path });
      await storage.put('k', 'v');
      await storage.close();
      expect(existsSync(`${path}.lock`)).toBe(false);
    }
  });
});
