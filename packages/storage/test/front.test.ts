import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  StorageError,
  checksumBase64,
  compositeChecksum,
  createMemoryAdapter,
  createStorage,
  multipartEtag,
  readText,
  toStorageError,
} from '../src/index.ts';
import type { StorageAdapter } from '../src/index.ts';
import { countingAdapter, plainAdapter, rejectsWith } from './helpers.ts';

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');

describe('createStorage: validation before any I/O', () => {
  const bad: [string, (s: ReturnType<typeof createStorage>) => Promise<unknown>, string][] = [
    ['empty key', (s) => s.put('', 'x'), 'InvalidKey'],
    ['NUL in key', (s) => s.get('a\0b'), 'InvalidKey'],
    ['lone surrogate', (s) => s.head('\uD800'), 'InvalidKey'],
    ['2049-byte key', (s) => s.delete('x'.repeat(2049)), 'InvalidKey'],
    ['copy to a bad key', (s) => s.copy('a', ''), 'InvalidKey'],
    ['malformed range', (s) => s.get('a', { range: { start: 5, end: 2 } }), 'InvalidArgument'],
    ['negative range', (s) => s.get('a', { range: { start: -1 } }), 'InvalidArgument'],
    ['invalid date', (s) => s.get('a', { ifModifiedSince: new Date('nope') }), 'InvalidArgument'],
    ['11 tags', (s) => s.put('a', 'x', { tags: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, 'v'])) }), 'InvalidArgument'],
    ['long tag key', (s) => s.setTags('a', { ['k'.repeat(129)]: 'v' }), 'InvalidArgument'],
    ['non-string metadata', (s) => s.put('a', 'x', { userMetadata: { n: 1 as unknown as string } }), 'InvalidArgument'],
    ['duplicate metadata names', (s) => s.put('a', 'x', { userMetadata: { A: '1', a: '2' } }), 'InvalidArgument'],
    ['unknown checksum', (s) => s.put('a', 'x', { checksumAlgorithms: ['md4' as 'crc32'] }), 'InvalidArgument'],
    ['bad contentLength', (s) => s.put('a', 'x', { contentLength: -1 }), 'InvalidArgument'],
    ['bad contentMd5', (s) => s.put('a', 'x', { contentMd5: 'abc' }), 'InvalidArgument'],
    ['ifNoneMatch not *', (s) => s.put('a', 'x', { ifNoneMatch: 'etag' as '*' }), 'InvalidArgument'],
    ['limit 0', (s) => s.list({ limit: 0 }), 'InvalidArgument'],
    ['part number 0', (s) => s.uploadPart('a', 'u', 0, 'x'), 'InvalidArgument'],
    ['part list not an array', (s) => s.completeMultipart('a', 'u', null as unknown as []), 'InvalidArgument'],
    ['bad metadataDirective', (s) => s.copy('a', 'b', { metadataDirective: 'keep' as 'copy' }), 'InvalidArgument'],
    ['bad checksumType', (s) => s.startMultipart('a', { checksumType: 'X' as 'COMPOSITE' }), 'InvalidArgument'],
  ];
  for (const [name, call, code] of bad) {
    it(`${name} → ${code}, no adapter call`, async () => {
      const { adapter, total } = countingAdapter(createMemoryAdapter());
      const s = createStorage(adapter);
      const err = await rejectsWith(call(s), code);
      expect(err.op).toBeTruthy();
      expect(total()).toBe(0);
    });
  }

  it('InvalidKey errors name the operation and the key', async () => {
    const s = createStorage(createMemoryAdapter());
    const err = await rejectsWith(s.put('a\0', 'x'), 'InvalidKey');
    expect(err).toMatchObject({ op: 'put', key: 'a\0' });
  });
});

describe('createStorage: capabilities are checked before I/O', () => {
  const limited = () => countingAdapter(plainAdapter({ capabilities: { conditionalPut: false, tags: false, checksums: false, maxObjectSize: 10 } }));
  const cases: [string, (s: ReturnType<typeof createStorage>) => Promise<unknown>][] = [
    ['ifMatch', (s) => s.put('a', 'x', { ifMatch: 'e' })],
    ['ifNoneMatch', (s) => s.put('a', 'x', { ifNoneMatch: '*' })],
    ['tags on put', (s) => s.put('a', 'x', { tags: { a: 'b' } })],
    ['setTags', (s) => s.setTags('a', { a: 'b' })],
    ['checksumAlgorithms', (s) => s.put('a', 'x', { checksumAlgorithms: ['crc32'] })],
    ['expectedChecksums', (s) => s.put('a', 'x', { expectedChecksums: { crc32: 'AAAAAA==' } })],
    ['conditional copy', (s) => s.copy('a', 'b', { ifNoneMatch: '*' })],
    ['multipart checksums', (s) => s.startMultipart('a', { checksumAlgorithms: ['sha1'] })],
  ];
  for (const [name, call] of cases) {
    it(`${name} → Unsupported`, async () => {
      const { adapter, total } = limited();
      await rejectsWith(call(createStorage(adapter)), 'Unsupported');
      expect(total()).toBe(0);
    });
  }

  it('a declared length beyond maxObjectSize → EntityTooLarge', async () => {
    const { adapter, total } = limited();
    await rejectsWith(createStorage(adapter).put('a', 'x'.repeat(11), { contentLength: 11 }), 'InvalidArgument', 'EntityTooLarge');
    expect(total()).toBe(0);
  });

  it('reports derived capabilities', () => {
    expect(createStorage(plainAdapter()).capabilities).toMatchObject({ multipart: 'emulated', copy: 'emulated' });
    expect(createStorage(createMemoryAdapter()).capabilities).toMatchObject({ multipart: 'native', copy: 'native' });
  });

  it('refuses malformed adapters at once', () => {
    expect(() => createStorage({ name: 'x', capabilities: createMemoryAdapter().capabilities } as StorageAdapter)).toThrow(TypeError);
    const partial = { ...plainAdapter(), startMultipart: async () => ({ key: 'a', uploadId: 'u', initiated: new Date() }) };
    expect(() => createStorage(partial)).toThrow(/some multipart methods/);
  });
});

describe('createStorage: signals, close and error translation', () => {
  it('an already-fired signal throws Aborted before I/O', async () => {
    const { adapter, total } = countingAdapter(createMemoryAdapter());
    const ac = new AbortController();
    ac.abort();
    await rejectsWith(createStorage(adapter).put('a', 'x', { signal: ac.signal }), 'Aborted');
    await rejectsWith(createStorage(adapter).list({ signal: ac.signal }), 'Aborted');
    expect(total()).toBe(0);
  });

  it('aborting after get returned fails the body stream with Aborted', async () => {
    const s = createStorage(createMemoryAdapter());
    await s.put('a', Buffer.alloc(1_000_000));
    const ac = new AbortController();
    const r = await s.get('a', { signal: ac.signal });
    ac.abort();
    await rejectsWith(readText(r), 'Aborted');
  });

  it('after close every call throws Unavailable (not retryable)', async () => {
    const s = createStorage(createMemoryAdapter());
    await s.close();
    await s.close();
    const err = await rejectsWith(s.list(), 'Unavailable');
    expect((err as unknown as StorageError).retryable).toBe(false);
    await rejectsWith(s.put('a', 'x'), 'Unavailable');
  });

  it('fills op and key on adapter errors and translates foreign errors, keeping the cause', async () => {
    const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    const weird = new Error('socket hang up');
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    const base = plainAdapter();
    let next: unknown = enoent;
    const failing: StorageAdapter = { ...base, head: async () => { throw next; }, delete: async () => { throw new StorageError('NoSpace', 'full'); } };
    const s = createStorage(failing);
    const e1 = (await rejectsWith(s.head('k'), 'NotFound')) as unknown as StorageError;
    expect(e1).toMatchObject({ op: 'head', key: 'k' });
    expect(e1.cause).toBe(enoent);
    next = weird;
    const e2 = (await rejectsWith(s.head('k'), 'Unavailable')) as unknown as StorageError;
    expect(e2.cause).toBe(weird);
    expect(e2.retryable).toBe(true);
    next = abort;
    await rejectsWith(s.head('k'), 'Aborted');
    expect(await rejectsWith(s.delete('k'), 'NoSpace')).toMatchObject({ op: 'delete', key: 'k' });
    expect(toStorageError('x', 'op').code).toBe('Unavailable');
  });

  it('read conditions are re-checked on the info the adapter returned', async () => {
    const base = plainAdapter();
    // An adapter that ignores conditions entirely.
    const careless: StorageAdapter = { ...base, get: (k) => base.get(k, {}), head: (k) => base.head(k, {}) };
    const s = createStorage(careless);
    const info = await s.put('k', 'x');
    await rejectsWith(s.get('k', { ifNoneMatch: info.etag }), 'NotModified');
    await rejectsWith(s.head('k', { ifMatch: 'other' }), 'PreconditionFailed');
  });
});

describe('createStorage: fallbacks for a plain adapter', () => {
  it('copy via get + put, with source conditions, metadata and range', async () => {
    const s = createStorage(plainAdapter());
    const src = await s.put('src', 'hello world', { contentType: 'text/plain', userMetadata: { a: '1' }, tags: { t: '1' }, checksumAlgorithms: ['crc32c'] });
    const kept = await s.copy('src', 'dst');
    expect(kept).toMatchObject({ etag: src.etag, contentType: 'text/plain', userMetadata: { a: '1' }, tags: { t: '1' } });
    expect(kept.checksums?.crc32c).toBe(checksumBase64('crc32c', 'hello world'));
    const replaced = await s.copy('src', 'dst', { metadataDirective: 'replace', userMetadata: { B: '2' }, range: { suffix: 5 } });
    expect(replaced).toMatchObject({ size: 5, userMetadata: { b: '2' }, tags: {} });
    expect(await readText(await s.get('dst'))).toBe('world');
    await rejectsWith(s.copy('src', 'x', { source: { ifMatch: 'nope' } }), 'PreconditionFailed');
    await rejectsWith(s.copy('src', 'dst', { ifNoneMatch: '*' }), 'AlreadyExists');
    await rejectsWith(s.copy('missing', 'x'), 'NotFound');
    await rejectsWith(s.head('x'), 'NotFound');
  });

  it('deleteMany via a bounded loop gives per-key results', async () => {
    const base = plainAdapter();
    let inFlight = 0;
    let peak = 0;
    const slow: StorageAdapter = {
      ...base,
      delete: async (k, o) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        if (k === 'boom') throw Object.assign(new Error('denied'), { code: 'EACCES' });
        return base.delete(k, o);
      },
    };
    const s = createStorage(slow);
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    for (const k of keys) await s.put(k, 'x');
    const results = await s.deleteMany([...keys, 'boom', '']);
    expect(results.slice(0, 40).every((r) => r.ok)).toBe(true);
    expect(results[40]).toMatchObject({ key: 'boom', ok: false, error: { code: 'PermissionDenied', op: 'deleteMany', key: 'boom' } });
    expect(results[41]).toMatchObject({ key: '', ok: false, error: { code: 'InvalidKey' } });
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(8);
    expect((await s.list()).items).toEqual([]);
  });

  it('setTags via a guarded rewrite', async () => {
    const s = createStorage(plainAdapter());
    await s.put('k', 'x', { contentType: 'a/b', userMetadata: { m: '1' } });
    const info = await s.setTags('k', { t: '2' });
    expect(info).toMatchObject({ etag: md5('x'), tags: { t: '2' }, contentType: 'a/b', userMetadata: { m: '1' } });
    expect((await s.head('k')).tags).toEqual({ t: '2' });
    await rejectsWith(s.setTags('k', {}, { ifMatch: 'nope' }), 'PreconditionFailed');
    await rejectsWith(s.setTags('missing', {}), 'NotFound');
  });

  it('setTags retries when a concurrent writer changes the object, and never loses that write', async () => {
    const base = plainAdapter();
    let raced = false;
    const racy: StorageAdapter = {
      ...base,
      put: async (k, b, o) => {
        if (!raced && o.tags?.t === 'new') {
          raced = true;
          await base.put(k, (await import('../src/index.ts')).prepareBody('concurrent'), {});
        }
        return base.put(k, b, o);
      },
    };
    const s = createStorage(racy);
    await s.put('k', 'original');
    await s.setTags('k', { t: 'new' });
    expect(raced).toBe(true);
    expect(await readText(await s.get('k'))).toBe('concurrent');
    expect((await s.head('k')).tags).toEqual({ t: 'new' });
  });

  it('multipart via staged hidden objects', async () => {
    const s = createStorage(plainAdapter({ minPartSize: 5 }));
    const u = await s.startMultipart('big', { contentType: 'video/mp4', userMetadata: { X: 'y' }, checksumAlgorithms: ['crc32'] });
    const p2 = await s.uploadPart('big', u.uploadId, 2, 'world');
    await s.uploadPart('big', u.uploadId, 1, 'XXXXXX');
    const p1 = await s.uploadPart('big', u.uploadId, 1, 'hello ');
    expect(p1).toMatchObject({ partNumber: 1, size: 6, etag: md5('hello '), checksums: { crc32: checksumBase64('crc32', 'hello ') } });
    const parts = await s.listParts('big', u.uploadId);
    expect(parts.parts.map((p) => [p.partNumber, p.etag])).toEqual([[1, p1.etag], [2, p2.etag]]);
    expect((await s.listMultipartUploads()).uploads).toMatchObject([{ key: 'big', uploadId: u.uploadId }]);
    // Staged objects are invisible and their keys reserved.
    expect((await s.list()).items).toEqual([]);
    expect((await s.list({ delimiter: '/' })).prefixes).toEqual([]);
    await rejectsWith(s.put('.strata-multipart/x', 'x'), 'InvalidKey');
    await rejectsWith(s.get(`.strata-multipart/${u.uploadId}/meta`), 'InvalidKey');
    await rejectsWith(s.completeMultipart('big', u.uploadId, [{ partNumber: 2, etag: p2.etag }, { partNumber: 1, etag: p1.etag }]), 'InvalidArgument', 'InvalidPartOrder');
    const info = await s.completeMultipart('big', u.uploadId, [{ partNumber: 1, etag: p1.etag }, { partNumber: 2, etag: p2.etag }]);
    expect(info).toMatchObject({ size: 11, etag: multipartEtag([p1.etag, p2.etag]), partCount: 2, contentType: 'video/mp4', userMetadata: { x: 'y' } });
    expect(info.checksums?.crc32).toBe(compositeChecksum('crc32', [p1.checksums!.crc32!, p2.checksums!.crc32!]));
    expect((await s.head('big')).etag).toBe(info.etag);
    expect(await readText(await s.get('big'))).toBe('hello world');
    expect((await s.list()).items.map((i) => i.key)).toEqual(['big']);
    expect((await s.listMultipartUploads()).uploads).toEqual([]);
    await rejectsWith(s.listParts('big', u.uploadId), 'NotFound', 'NoSuchUpload');
  });

  it('multipart fallback: too-small parts, abort, unknown uploads, create-only complete', async () => {
    const s = createStorage(plainAdapter({ minPartSize: 5 }));
    const u = await s.startMultipart('k');
    const a = await s.uploadPart('k', u.uploadId, 1, 'ab');
    const b = await s.uploadPart('k', u.uploadId, 2, 'cd');
    await rejectsWith(s.completeMultipart('k', u.uploadId, [{ partNumber: 1, etag: a.etag }, { partNumber: 2, etag: b.etag }]), 'InvalidArgument', 'EntityTooSmall');
    await rejectsWith(s.uploadPart('other', u.uploadId, 1, 'x'), 'NotFound', 'NoSuchUpload');
    await rejectsWith(s.uploadPart('k', 'not-an-id', 1, 'x'), 'NotFound', 'NoSuchUpload');
    await s.abortMultipart('k', u.uploadId);
    await rejectsWith(s.abortMultipart('k', u.uploadId), 'NotFound', 'NoSuchUpload');
    await s.put('k', 'exists');
    const u2 = await s.startMultipart('k', { ifNoneMatch: '*' });
    const c = await s.uploadPart('k', u2.uploadId, 1, 'new');
    await rejectsWith(s.completeMultipart('k', u2.uploadId, [{ partNumber: 1, etag: c.etag }]), 'AlreadyExists');
    expect(await readText(await s.get('k'))).toBe('exists');
  });

  it('honours a custom staging prefix', async () => {
    const s = createStorage(plainAdapter(), { multipartStagingPrefix: '_mp/' });
    await s.put('.strata-multipart/ok', 'x');
    await rejectsWith(s.put('_mp/a', 'x'), 'InvalidKey');
    const u = await s.startMultipart('k');
    await s.uploadPart('k', u.uploadId, 1, 'x');
    expect((await s.list()).items.map((i) => i.key)).toEqual(['.strata-multipart/ok']);
  });

  it('a native-multipart adapter reserves no prefix', async () => {
    const s = createStorage(createMemoryAdapter());
    await s.put('.strata-multipart/x', 'x');
    expect((await s.list()).items.map((i) => i.key)).toEqual(['.strata-multipart/x']);
  });

  it('errors of derived operations name the caller\'s operation, not the inner get/put', async () => {
    const s = createStorage(plainAdapter());
    expect(await rejectsWith(s.copy('missing', 'dst'), 'NotFound')).toMatchObject({ op: 'copy', key: 'missing' });
    expect(await rejectsWith(s.setTags('missing', {}), 'NotFound')).toMatchObject({ op: 'setTags', key: 'missing' });
    // Staging keys never leak into errors: the caller's key is reported.
    const u = await s.startMultipart('k');
    expect(await rejectsWith(s.uploadPart('k', u.uploadId, 1, 'abc', { contentLength: 5 }), 'InvalidArgument', 'IncompleteBody')).toMatchObject({ op: 'uploadPart', key: 'k' });
  });

  it('multipart fallback over a native-list adapter (no skipDescendants) lists uploads without looping', async () => {
    const s = createStorage(plainAdapter({ listOnly: true }));
    const a = await s.startMultipart('a');
    await s.uploadPart('a', a.uploadId, 1, 'x');
    await s.uploadPart('a', a.uploadId, 2, 'y');
    const b = await s.startMultipart('b');
    expect((await s.listMultipartUploads()).uploads.map((u) => u.uploadId)).toEqual([a.uploadId, b.uploadId]);
  });
});
