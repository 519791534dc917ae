/**
 * Data directories written before objects were plain files: every object file starts with a `#strata1`
 * header (metadata.ts), and so does every multipart part file. They keep working: objects read as before
 * (bytes after the header, metadata from it), are rewritten in the new format when next written (put, setTags),
 * uploads in progress complete, an interrupted conversion is finished at open, and `migrate` rewrites the
 * rest. The old files are made here with the header encoder the earlier version used.
 */
import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { getAttributeSync } from '@napi-rs/xattr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStorage, readText } from '@strata/storage';
import type { ObjectInfo, Storage } from '@strata/storage';
import { createFileAdapter, keyToPath } from '../src/index.ts';
import type { FileAdapter } from '../src/index.ts';
import { encodeHeader, encodeJsonHeader } from '../src/metadata.ts';

let root: string;
let adapter: FileAdapter;
let storage: Storage;
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const LONG = 'L'.repeat(300);
const WRITTEN = new Date(1_700_000_000_000);

/** Writes `body` as the earlier version did: header, then bytes, at `rel`. */
function writeOld(rel: string, key: string, body: string, extra: Partial<ObjectInfo> = {}): void {
  const info: ObjectInfo = { key, size: Buffer.byteLength(body), etag: md5(body), lastModified: WRITTEN, userMetadata: {}, tags: {}, ...extra };
  const file = join(root, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, Buffer.concat([encodeHeader(info, 300), Buffer.from(body)]));
}
const isPlain = (rel: string, body: string) => readFileSync(join(root, rel), 'utf8') === body && getAttributeSync(join(root, rel), 'user.strata.meta') !== null;

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'strata-file-legacy-'));
  writeOld('a.txt', 'a.txt', 'alpha', { contentType: 'text/x-alpha', userMetadata: { who: 'old' }, tags: { t: '1' } });
  writeOld('d/.strata-self', 'd', 'dee');
  writeOld('d/e', 'd/e', 'e!');
  writeOld(keyToPath(`${LONG}/f`).rel, `${LONG}/f`, 'long');
  writeFileSync(join(root, 'not-old.txt'), '#strata1 00000099\nnot a header at all');
  // The long segment's directory, as the earlier version named it.
  writeFileSync(join(root, keyToPath(`${LONG}/f`).dir, '.strata-name'), LONG);
  adapter = createFileAdapter({ root, fsync: 'never', minPartSize: 1 });
  storage = createStorage(adapter);
});
afterEach(async () => {
  await storage.close();
  rmSync(root, { recursive: true, force: true });
});

describe('objects in the old header format', () => {
  it('read as before: bytes after the header, metadata from it', async () => {
    expect((await storage.list()).items.map((i) => i.key)).toEqual([`${LONG}/f`, 'a.txt', 'd', 'd/e', 'not-old.txt']);
    const a = await storage.get('a.txt');
    expect(await readText(a)).toBe('alpha');
    expect(a.info).toMatchObject({ size: 5, etag: md5('alpha'), contentType: 'text/x-alpha', userMetadata: { who: 'old' }, tags: { t: '1' } });
    expect(a.info.lastModified.getTime()).toBe(WRITTEN.getTime());
    expect(await readText(await storage.get('d'))).toBe('dee');
    expect(await readText(await storage.get(`${LONG}/f`))).toBe('long');
    expect(await readText(await storage.get('a.txt', { range: { start: 1, end: 3 } }))).toBe('lph');
    // A file whose header does not fit its size is a foreign file, its bytes whole.
    expect(await readText(await storage.get('not-old.txt'))).toBe('#strata1 00000099\nnot a header at all');
  });

  it('are rewritten in the new format when next written', async () => {
    await storage.put('d/e', 'new e');
    expect(isPlain('d/e', 'new e')).toBe(true);
    await storage.setTags('a.txt', { t: '2' });
    expect(isPlain('a.txt', 'alpha')).toBe(true);
    const a = await storage.head('a.txt');
    expect(a).toMatchObject({ etag: md5('alpha'), contentType: 'text/x-alpha', userMetadata: { who: 'old' }, tags: { t: '2' } });
    expect(a.lastModified.getTime()).toBe(WRITTEN.getTime());
  });

  it('an upload in progress with old-format parts completes', async () => {
    const uploadId = 'ab'.repeat(16);
    const dir = join(root, '.strata-uploads', uploadId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'upload.json'), JSON.stringify({ key: 'mp', uploadId, initiated: WRITTEN.getTime(), options: { contentType: 'text/x-mp' }, algorithms: [] }));
    const part1 = 'first part;';
    writeFileSync(join(dir, '1'), Buffer.concat([encodeJsonHeader({ partNumber: 1, size: part1.length, etag: md5(part1), lastModified: WRITTEN.getTime() }, 1024), Buffer.from(part1)]));
    const p2 = await storage.uploadPart('mp', uploadId, 2, 'second');
    expect((await storage.listParts('mp', uploadId)).parts.map((p) => p.size)).toEqual([part1.length, 6]);
    await storage.completeMultipart('mp', uploadId, [{ partNumber: 1, etag: md5(part1) }, { partNumber: 2, etag: p2.etag }]);
    expect(isPlain('mp', 'first part;second')).toBe(true);
    expect((await storage.head('mp')).contentType).toBe('text/x-mp');
  });

  it('an interrupted conversion of the earlier version is finished at open', async () => {
    await storage.close();
    // The earlier version crashed after unlinking `x` (to make it a directory) with only its staging link left.
    writeOld('x', 'x', 'ex');
    mkdirSync(join(root, '.strata-staging'), { recursive: true });
    linkSync(join(root, 'x'), join(root, '.strata-staging', 'conv-dead-1'));
    unlinkSync(join(root, 'x'));
    adapter = createFileAdapter({ root, fsync: 'never' });
    storage = createStorage(adapter);
    expect(await readText(await storage.get('x'))).toBe('ex');
    expect(statSync(join(root, 'x')).isDirectory()).toBe(true);
  });

  it('migrate rewrites every old-format object, keeping its metadata', async () => {
    expect(await adapter.migrate()).toEqual({ objects: 5, rewritten: 4, removedRecords: 0 });
    for (const [rel, body] of [['a.txt', 'alpha'], ['d/.strata-self', 'dee'], ['d/e', 'e!'], [keyToPath(`${LONG}/f`).rel, 'long']] as const) {
      expect(isPlain(rel, body), rel).toBe(true);
    }
    expect(await storage.head('a.txt')).toMatchObject({ etag: md5('alpha'), userMetadata: { who: 'old' }, tags: { t: '1' } });
    expect((await storage.list()).items.map((i) => i.key)).toEqual([`${LONG}/f`, 'a.txt', 'd', 'd/e', 'not-old.txt']);
    expect(await adapter.migrate()).toEqual({ objects: 5, rewritten: 0, removedRecords: 0 });
  });
});
