/**
 * What keeps the root safe: no key or planted symlink leads outside the root, one process owns a
 * root (a second gets a clear error; a dead one's lock is taken over), staging is cleaned at open, uploads
 * survive a reopen, options are checked at once, and native errors map to codes with their cause kept.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasErrorCode, isStorageError, readText } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { createFileAdapter, openFileStorage } from '../src/index.ts';

let dir: string;
let root: string;
let outside: string;
const open: Storage[] = [];
const openRoot = async (r = root) => {
  const s = await openFileStorage({ root: r, fsync: 'never', minPartSize: 1 });
  open.push(s);
  return s;
};
const codeOf = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (isStorageError(e) ? e.code : `raw ${String(e)}`));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'strata-file-safety-'));
  root = join(dir, 'root');
  outside = join(dir, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret'), 'do not read');
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('symlinks planted inside the root', () => {
  it('are never followed to read, write, delete or list outside the root', async () => {
    const s = await openRoot();
    symlinkSync(outside, join(root, 'link'));
    symlinkSync(join(outside, 'secret'), join(root, 'file-link'));
    expect(await codeOf(s.get('link/secret'))).toBe('PermissionDenied');
    expect(await codeOf(s.get('file-link'))).toBe('PermissionDenied');
    expect(await codeOf(s.put('link/new', 'x'))).toBe('PermissionDenied');
    expect(await codeOf(s.delete('link/secret'))).toBe('PermissionDenied');
    expect((await s.list()).items).toEqual([]);
    expect((await s.list({ prefix: 'link/' })).items).toEqual([]);
    expect(readdirSync(outside)).toEqual(['secret']);
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('do not read');
    // Overwriting the link's own name replaces the link, not its target.
    await s.put('file-link', 'mine');
    expect(await readText(await s.get('file-link'))).toBe('mine');
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('do not read');
  });

  it('traversal keys stay inside: `..` and leading `/` are escaped segments', async () => {
    const s = await openRoot();
    await s.put('../outside/secret', 'inside');
    await s.put('/etc/passwd', 'inside too');
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('do not read');
    expect(existsSync(join(root, '.strata-dotdot/outside/secret'))).toBe(true);
    expect(existsSync(join(root, '.strata-empty/etc/passwd'))).toBe(true);
  });

  it('a staging directory replaced by a symlink is removed at open, not emptied through', async () => {
    mkdirSync(root);
    symlinkSync(outside, join(root, '.strata-staging'));
    await openRoot();
    expect(readdirSync(outside)).toEqual(['secret']);
  });
});

describe('the root lock', () => {
  it('makes a second process fail with a clear error', async () => {
    await openRoot();
    const code = `import('@strata/file').then(m => m.openFileStorage({ root: ${JSON.stringify(root)} })).then(() => console.log('opened'), e => console.log(e.code + ': ' + e.message))`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: join(import.meta.dirname, '..'), encoding: 'utf8' });
    expect(out).toMatch(new RegExp(`^Unavailable: .*locked by process ${process.pid}`));
  }, 20_000);

  it('refuses a second open in the same process until the first is closed', async () => {
    const s = await openRoot();
    expect(await codeOf(openRoot())).toBe('Unavailable');
    await s.close();
    await openRoot();
  });

  it('takes over the stale lock of a dead process and cleans staging at open', async () => {
    mkdirSync(join(root, '.strata-staging'), { recursive: true });
    writeFileSync(join(root, '.strata-lock'), JSON.stringify({ pid: 2 ** 22 + 12345 }));
    writeFileSync(join(root, '.strata-staging', 't-dead-1'), 'half a write');
    const s = await openRoot();
    expect(readdirSync(join(root, '.strata-staging'))).toEqual([]);
    expect(JSON.parse(readFileSync(join(root, '.strata-lock'), 'utf8')).pid).toBe(process.pid);
    await s.close();
    expect(existsSync(join(root, '.strata-lock'))).toBe(false);
  });
});

describe('multipart uploads', () => {
  it('survive a reopen and complete afterwards', async () => {
    let s = await openRoot();
    const u = await s.startMultipart('big/obj', { contentType: 'text/plain', userMetadata: { a: '1' } });
    const p1 = await s.uploadPart('big/obj', u.uploadId, 1, 'hello ');
    await s.close();
    s = await openRoot();
    expect((await s.listMultipartUploads()).uploads.map((x) => x.uploadId)).toEqual([u.uploadId]);
    const p2 = await s.uploadPart('big/obj', u.uploadId, 2, 'world');
    expect((await s.listParts('big/obj', u.uploadId)).parts.map((p) => p.partNumber)).toEqual([1, 2]);
    const info = await s.completeMultipart('big/obj', u.uploadId, [{ partNumber: 1, etag: p1.etag }, { partNumber: 2, etag: p2.etag }]);
    expect(info.etag).toMatch(/-2$/);
    const got = await s.get('big/obj');
    expect(got.info).toMatchObject({ contentType: 'text/plain', userMetadata: { a: '1' }, partCount: 2 });
    expect(await readText(got)).toBe('hello world');
    expect((await s.listMultipartUploads()).uploads).toEqual([]);
  });
});

describe('options and errors', () => {
  it('validates options at once, naming the bad one', () => {
    expect(() => createFileAdapter({} as never)).toThrow(/`root`/);
    expect(() => createFileAdapter({ root, fsync: 'sometimes' as never })).toThrow(/`fsync`/);
    expect(() => createFileAdapter({ root, maxOpenFiles: 0 })).toThrow(/`maxOpenFiles`/);
  });

  it('maps errno errors to codes and keeps the cause', async () => {
    const s = await openRoot();
    const missing = await s.get('nope').catch((e: unknown) => e);
    expect(hasErrorCode(missing, 'NotFound')).toBe(true);
    await s.put('f', 'x');
    // `f/g` needs `f` as a directory: the file is converted, so this works rather than failing ENOTDIR.
    await s.put('f/g', 'y');
    expect(await readText(await s.get('f'))).toBe('x');
    // A file another program put under the root is an object too (its ETag is the MD5 of its bytes).
    writeFileSync(join(root, 'foreign'), 'not written by the adapter');
    expect((await s.head('foreign')).etag).toBe(createHash('md5').update('not written by the adapter').digest('hex'));
    const denied = await s.get('file-link-missing/x').catch((e: unknown) => e);
    expect(hasErrorCode(denied, 'NotFound')).toBe(true);
  });

  it('maps EACCES to PermissionDenied (as an unprivileged user)', async (t) => {
    if (process.getuid?.() !== 0) t.skip(); // needs root to switch to `nobody`; unprivileged runs would need chmod
    mkdirSync(root, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const code = `import('@strata/file').then(m => m.openFileStorage({ root: ${JSON.stringify(root)} })).then(() => console.log('opened'), e => console.log(e.code, e.cause && e.cause.code))`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: join(import.meta.dirname, '..'), encoding: 'utf8', uid: 65534, gid: 65534 });
    expect(out.trim()).toBe('PermissionDenied EACCES');
  }, 20_000);
});
