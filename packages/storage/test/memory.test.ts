import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  checksumBase64,
  createMemoryStorage,
  readBytes,
  readText,
} from '../src/index.ts';
import { rejectsWith } from './helpers.ts';

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');

describe('memory adapter: objects', () => {
  it('round-trips bytes and every piece of metadata', async () => {
    const s = createMemoryStorage();
    const meta = {
      contentType: 'text/plain; charset=utf-8',
      contentEncoding: 'identity',
      contentDisposition: 'attachment; filename="a.txt"',
      contentLanguage: 'fr',
      cacheControl: 'no-cache',
      expires: 'Wed, 21 Oct 2026 07:28:00 GMT',
    };
    const put = await s.put('k', 'données', { ...meta, userMetadata: { Owner: 'Zoë ☃' }, tags: { a: '1' } });
    expect(put).toMatchObject({ key: 'k', size: Buffer.byteLength('données'), etag: md5('données'), ...meta });
    const head = await s.head('k');
    expect(head).toMatchObject({ ...meta, userMetadata: { owner: 'Zoë ☃' }, tags: { a: '1' } });
    expect(head.lastModified).toBeInstanceOf(Date);
    expect(await readText(await s.get('k'))).toBe('données');
  });

  it('returned infos are copies: mutating them does not change the store', async () => {
    const s = createMemoryStorage();
    const info = await s.put('k', 'x', { userMetadata: { a: '1' } });
    info.userMetadata.a = 'changed';
    info.lastModified.setTime(0);
    const head = await s.head('k');
    expect(head.userMetadata.a).toBe('1');
    expect(head.lastModified.getTime()).not.toBe(0);
  });

  it('copies the caller buffer: changing it after put does not change the object', async () => {
    const s = createMemoryStorage();
    const buf = Buffer.from('abc');
    await s.put('k', buf);
    buf[0] = 0x7a;
    expect(await readText(await s.get('k'))).toBe('abc');
  });

  it('missing keys throw NotFound; delete is idempotent', async () => {
    const s = createMemoryStorage();
    await rejectsWith(s.get('nope'), 'NotFound');
    await rejectsWith(s.head('nope'), 'NotFound');
    await s.delete('nope');
    await s.put('k', 'x');
    await s.delete('k');
    await s.delete('k');
    await rejectsWith(s.head('k'), 'NotFound');
    expect((await s.list()).items).toEqual([]);
  });

  it('stores zero-byte objects', async () => {
    const s = createMemoryStorage();
    const info = await s.put('empty', '');
    expect(info).toMatchObject({ size: 0, etag: 'd41d8cd98f00b204e9800998ecf8427e' });
    expect(await readBytes(await s.get('empty'))).toHaveLength(0);
    const ranged = await s.get('empty', { range: { start: 0, end: 10 } });
    expect(ranged.range).toBeUndefined();
  });

  it('a put whose body fails mid-stream leaves the old object', async () => {
    const s = createMemoryStorage();
    await s.put('k', 'old');
    const failing = (async function* () {
      yield Buffer.from('new-bytes-');
      throw new Error('connection lost');
    })();
    await rejectsWith(s.put('k', failing), 'InvalidArgument', 'IncompleteBody');
    expect(await readText(await s.get('k'))).toBe('old');
  });

  it('a BadDigest put stores nothing', async () => {
    const s = createMemoryStorage();
    await rejectsWith(s.put('k', 'abc', { contentMd5: createHash('md5').update('abd').digest('base64') }), 'InvalidArgument', 'BadDigest');
    await rejectsWith(s.head('k'), 'NotFound');
    await rejectsWith(s.put('k', 'abc', { expectedChecksums: () => ({ crc32: checksumBase64('crc32', 'zzz') }), checksumAlgorithms: ['crc32'] }), 'InvalidArgument', 'BadDigest');
    await rejectsWith(s.head('k'), 'NotFound');
  });

  it('an expected checksum given as a function is verified and stored', async () => {
    const s = createMemoryStorage();
    const sum = checksumBase64('sha256', 'abc');
    const info = await s.put('k', 'abc', { checksumAlgorithms: ['sha256'], expectedChecksums: () => ({ sha256: sum }) });
    expect(info.checksums).toEqual({ sha256: sum });
    expect((await s.head('k')).checksums).toEqual({ sha256: sum });
  });

  it('an aborted streaming put leaves no object', async () => {
    const s = createMemoryStorage();
    const ac = new AbortController();
    const source = new Readable({ read() {} });
    source.push(Buffer.alloc(1000));
    const putting = s.put('k', source, { signal: ac.signal });
    setTimeout(() => ac.abort(), 10);
    await rejectsWith(putting, 'Aborted');
    await rejectsWith(s.head('k'), 'NotFound');
  });

  it('readers during an overwrite see the old or the new bytes, never a mix', async () => {
    const s = createMemoryStorage();
    const oldBytes = Buffer.alloc(300_000, 'a');
    const newBytes = Buffer.alloc(300_000, 'b');
    await s.put('k', oldBytes);
    const slow = (async function* () {
      for (let i = 0; i < 30; i++) {
        await new Promise((r) => setImmediate(r));
        yield newBytes.subarray(i * 10_000, (i + 1) * 10_000);
      }
    })();
    const writing = s.put('k', slow);
    const seen = new Set<string>();
    let done = false;
    void writing.then(() => (done = true));
    while (!done) {
      await new Promise((r) => setImmediate(r));
      const got = await readBytes(await s.get('k'));
      seen.add(got.equals(oldBytes) ? 'old' : got.equals(newBytes) ? 'new' : 'mixed');
    }
    await writing;
    seen.add((await readBytes(await s.get('k'))).equals(newBytes) ? 'new' : 'mixed');
    expect(seen.has('mixed')).toBe(false);
    expect(seen.has('old')).toBe(true);
    expect(seen.has('new')).toBe(true);
  });

  it('a stream opened before an overwrite keeps reading the old snapshot', async () => {
    const s = createMemoryStorage();
    await s.put('k', Buffer.alloc(200_000, 'a'));
    const r = await s.get('k');
    await s.put('k', Buffer.alloc(200_000, 'b'));
    expect((await readBytes(r)).every((b) => b === 0x61)).toBe(true);
  });
});

describe('memory adapter: conditional writes', () => {
  it('create-only put: exactly one of N concurrent writers wins', async () => {
    const s = createMemoryStorage();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => s.put('lock', (async function* () { await new Promise((r) => setTimeout(r, i % 3)); yield Buffer.from(`w${i}`); })(), { ifNoneMatch: '*' })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('AlreadyExists');
  });

  it('ifMatch compare-and-swap from several writers loses no update', async () => {
    const s = createMemoryStorage();
    await s.put('counter', '0');
    const writer = async () => {
      for (let done = 0; done < 10; ) {
        const r = await s.get('counter');
        const n = Number(await readText(r));
        await new Promise((res) => setImmediate(res));
        try {
          await s.put('counter', String(n + 1), { ifMatch: r.info.etag });
          done++;
        } catch (e) {
          if ((e as { code: string }).code !== 'PreconditionFailed') throw e;
        }
      }
    };
    await Promise.all([writer(), writer(), writer()]);
    expect(await readText(await s.get('counter'))).toBe('30');
  });

  it('ifMatch on a missing object fails with PreconditionFailed; quoted etags match', async () => {
    const s = createMemoryStorage();
    await rejectsWith(s.put('k', 'x', { ifMatch: md5('x') }), 'PreconditionFailed');
    const info = await s.put('k', 'x');
    await s.put('k', 'y', { ifMatch: `"${info.etag}"` });
    await rejectsWith(s.put('k', 'z', { ifMatch: info.etag }), 'PreconditionFailed');
    await rejectsWith(s.put('k', 'z', { ifNoneMatch: '*' }), 'AlreadyExists');
  });
});

describe('memory adapter: ranges and read conditions', () => {
  const body = '0123456789';
  const cases: [string, Parameters<ReturnType<typeof createMemoryStorage>['get']>[1], string, { start: number; end: number } | undefined][] = [
    ['start-end', { range: { start: 2, end: 4 } }, '234', { start: 2, end: 4 }],
    ['end clipped', { range: { start: 8, end: 100 } }, '89', { start: 8, end: 9 }],
    ['open end', { range: { start: 7 } }, '789', { start: 7, end: 9 }],
    ['suffix', { range: { suffix: 3 } }, '789', { start: 7, end: 9 }],
    ['suffix longer than object', { range: { suffix: 50 } }, body, { start: 0, end: 9 }],
    ['last byte', { range: { start: 9, end: 9 } }, '9', { start: 9, end: 9 }],
  ];
  for (const [name, options, want, range] of cases) {
    it(`range ${name}`, async () => {
      const s = createMemoryStorage();
      await s.put('k', body);
      const r = await s.get('k', options);
      expect(await readText(r)).toBe(want);
      expect(r.range).toEqual(range);
      expect(r.info.size).toBe(10);
    });
  }

  it('ranges across internal chunk boundaries', async () => {
    const s = createMemoryStorage();
    const data = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
    await s.put('k', Readable.from([data.subarray(0, 70_000), data.subarray(70_000, 70_001), data.subarray(70_001)]));
    for (const [start, end] of [[0, 0], [65_535, 65_537], [69_999, 140_000], [131_071, 199_999]] as const) {
      expect((await readBytes(await s.get('k', { range: { start, end } }))).equals(data.subarray(start, end + 1))).toBe(true);
    }
  });

  it('a start at or beyond the end is InvalidRange; a zero suffix too', async () => {
    const s = createMemoryStorage();
    await s.put('k', body);
    await rejectsWith(s.get('k', { range: { start: 10 } }), 'InvalidRange');
    await rejectsWith(s.get('k', { range: { suffix: 0 } }), 'InvalidRange');
  });

  it('read conditions with S3 precedence', async () => {
    const s = createMemoryStorage();
    const info = await s.put('k', body);
    const past = new Date(info.lastModified.getTime() - 60_000);
    const future = new Date(info.lastModified.getTime() + 60_000);
    await rejectsWith(s.get('k', { ifMatch: 'other' }), 'PreconditionFailed');
    await rejectsWith(s.head('k', { ifNoneMatch: info.etag }), 'NotModified');
    await rejectsWith(s.get('k', { ifModifiedSince: future }), 'NotModified');
    await rejectsWith(s.get('k', { ifUnmodifiedSince: past }), 'PreconditionFailed');
    // If-Match holds → If-Unmodified-Since is ignored.
    await readBytes(await s.get('k', { ifMatch: info.etag, ifUnmodifiedSince: past }));
    // If-None-Match does not match → If-Modified-Since is ignored.
    await readBytes(await s.get('k', { ifNoneMatch: 'other', ifModifiedSince: future }));
    // If-Match fails first even when If-None-Match would say NotModified.
    await rejectsWith(s.get('k', { ifMatch: 'other', ifNoneMatch: info.etag }), 'PreconditionFailed');
    await readBytes(await s.get('k', { ifModifiedSince: past, ifUnmodifiedSince: future }));
  });
});

describe('memory adapter: copy, deleteMany, tags', () => {
  it('copies with metadata kept or replaced, and a range', async () => {
    const s = createMemoryStorage();
    await s.put('src', 'hello world', { contentType: 'text/plain', userMetadata: { a: '1' }, tags: { t: 'x' }, checksumAlgorithms: ['crc32'] });
    const kept = await s.copy('src', 'dst');
    expect(kept).toMatchObject({ key: 'dst', etag: md5('hello world'), contentType: 'text/plain', userMetadata: { a: '1' }, tags: { t: 'x' } });
    expect(kept.checksums).toEqual({ crc32: checksumBase64('crc32', 'hello world') });
    const replaced = await s.copy('src', 'dst2', { metadataDirective: 'replace', contentType: 'application/x', userMetadata: { B: '2' } });
    expect(replaced).toMatchObject({ contentType: 'application/x', userMetadata: { b: '2' }, tags: {} });
    const ranged = await s.copy('src', 'part', { range: { start: 6 } });
    expect(ranged).toMatchObject({ size: 5, etag: md5('world') });
    expect(ranged.checksums).toEqual({ crc32: checksumBase64('crc32', 'world') });
    expect(await readText(await s.get('part'))).toBe('world');
  });

  it('copy honours source and destination conditions', async () => {
    const s = createMemoryStorage();
    const info = await s.put('src', 'x');
    await s.put('dst', 'y');
    await rejectsWith(s.copy('src', 'dst2', { source: { ifMatch: 'nope' } }), 'PreconditionFailed');
    await rejectsWith(s.copy('src', 'dst2', { source: { ifNoneMatch: info.etag } }), 'PreconditionFailed'); // a copy has no 304: S3 answers 412
    await rejectsWith(s.copy('src', 'dst', { ifNoneMatch: '*' }), 'AlreadyExists');
    await rejectsWith(s.copy('missing', 'dst3'), 'NotFound');
    await rejectsWith(s.head('dst2'), 'NotFound');
  });

  it('copy onto itself replaces metadata', async () => {
    const s = createMemoryStorage();
    await s.put('k', 'x', { contentType: 'a/b' });
    await s.copy('k', 'k', { metadataDirective: 'replace', contentType: 'c/d' });
    expect(await s.head('k')).toMatchObject({ contentType: 'c/d', size: 1 });
  });

  it('deleteMany returns one result per key, in order', async () => {
    const s = createMemoryStorage();
    await s.put('a', '1');
    await s.put('c', '3');
    const results = await s.deleteMany(['a', 'b', 'c', '']);
    expect(results.map((r) => [r.key, r.ok])).toEqual([['a', true], ['b', true], ['c', true], ['', false]]);
    expect(results[3]).toMatchObject({ ok: false, error: { code: 'InvalidKey' } });
    expect((await s.list()).items).toEqual([]);
  });

  it('setTags replaces tags without changing the ETag or Last-Modified', async () => {
    const s = createMemoryStorage();
    const info = await s.put('k', 'x', { tags: { a: '1' } });
    const tagged = await s.setTags('k', { b: '2' });
    expect(tagged).toMatchObject({ etag: info.etag, tags: { b: '2' } });
    expect(tagged.lastModified.getTime()).toBe(info.lastModified.getTime());
    await rejectsWith(s.setTags('k', { c: '3' }, { ifMatch: 'other' }), 'PreconditionFailed');
    await rejectsWith(s.setTags('missing', {}), 'NotFound');
  });
});

