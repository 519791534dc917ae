/**
 * Process-kill test: a child process puts objects into a real image file and is killed with SIGKILL
 * at random moments, 20 times over the same image. After each kill the image must pass fsck, and every put the
 * child acknowledged must be readable with its bytes — whatever the kernel had or had not written back.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { readBytes } from '@strata/storage';
import { createBlockStorage, createImage, fsckImage } from '../src/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'strata-block-kill-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

function bodyOf(key: string): Buffer {
  const h = createHash('sha256').update(key).digest();
  const size = [0, 100, 1023, 1024, 1025, 4095, 4096, 4097, 9000, 70_000][h[0]! % 10]!;
  return Buffer.alloc(size, h[1]!);
}

/** Runs the child until `killAfterMs` after it is ready, SIGKILLs it, returns the keys it acknowledged. */
function runAndKill(path: string, round: number, killAfterMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures/kill-child.ts'), path, String(round)], {
      cwd: join(here, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: string[] = [];
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line === 'ready') setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        else if (line.startsWith('ack ')) acked.push(line.slice(4));
      }
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`child exited ${code}: ${stderr}`))));
  });
}

it('acknowledged puts survive SIGKILL at random moments; fsck stays clean', { timeout: 120_000 }, async () => {
  const path = join(dir, 'kill.img');
  await createImage(path, { pageSize: 1024, pageCount: 65_536, journalPages: 64 });
  const acked: string[] = [];
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let round = 0; round < 20; round++) {
    acked.push(...(await runAndKill(path, round, 5 + Math.floor(rand() * 150))));
    const report = await fsckImage(path);
    expect(report.errors, `round ${round}`).toEqual([]);
  }
  expect(acked.length).toBeGreaterThan(20);
  const storage = await createBlockStorage({ path });
  for (const key of acked) expect((await readBytes(await storage.get(key))).equals(bodyOf(key)), key).toBe(true);
  const listed = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await storage.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
    page.items.forEach((i) => listed.add(i.key));
    cursor = page.cursor;
  } while (cursor);
  for (const key of acked) expect(listed.has(key)).toBe(true);
  console.log(`process kill: 20 kills, ${acked.length} acknowledged puts verified, ${listed.size} objects on the image`);
  await storage.close();
});
