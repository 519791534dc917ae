/**
 * The record's compact form: a small put's `user.strata.meta` attribute stays small enough to live inside an
 * ext4 inode (a value of at most 60 bytes with 256-byte inodes; a larger one takes a separate attribute block
 * that every durable put must write), defaults are left out of it and come back on read, and records in the
 * earlier JSON form are still read.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAttributeSync, setAttributeSync } from '@napi-rs/xattr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '@strata/storage';
import { openFileStorage } from '../src/index.ts';
import { decodeRecord, encodeRecord, encodeRecordJson } from '../src/object-meta.ts';
import type { MetaRecord } from '../src/object-meta.ts';

/** The largest attribute value under `user.strata.meta` that ext4 keeps inside a 256-byte inode. */
const IN_INODE_BYTES = 60;
const EXT4_MAGIC = 0xef53;

let root: string;
let storage: Storage;
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'strata-file-record-'));
  storage = await openFileStorage({ root, fsync: 'always' });
});
afterEach(async () => {
  await storage.close();
  rmSync(root, { recursive: true, force: true });
});

const attrOf = (rel: string) => getAttributeSync(join(root, rel), 'user.strata.meta') as Buffer;
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

describe('the compact record', () => {
  it('keeps a small put’s record inside the inode', async () => {
    const body = Buffer.alloc(4096, 7);
    await storage.put('bench/4KiB/1', body);
    await storage.put('site/page.html', '<p>hi</p>', { contentType: 'text/html' });
    // What SDKs send when their caller names no type.
    await storage.put('blobs/4711', body, { contentType: 'application/octet-stream' });
    for (const rel of ['bench/4KiB/1', 'site/page.html', 'blobs/4711']) {
      expect(attrOf(rel).length).toBeLessThanOrEqual(IN_INODE_BYTES);
    }
    // On ext4 an attribute block shows in st_blocks: 4 KiB of data is 8 sectors, 16 with the block.
    const st = statSync(join(root, 'bench/4KiB/1'));
    if (statfsSync(root).type === EXT4_MAGIC && st.blksize === 4096) expect(st.blocks).toBe(8);
    expect(await storage.head('bench/4KiB/1')).toMatchObject({ size: 4096, etag: md5(body), userMetadata: {}, tags: {} });
    expect((await storage.head('blobs/4711')).contentType).toBe('application/octet-stream');
  });

  it('leaves out a content type the extension gives, and gives it back on read', async () => {
    await storage.put('a/data.json', '{}', { contentType: 'application/json' });
    await storage.put('a/other.json', '{}', { contentType: 'text/plain' });
    await storage.put('a/none.json', '{}');
    expect(decodeRecord(attrOf('a/data.json'))).toMatchObject({ typeFromKey: true });
    expect(decodeRecord(attrOf('a/data.json'))?.contentType).toBeUndefined();
    expect((await storage.head('a/data.json')).contentType).toBe('application/json');
    expect((await storage.head('a/other.json')).contentType).toBe('text/plain');
    // No content type given stays none, even where the extension has one.
    expect((await storage.head('a/none.json')).contentType).toBeUndefined();
  });

  it('round-trips every field, and odd ETags, through the compact form', () => {
    const full: MetaRecord = {
      v: 1,
      ino: 2 ** 40 + 3,
      size: 5 * 2 ** 30,
      mtimeMs: 1765056123456.7893,
      etag: '0123456789abcdef0123456789abcdef-12',
      lastModified: 1765056123460,
      key: 'k/é',
      contentType: 'x/y',
      contentEncoding: 'gzip',
      contentDisposition: 'inline',
      contentLanguage: 'fr',
      cacheControl: 'no-cache',
      expires: 'Thu, 01 Dec 2094 16:00:00 GMT',
      userMetadata: { a: '1' },
      tags: { t: 'v' },
      checksums: { crc32: 'AAAAAA==' },
      checksumType: 'COMPOSITE',
      partCount: 12,
      partSizes: [[5 * 2 ** 20, 11], [7, 1]],
    };
    expect(decodeRecord(encodeRecord(full))).toEqual(full);
    const foreign: MetaRecord = { v: 1, ino: 7, size: 0, mtimeMs: 1.5, etag: 'd41d8cd98f00b204e9800998ecf8427e', typeFromKey: true };
    expect(decodeRecord(encodeRecord(foreign))).toEqual(foreign);
    const octets: MetaRecord = { v: 1, ino: 7, size: 0, mtimeMs: 1.5, etag: foreign.etag, contentType: 'application/octet-stream', tags: { a: 'b' } };
    expect(decodeRecord(encodeRecord(octets))).toEqual(octets);
    // A Last-Modified far from the mtime does not fit the compact form's offset: it is stored as JSON.
    const far: MetaRecord = { ...foreign, lastModified: 1e13 };
    expect(encodeRecord(far)[0]).toBe(0x7b);
    expect(decodeRecord(encodeRecord(far))).toEqual(far);
    for (const damaged of [Buffer.from([2]), encodeRecord(full).subarray(0, 30), Buffer.from('{"v":1}'), Buffer.from('not json')]) {
      expect(decodeRecord(damaged)).toBeUndefined();
    }
  });

  it('still reads a record in the earlier JSON form', async () => {
    const file = join(root, 'old.txt');
    writeFileSync(file, 'old bytes');
    const st = statSync(file);
    const old: MetaRecord = { v: 1, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, etag: 'e'.repeat(32), lastModified: 1_700_000_000_000, contentType: 'text/x-old', userMetadata: { who: 'me' } };
    setAttributeSync(file, 'user.strata.meta', encodeRecordJson(old));
    expect(await storage.head('old.txt')).toMatchObject({
      etag: 'e'.repeat(32),
      contentType: 'text/x-old',
      userMetadata: { who: 'me' },
      lastModified: new Date(1_700_000_000_000),
    });
  });
});
