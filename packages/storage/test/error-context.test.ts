/**
 * Every error that leaves the front wrapper names its operation and key, in the fields (`op`, `key`) and in
 * the message (`get "photos/cat.jpg": NotFound: …`), whatever the adapter threw: a native error, a
 * StorageError without context, or one with its own. Layers keep the message true (withPrefix strips its
 * prefix from the key the message shows).
 */
import { describe, expect, it } from 'vitest';
import { StorageError, createMemoryAdapter, createMemoryStorage, createStorage, isStorageError, storageErrorCodes, withPrefix } from '../src/index.ts';
import type { Storage, StorageAdapter } from '../src/index.ts';
import { plainAdapter } from './helpers.ts';

/** A memory adapter (native multipart and copy) whose every method fails with `fail()`. */
function failingAdapter(fail: () => unknown): StorageAdapter {
  const inner = createMemoryAdapter({ minPartSize: 1 });
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || prop === 'close') return v;
      if (prop === 'scan') {
        return async function* () {
          yield* [];
          throw fail();
        };
      }
      return () => Promise.reject(fail());
    },
  });
}

/** One failing call of every operation, with the key its error must name (undefined for key-less calls). */
const CALLS: [string, string | undefined, (s: Storage) => Promise<unknown>][] = [
  ['put', 'photos/cat.jpg', (s) => s.put('photos/cat.jpg', 'x')],
  ['get', 'photos/cat.jpg', (s) => s.get('photos/cat.jpg')],
  ['head', 'photos/cat.jpg', (s) => s.head('photos/cat.jpg')],
  ['exists', 'photos/cat.jpg', (s) => s.exists('photos/cat.jpg')],
  ['delete', 'photos/cat.jpg', (s) => s.delete('photos/cat.jpg')],
  ['deleteMany', undefined, (s) => s.deleteMany(['photos/cat.jpg'])],
  ['list', undefined, (s) => s.list({ prefix: 'photos/' })],
  ['listAll', undefined, async (s) => {
    for await (const _item of s.listAll({ prefix: 'photos/' })) void _item;
  }],
  ['copy', 'b', (s) => s.copy('photos/cat.jpg', 'b')],
  ['move', 'photos/cat.jpg', (s) => s.move('photos/cat.jpg', 'b')],
  ['setTags', 'photos/cat.jpg', (s) => s.setTags('photos/cat.jpg', { a: '1' })],
  ['startMultipart', 'photos/cat.jpg', (s) => s.startMultipart('photos/cat.jpg')],
  ['uploadPart', 'photos/cat.jpg', (s) => s.uploadPart('photos/cat.jpg', 'u', 1, 'x')],
  ['completeMultipart', 'photos/cat.jpg', (s) => s.completeMultipart('photos/cat.jpg', 'u', [{ partNumber: 1, etag: 'e' }])],
  ['abortMultipart', 'photos/cat.jpg', (s) => s.abortMultipart('photos/cat.jpg', 'u')],
  ['listParts', 'photos/cat.jpg', (s) => s.listParts('photos/cat.jpg', 'u')],
  ['listMultipartUploads', undefined, (s) => s.listMultipartUploads({})],
];

async function caught(p: Promise<unknown>): Promise<StorageError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isStorageError(e)) throw new Error(`expected a StorageError, got ${String(e)}`);
  return e;
}

const where = (op: string, key: string | undefined) => (key === undefined ? op : `${op} ${JSON.stringify(key)}`);

describe('errors through the front name the operation and the key', () => {
  for (const [op, key, call] of CALLS) {
    it(`${op}: a native error becomes Unavailable with op, key and both in the message`, async () => {
      const e = await caught(call(createStorage(failingAdapter(() => new Error('disk on fire')))));
      expect([e.code, e.op, e.key]).toEqual(['Unavailable', op, key]);
      expect(e.message).toBe(`${where(op, key)}: Unavailable: disk on fire`);
      expect(e.detail).toBe('disk on fire');
      expect((e.cause as Error).message).toBe('disk on fire');
    });

    it(`${op}: an adapter's StorageError without context gets it`, async () => {
      const e = await caught(call(createStorage(failingAdapter(() => new StorageError('NoSpace', 'the medium is full')))));
      expect(e.message).toBe(`${where(op, key)}: NoSpace: the medium is full`);
    });
  }

  it('deleteMany names each failed key in its own result', async () => {
    const adapter = plainAdapter();
    adapter.delete = () => Promise.reject(new Error('EIO'));
    const s = createStorage(adapter);
    const results = await s.deleteMany(['a', 'b']);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.message))).toEqual(['deleteMany "a": Unavailable: EIO', 'deleteMany "b": Unavailable: EIO']);
  });

  it("keeps an adapter's own op and key (the key a copy could not read is the source)", async () => {
    const s = createMemoryStorage();
    const e = await caught(s.copy('missing', 'dst'));
    expect([e.op, e.key]).toEqual(['copy', 'missing']);
    expect(e.message).toMatch(/^copy "missing": NotFound: /);
  });

  it('validation errors name them too', async () => {
    const s = createMemoryStorage();
    expect((await caught(s.put('', 'x'))).message).toBe('put "": InvalidKey: Invalid key: a key must not be empty');
    expect((await caught(s.list({ cursor: 'junk' }))).message).toMatch(/^list: InvalidArgument: Invalid list cursor/);
    expect((await caught(s.get('k', { range: { start: -1 } }))).message).toMatch(/^get "k": InvalidArgument: /);
  });

  it('withPrefix: the message shows the key the caller used, never the prefix', async () => {
    const e = await caught(withPrefix(createMemoryStorage(), 'tenant-a/').get('photos/cat.jpg'));
    expect(e.key).toBe('photos/cat.jpg');
    expect(e.message).toMatch(/^get "photos\/cat\.jpg": NotFound: /);
    expect(e.message).not.toContain('tenant-a');
  });
});

describe('StorageError messages', () => {
  it('compose op, key and code before the description for every code, and nothing without context', () => {
    for (const code of storageErrorCodes) {
      expect(new StorageError(code, 'why', { op: 'head', key: 'k' }).message).toBe(`head "k": ${code}: why`);
      expect(new StorageError(code, 'why', { op: 'list' }).message).toBe(`list: ${code}: why`);
      expect(new StorageError(code, 'why').message).toBe('why');
    }
  });

  it('follow op and key set later, and the stack names them when first read after', () => {
    const e = new StorageError('NotFound', 'No such key');
    e.op = 'get';
    e.key = 'photos/cat.jpg';
    expect(e.message).toBe('get "photos/cat.jpg": NotFound: No such key');
    expect(e.stack?.split('\n')[0]).toBe('StorageError: get "photos/cat.jpg": NotFound: No such key');
    expect(String(e)).toBe('StorageError: get "photos/cat.jpg": NotFound: No such key');
    e.message = 'replaced';
    expect([e.detail, e.message]).toEqual(['replaced', 'get "photos/cat.jpg": NotFound: replaced']);
  });

  it('quote keys as JSON (quotes, newlines visible) and shorten long ones; the key field stays whole', () => {
    expect(new StorageError('NotFound', 'x', { op: 'get', key: 'a "b"\nc' }).message).toBe('get "a \\"b\\"\\nc": NotFound: x');
    const long = 'k'.repeat(2000);
    const e = new StorageError('NotFound', 'x', { op: 'get', key: long });
    expect(e.message).toBe(`get "${'k'.repeat(200)}…": NotFound: x`);
    expect(e.key).toBe(long);
  });

  it('keep op, key and code as enumerable fields and the message out of JSON, as before', () => {
    const e = new StorageError('NotFound', 'x', { op: 'get', key: 'k' });
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ code: 'NotFound', op: 'get', key: 'k' });
    expect(Object.keys(e)).not.toContain('message');
  });
});
