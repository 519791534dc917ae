/**
 * put / get / head basics: every body kind, the ETag as hex MD5 (S3 clients compare it with their own MD5,
 * AWS PutObject "ETag"), zero-byte objects, overwrite, and `NotFound` for missing keys (never `null`).
 */
import { Readable } from 'node:stream';
import { expect } from 'vitest';
import type { Body } from '@strata/storage';
import type { DeclareCase, GroupContext } from '../context.ts';
import { expectStorageError } from '../context.ts';
import { generateBytes, generateStream, hashStream, md5Hex } from '../data.ts';
import { bodyOf, getBytes, slowChunks } from '../helpers.ts';

const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
const text = 'h\u00e9llo w\u00f6rld \u{1f600}\n';

/** Body kinds the contract accepts, each with the bytes it must store. */
function bodyKinds(): { name: string; make: () => Body; bytes: Buffer }[] {
  const bytes = generateBytes(70_000, 7);
  const backing = Buffer.concat([Buffer.from('JUNK'), bytes, Buffer.from('JUNK')]);
  return [
    { name: 'Buffer', make: () => Buffer.from(bytes), bytes },
    { name: 'plain Uint8Array', make: () => new Uint8Array(bytes), bytes },
    { name: 'Uint8Array view with an offset (only the view is stored)', make: () => new Uint8Array(backing.buffer, backing.byteOffset + 4, bytes.length), bytes },
    { name: 'string (UTF-8 encoded)', make: () => text, bytes: Buffer.from(text, 'utf8') },
    { name: 'Node Readable', make: () => Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), bytes },
    {
      name: 'web ReadableStream',
      make: () =>
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new Uint8Array(bytes.subarray(0, 5)));
            c.enqueue(new Uint8Array(bytes.subarray(5)));
            c.close();
          },
        }),
      bytes,
    },
    { name: 'async iterable of strings and bytes', make: () => slowChunks(['h\u00e9', new Uint8Array([0x6c, 0x6c]), 'o']), bytes: Buffer.from('h\u00e9llo') },
    { name: 'sync iterable of Uint8Array', make: () => [new Uint8Array([1, 2]), new Uint8Array([3])], bytes: Buffer.from([1, 2, 3]) },
    { name: 'generated stream of 3 MiB', make: () => generateStream(3 << 20, 9), bytes: generateBytes(3 << 20, 9) },
  ];
}

/** Declares the put/get/head cases. */
export function putGetCases(it: DeclareCase, ctx: GroupContext): void {
  for (const kind of bodyKinds()) {
    it(`stores a ${kind.name} body and returns its bytes and MD5 ETag`, async () => {
      const key = `${ctx.prefix('body')}obj`;
      const info = await ctx.storage.put(key, kind.make());
      expect(info.size).toBe(kind.bytes.length);
      expect(info.etag).toBe(md5Hex(kind.bytes));
      const got = await ctx.storage.get(key);
      expect(got.info.etag).toBe(info.etag);
      expect((await bodyOf(got)).equals(kind.bytes)).toBe(true);
    });
  }

  it('returns complete ObjectInfo from put, get and head (and they agree)', async () => {
    const key = `${ctx.prefix('info')}obj`;
    const before = Date.now();
    const put = await ctx.storage.put(key, 'abc');
    expect(put).toMatchObject({ key, size: 3, etag: md5Hex('abc'), userMetadata: {} });
    expect(put.etag).not.toMatch(/"/);
    expect(put.lastModified).toBeInstanceOf(Date);
    expect(put.lastModified.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    expect(put.lastModified.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    const head = await ctx.storage.head(key);
    const got = await ctx.storage.get(key);
    got.body.resume();
    for (const info of [head, got.info]) {
      expect(info).toMatchObject({ key, size: 3, etag: put.etag, userMetadata: {} });
      expect(info.lastModified.getTime()).toBe(put.lastModified.getTime());
      expect(info.partCount).toBeUndefined();
    }
    expect(got.range).toBeUndefined();
  });

  it('stores zero-byte objects from a string, bytes and an empty stream', async () => {
    const p = ctx.prefix('zero');
    for (const [name, body] of [['s', ''], ['b', new Uint8Array(0)], ['r', Readable.from([])], ['i', []]] as [string, Body][]) {
      const info = await ctx.storage.put(p + name, body);
      expect(info.size).toBe(0);
      expect(info.etag).toBe(EMPTY_MD5);
      expect((await ctx.storage.head(p + name)).size).toBe(0);
      expect((await getBytes(ctx.storage, p + name)).length).toBe(0);
    }
  });

  it('overwrites bytes, size and ETag', async () => {
    const key = `${ctx.prefix('over')}obj`;
    await ctx.storage.put(key, 'first version, longer');
    const second = await ctx.storage.put(key, 'second');
    expect(second.etag).toBe(md5Hex('second'));
    expect((await ctx.storage.head(key)).size).toBe(6);
    expect((await getBytes(ctx.storage, key)).toString()).toBe('second');
  });

  it('gives the same ETag to the same bytes under different keys and body kinds', async () => {
    const p = ctx.prefix('same');
    const a = await ctx.storage.put(`${p}a`, 'same bytes');
    const b = await ctx.storage.put(`${p}b`, Readable.from([Buffer.from('same '), Buffer.from('bytes')]));
    expect(a.etag).toBe(b.etag);
  });

  it('throws NotFound (with op and key) from get and head of a missing key', async () => {
    const key = `${ctx.prefix('missing')}nothing-here`;
    await expectStorageError(ctx.storage.get(key), { code: 'NotFound', op: 'get', key });
    await expectStorageError(ctx.storage.head(key), { code: 'NotFound', op: 'head', key });
  });

  it('throws NotFound for a key that is only a prefix of existing keys', async () => {
    const p = ctx.prefix('dirlike');
    await ctx.storage.put(`${p}dir/file`, 'x');
    await expectStorageError(ctx.storage.get(`${p}dir`), { code: 'NotFound' });
    await expectStorageError(ctx.storage.head(`${p}dir/`), { code: 'NotFound' });
  });

  it('lets a get stream be destroyed unread without blocking later writes', async () => {
    const key = `${ctx.prefix('destroy')}obj`;
    await ctx.storage.put(key, generateBytes(1 << 20, 3));
    for (let i = 0; i < 5; i++) (await ctx.storage.get(key)).body.destroy();
    await ctx.storage.put(key, 'after');
    expect((await getBytes(ctx.storage, key)).toString()).toBe('after');
    await ctx.storage.delete(key);
  });

  it('serves many concurrent readers of one object', async () => {
    const key = `${ctx.prefix('readers')}obj`;
    const bytes = generateBytes(256 * 1024, 5);
    await ctx.storage.put(key, bytes);
    const digests = await Promise.all(Array.from({ length: 16 }, async () => hashStream((await ctx.storage.get(key)).body)));
    for (const d of digests) expect(d.md5).toBe(md5Hex(bytes));
  });

  it('reports lastModified that does not go backwards on overwrite', async () => {
    const key = `${ctx.prefix('time')}obj`;
    const a = await ctx.storage.put(key, '1');
    const b = await ctx.storage.put(key, '2');
    expect(b.lastModified.getTime()).toBeGreaterThanOrEqual(a.lastModified.getTime());
  });
}
