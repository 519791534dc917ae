/**
 * createChangeStamp (the read cache's check against the file): which file a key's fingerprint comes from
 * (the key mapping, `.strata-self` for a key that is also a directory), what moves it, and when a file is
 * too freshly changed to have one. Real files on the test machine's file system.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChangeStamp } from '@strata/file';
import { afterAll, describe, expect, it } from 'vitest';

const root = mkdtempSync(join(tmpdir(), 'strata-change-stamp-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes `rel` under the root, dated an hour back. */
function oldFile(rel: string, body: string): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), body);
  const hourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(join(root, rel), hourAgo, hourAgo);
}

/** A clock well past every change made here (ctime, which cannot be set back, is now). */
const later = () => Date.now() + 10_000;

describe('createChangeStamp', () => {
  it('fingerprints the file a key maps to, and nothing else', () => {
    const stamp = createChangeStamp(root, later);
    oldFile('b/plain.txt', 'x');
    oldFile('b/.strata-esc.strata-like', 'escaped name'); // key `b/.strata-like`
    oldFile('b/dir/.strata-self', 'the object b/dir'); // key `b/dir`, beside b/dir/child
    oldFile('b/dir/child', 'c');
    mkdirSync(join(root, 'b', 'no-self'));
    symlinkSync(join(root, 'b', 'plain.txt'), join(root, 'b', 'link'));
    const { ino } = statSync(join(root, 'b', 'plain.txt'));
    expect(stamp('b/plain.txt')).toMatch(new RegExp(`^${ino}:1:`));
    expect(stamp('b/.strata-like')).toMatch(new RegExp(`^${statSync(join(root, 'b', '.strata-esc.strata-like')).ino}:`));
    expect(stamp('b/dir')).toMatch(new RegExp(`^${statSync(join(root, 'b', 'dir', '.strata-self')).ino}:`));
    expect(stamp('b/missing')).toBeUndefined();
    expect(stamp('b/plain.txt/under-a-file')).toBeUndefined(); // ENOTDIR: no throw
    expect(stamp('b/no-self')).toBeUndefined();
    expect(stamp('b/link')).toBeUndefined(); // links are never followed
  });

  it('moves with a rewrite in place, a replacement and a change of attributes, and not otherwise', async () => {
    const stamp = createChangeStamp(root, later);
    oldFile('c/f.txt', 'first');
    const first = stamp('c/f.txt');
    expect(stamp('c/f.txt')).toBe(first);
    await new Promise((resolve) => setTimeout(resolve, 20)); // past a tick of the coarse clock
    writeFileSync(join(root, 'c', 'f.txt'), 'FIRST'); // same size, same inode
    const second = stamp('c/f.txt');
    expect(second).not.toBe(first);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const { mtime } = statSync(join(root, 'c', 'f.txt'));
    utimesSync(join(root, 'c', 'f.txt'), mtime, mtime); // times set to what they were: only ctime moves
    expect(stamp('c/f.txt')).not.toBe(second);
  });

  it('gives no fingerprint to a file changed within the last 100 ms', () => {
    oldFile('d/fresh.txt', 'x');
    const changed = Math.max(statSync(join(root, 'd', 'fresh.txt')).mtimeMs, statSync(join(root, 'd', 'fresh.txt')).ctimeMs);
    expect(createChangeStamp(root, () => changed + 50)('d/fresh.txt')).toBeUndefined();
    expect(createChangeStamp(root, () => changed + 150)('d/fresh.txt')).toBeDefined();
  });
});
