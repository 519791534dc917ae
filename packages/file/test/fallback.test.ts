/**
 * The metadata-file fallback (meta-files.ts): a record that an extended attribute cannot hold — too large for
 * the file system, or a file system without user attributes (ramfs; the `xattrs: false` option) — is a file
 * `.strata-meta/<ino mod 256>/<ino>.json`, written before the data file's rename. What must hold: such objects
 * round-trip with all their metadata; the record of a replaced, deleted or never-published file does not
 * linger; a record never describes a file whose stamp it does not match; `migrate` drops orphaned records.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAttributeSync } from '@napi-rs/xattr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStorage, readText } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { META_DIR, createFileAdapter, openFileStorage } from '../src/index.ts';
import type { FileAdapter } from '../src/index.ts';

let dir: string;
let root: string;
const open: Storage[] = [];
const openRoot = async (xattrs = true) => {
  const s = await openFileStorage({ root, fsync: 'always', minPartSize: 1, xattrs });
  open.push(s);
  return s;
};
/** Every record file under the root, as `<ino>.json` names. */
const records = () => (existsSync(join(root, META_DIR)) ? readdirSync(join(root, META_DIR)).flatMap((b) => readdirSync(join(root, META_DIR, b))) : []);
const recordOf = (file: string) => `${statSync(file).ino}.json`;
const hasAttr = (file: string) => getAttributeSync(file, 'user.strata.meta') !== null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'strata-file-fallback-'));
  root = join(dir, 'root');
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a record too large for an extended attribute', () => {
  // ext4 keeps all of a file's attributes in one 4 KiB block: this record is over 6 KiB.
  const big = { userMetadata: { note: 'n'.repeat(2000) }, tags: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`tag${i}`, 'v'.repeat(256)])) };

  it('goes to a metadata file, round-trips, and goes away with its file', async () => {
    const s = await openRoot();
    await s.put('big/obj', 'bytes', { contentType: 'text/x-big', ...big });
    const file = join(root, 'big/obj');
    expect(readFileSync(file, 'utf8')).toBe('bytes');
    expect(hasAttr(file)).toBe(false);
    expect(records()).toEqual([recordOf(file)]);
    expect(await s.head('big/obj')).toMatchObject({ contentType: 'text/x-big', ...big });
    // Overwritten with a small record: back in the attribute, and the old inode's record is removed.
    await s.put('big/obj', 'small', { contentType: 'text/plain' });
    expect(hasAttr(file)).toBe(true);
    expect(records()).toEqual([]);
    await s.put('big/obj', 'again', big);
    await s.delete('big/obj');
    expect(records()).toEqual([]);
  });

  it('setTags that outgrows the attribute moves the record to a file, in place', async () => {
    const s = await openRoot();
    await s.put('t', 'x', { userMetadata: big.userMetadata });
    const ino = statSync(join(root, 't')).ino;
    await s.setTags('t', big.tags);
    expect(statSync(join(root, 't')).ino).toBe(ino);
    expect(hasAttr(join(root, 't'))).toBe(false);
    expect((await s.head('t')).tags).toEqual(big.tags);
    await s.setTags('t', {});
    expect(hasAttr(join(root, 't'))).toBe(true);
    expect(records()).toEqual([]);
  });
});

describe('xattrs: false (every record in a metadata file)', () => {
  it('keeps files plain, records beside them, and no record of a write that failed its condition', async () => {
    const s = await openRoot(false);
    const info = await s.put('a/b.txt', 'hello', { contentType: 'text/x-hello', userMetadata: { u: '1' } });
    const file = join(root, 'a/b.txt');
    expect(readFileSync(file, 'utf8')).toBe('hello');
    expect(hasAttr(file)).toBe(false);
    expect(JSON.parse(readFileSync(join(root, META_DIR, (statSync(file).ino % 256).toString(16).padStart(2, '0'), recordOf(file)), 'utf8'))).toMatchObject({
      etag: info.etag,
      contentType: 'text/x-hello',
      userMetadata: { u: '1' },
    });
    await expect(s.put('a/b.txt', 'other', { ifMatch: '"0123"' })).rejects.toMatchObject({ code: 'PreconditionFailed' });
    expect(records()).toEqual([recordOf(file)]);
    // A record whose stamp no longer matches (the file rewritten in place) describes nothing.
    writeFileSync(file, 'by hand');
    expect(await s.head('a/b.txt')).toMatchObject({ contentType: 'text/plain', userMetadata: {} });
  });

  it('caches a foreign file’s ETag in a metadata file', async () => {
    const s = await openRoot(false);
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'foreign.txt'), 'foreign');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'foreign.txt'), old, old);
    await s.head('foreign.txt');
    await s.close();
    expect(records()).toEqual([recordOf(join(root, 'foreign.txt'))]);
  });
});

describe('migrate', () => {
  it('removes records whose file was deleted by hand, and keeps the others', async () => {
    const adapter: FileAdapter = createFileAdapter({ root, fsync: 'never', xattrs: false });
    const s = createStorage(adapter);
    open.push(s);
    await s.put('keep', 'k');
    await s.put('gone', 'g');
    const upload = await s.startMultipart('mp');
    await s.uploadPart('mp', upload.uploadId, 1, 'part');
    const keep = recordOf(join(root, 'keep'));
    unlinkSync(join(root, 'gone'));
    expect(records()).toHaveLength(3);
    expect(await adapter.migrate()).toEqual({ objects: 1, rewritten: 0, removedRecords: 1 });
    expect(records()).toHaveLength(2);
    expect(records()).toContain(keep);
    expect((await s.listParts('mp', upload.uploadId)).parts.map((p) => p.size)).toEqual([4]);
  });
});

/** A file system without user extended attributes at all: ramfs. Needs root (mount); skipped elsewhere. */
describe.skipIf(process.getuid?.() !== 0 || process.platform !== 'linux')('a file system without user attributes (ramfs)', () => {
  let mnt: string;
  beforeEach(() => {
    mnt = join(dir, 'ramfs');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'ramfs', 'ramfs', mnt]);
    root = join(mnt, 'root');
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    execFileSync('umount', [mnt]);
  });

  it('keeps every record in a metadata file, found again after a reopen', async () => {
    let s = await openRoot();
    await s.put('x/y', 'data', { contentType: 'text/x-y', tags: { t: '1' } });
    const u = await s.startMultipart('m');
    const p = await s.uploadPart('m', u.uploadId, 1, 'multi');
    await s.completeMultipart('m', u.uploadId, [{ partNumber: 1, etag: p.etag }]);
    await s.setTags('x/y', { t: '2' });
    expect(records()).toHaveLength(2);
    await s.close();
    s = await openRoot();
    expect(await s.head('x/y')).toMatchObject({ contentType: 'text/x-y', tags: { t: '2' } });
    expect((await s.head('m')).partCount).toBe(1);
    expect(await readText(await s.get('m'))).toBe('multi');
    await s.delete('x/y');
    await s.delete('m');
    expect(records()).toEqual([]);
  });
});
