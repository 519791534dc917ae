/**
 * Plain files: an object's bytes are its file's bytes, exactly, and its metadata lives in the file's
 * `user.strata.meta` extended attribute, set before the rename that publishes it. Files put under the root by
 * other programs are objects too: added, replaced, rewritten in place or removed by hand, they show in GET, HEAD
 * and LIST, with the MD5 of their bytes as ETag (cached in their record until their size, mtime or inode
 * changes), their mtime as Last-Modified and a content type from their extension.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAttributeSync } from '@napi-rs/xattr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBytes, readText } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { META_DIR, openFileStorage } from '../src/index.ts';
import { decodeRecord } from '../src/object-meta.ts';

let root: string;
let storage: Storage;
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'strata-file-plain-'));
  storage = await openFileStorage({ root, fsync: 'never', minPartSize: 1 });
});
afterEach(async () => {
  await storage.close();
  rmSync(root, { recursive: true, force: true });
});

const md5 = (b: string | Buffer) => createHash('md5').update(b).digest('hex');
const attrOf = (path: string) => {
  const v = getAttributeSync(path, 'user.strata.meta');
  return v === null ? undefined : (decodeRecord(v) as Record<string, unknown> | undefined);
};
/** Moves a file's mtime a minute back: out of the window in which a cached ETag could be racy. */
const age = (path: string) => {
  const old = new Date(Date.now() - 60_000);
  utimesSync(path, old, old);
};
const keysOf = async (s: Storage) => (await s.list({ limit: 1000 })).items.map((i) => i.key);

describe('objects are plain files', () => {
  it('keeps exactly the bytes in the file and the metadata in user.strata.meta', async () => {
    const body = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff));
    const info = await storage.put('docs/report.bin', body, {
      contentType: 'application/x-report',
      cacheControl: 'max-age=60',
      userMetadata: { Owner: 'ops' },
      tags: { team: 'storage' },
      checksumAlgorithms: ['crc32c'],
    });
    const file = join(root, 'docs/report.bin');
    expect(readFileSync(file).equals(body)).toBe(true);
    const st = statSync(file);
    expect(attrOf(file)).toMatchObject({
      v: 1,
      ino: st.ino,
      size: body.length,
      mtimeMs: st.mtimeMs,
      etag: md5(body),
      lastModified: info.lastModified.getTime(),
      contentType: 'application/x-report',
      cacheControl: 'max-age=60',
      userMetadata: { owner: 'ops' },
      tags: { team: 'storage' },
      checksums: { crc32c: info.checksums?.crc32c },
    });
    expect(existsSync(join(root, META_DIR))).toBe(false);
    // `getfattr` (the attr package), where installed, reads the same attribute from outside the process.
    const getfattr = (() => {
      try {
        return execFileSync('getfattr', ['--only-values', '-n', 'user.strata.meta', file], { stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        return undefined;
      }
    })();
    if (getfattr !== undefined) expect(decodeRecord(getfattr)?.etag).toBe(md5(body));
  });

  it('changes tags in place: same file, bytes, ETag and Last-Modified', async () => {
    const before = await storage.put('t/obj.txt', 'tagged', { contentType: 'text/plain' });
    const file = join(root, 't/obj.txt');
    const ino = statSync(file).ino;
    await storage.setTags('t/obj.txt', { a: '1' });
    const after = await storage.head('t/obj.txt');
    expect(statSync(file).ino).toBe(ino);
    expect(after).toMatchObject({ etag: before.etag, tags: { a: '1' }, contentType: 'text/plain' });
    expect(after.lastModified.getTime()).toBe(before.lastModified.getTime());
    expect(readFileSync(file, 'utf8')).toBe('tagged');
  });

  it('a copy that keeps attributes and mtime (cp -a, rsync -X) keeps the metadata', async () => {
    await storage.put('src.txt', 'copied', { contentType: 'text/x-mine', userMetadata: { k: 'v' } });
    cpSync(join(root, 'src.txt'), join(root, 'dst.txt'), { preserveTimestamps: true });
    // cpSync does not copy attributes: like a plain `cp`, the copy is a foreign file with derived metadata.
    expect(await storage.head('dst.txt')).toMatchObject({ etag: md5('copied'), contentType: 'text/plain', userMetadata: {} });
    rmSync(join(root, 'dst.txt'));
    try {
      execFileSync('cp', ['-a', join(root, 'src.txt'), join(root, 'dst.txt')]);
    } catch {
      return; // no GNU cp
    }
    expect(statSync(join(root, 'dst.txt')).ino).not.toBe(statSync(join(root, 'src.txt')).ino);
    expect(await storage.head('dst.txt')).toMatchObject({ etag: md5('copied'), contentType: 'text/x-mine', userMetadata: { k: 'v' } });
  });

  it('never pairs the metadata of one write with the bytes of another under concurrent overwrites', async () => {
    // Same size, so only the record's stamp (and the inode check) tells them apart.
    const values = ['aaaaaaaa', 'bbbbbbbb', 'cccccccc'];
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop && i < 400; i++) {
        const v = values[i % 3] as string;
        await storage.put('race/k', v, { contentType: `text/x-${v}` });
      }
    })();
    for (let i = 0; i < 300; i++) {
      const r = await storage.get('race/k').catch(() => undefined);
      if (!r) continue;
      const text = await readText(r);
      expect(r.info.etag).toBe(md5(text));
      expect(r.info.contentType).toBe(`text/x-${text}`);
    }
    stop = true;
    await writer;
  });
});

describe('files put under the root by other programs', () => {
  it('are objects: GET, HEAD and LIST, with ETag, Last-Modified and content type derived from the file', async () => {
    mkdirSync(join(root, 'site/img'), { recursive: true });
    writeFileSync(join(root, 'site/index.html'), '<h1>hi</h1>');
    writeFileSync(join(root, 'site/img/logo.PNG'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    writeFileSync(join(root, 'site/README'), 'no extension');
    await storage.put('site/put.json', '{}');
    expect(await keysOf(storage)).toEqual(['site/README', 'site/img/logo.PNG', 'site/index.html', 'site/put.json']);
    const got = await storage.get('site/index.html');
    expect(await readText(got)).toBe('<h1>hi</h1>');
    const mtime = statSync(join(root, 'site/index.html')).mtimeMs;
    expect(got.info).toMatchObject({ size: 11, etag: md5('<h1>hi</h1>'), contentType: 'text/html', userMetadata: {}, tags: {} });
    expect(got.info.lastModified.getTime()).toBe(Math.floor(mtime));
    expect((await storage.head('site/img/logo.PNG')).contentType).toBe('image/png');
    expect((await storage.head('site/README')).contentType).toBeUndefined();
    const listed = (await storage.list({ prefix: 'site/index' })).items[0];
    expect(listed).toMatchObject({ key: 'site/index.html', size: 11, etag: md5('<h1>hi</h1>') });
  });

  it('a file whose name is not UTF-8 is not an object (no key spells its path)', async () => {
    writeFileSync(Buffer.concat([Buffer.from(`${root}/bad-`), Buffer.from([0xff, 0xfe])]), 'x');
    writeFileSync(join(root, 'good'), 'y');
    expect(await keysOf(storage)).toEqual(['good']);
  });

  it('streams a large foreign file with the MD5 of all of its bytes', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 'xyz');
    writeFileSync(join(root, 'big.bin'), big);
    const r = await storage.get('big.bin', { range: { start: 1, end: 10 } });
    expect(r.info.etag).toBe(md5(big));
    expect((await readBytes(r)).equals(big.subarray(1, 11))).toBe(true);
    expect((await readBytes(await storage.get('big.bin'))).equals(big)).toBe(true);
  });

  it('cache their ETag in their record, and recompute it when size, mtime or inode change', async () => {
    const file = join(root, 'hand.txt');
    writeFileSync(file, 'first');
    age(file);
    expect((await storage.head('hand.txt')).etag).toBe(md5('first'));
    await storage.close(); // waits for the background cache write
    expect(attrOf(file)).toMatchObject({ etag: md5('first'), size: 5, ino: statSync(file).ino });
    storage = await openFileStorage({ root, fsync: 'never' });
    // Rewritten in place (same inode, attribute kept, new size and mtime): the cached ETag is stale.
    writeFileSync(file, 'second!');
    expect((await storage.head('hand.txt')).etag).toBe(md5('second!'));
    // Same size, mtime moved: stale too.
    writeFileSync(file, 'third!!');
    age(file);
    expect((await storage.head('hand.txt')).etag).toBe(md5('third!!'));
    // Replaced by a new file (another inode), the old one renamed away.
    writeFileSync(join(root, 'tmp-new'), 'fourth!');
    renameSync(join(root, 'tmp-new'), file);
    expect(await readText(await storage.get('hand.txt'))).toBe('fourth!');
    expect((await storage.head('hand.txt')).etag).toBe(md5('fourth!'));
    // Removed by hand: gone from GET, HEAD and LIST.
    unlinkSync(file);
    await expect(storage.head('hand.txt')).rejects.toMatchObject({ code: 'NotFound' });
    expect(await keysOf(storage)).toEqual([]);
  });

  it('a file written through the adapter and then rewritten by hand loses its old metadata', async () => {
    await storage.put('w.txt', 'original', { contentType: 'application/x-original', userMetadata: { a: 'b' } });
    writeFileSync(join(root, 'w.txt'), 'edited by hand'); // same inode: the attribute stays, but is stale
    const info = await storage.head('w.txt');
    expect(info).toMatchObject({ etag: md5('edited by hand'), size: 14, contentType: 'text/plain', userMetadata: {} });
    expect(await readText(await storage.get('w.txt'))).toBe('edited by hand');
  });

  it('support conditions, copy, tags and delete like any object', async () => {
    writeFileSync(join(root, 'f.csv'), 'a,b\n1,2\n');
    const etag = md5('a,b\n1,2\n');
    await expect(storage.get('f.csv', { ifNoneMatch: `"${etag}"` })).rejects.toMatchObject({ code: 'NotModified' });
    const copied = await storage.copy('f.csv', 'g.csv');
    expect(copied.etag).toBe(etag);
    expect((await storage.head('g.csv')).contentType).toBe('text/csv');
    await storage.setTags('f.csv', { k: 'v' });
    expect(await storage.head('f.csv')).toMatchObject({ etag, tags: { k: 'v' } });
    await storage.put('f.csv', 'replaced', { ifMatch: etag });
    expect(await readText(await storage.get('f.csv'))).toBe('replaced');
    await storage.delete('g.csv');
    expect(existsSync(join(root, 'g.csv'))).toBe(false);
  });
});
