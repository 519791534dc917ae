/**
 * exists and move through the front wrapper and the layers, beyond the contract suite: what is refused
 * before any I/O, the order of the steps, and what a move leaves behind when a step fails or a concurrent
 * writer interferes — never less data than before.
 */
import { describe, expect, it } from 'vitest';
import {
  StorageError,
  createMemoryStorage,
  createStorage,
  defineCapabilities,
  readText,
  withMetrics,
  withPrefix,
  withReadCache,
  withReadOnly,
  withRetry,
} from '../src/index.ts';
import type { Storage } from '../src/index.ts';
import { countingAdapter, plainAdapter, rejectsWith } from './helpers.ts';
import { hookedAdapter } from './hooked-adapter.ts';

const text = async (s: Storage, key: string) => readText(await s.get(key));

describe('exists', () => {
  it('is head answering false for NotFound, one adapter call', async () => {
    const { adapter, calls } = hookedAdapter();
    const s = createStorage(adapter);
    await s.put('k', 'x');
    calls.length = 0;
    expect(await s.exists('k')).toBe(true);
    expect(await s.exists('nope')).toBe(false);
    expect(calls).toEqual(['head', 'head']);
  });

  it('throws every other error: PermissionDenied, a native failure, InvalidKey, a closed storage', async () => {
    const denied = createStorage(hookedAdapter(() => ({ head: () => Promise.reject(new StorageError('PermissionDenied', 'no')) })).adapter);
    await rejectsWith(denied.exists('k'), 'PermissionDenied');
    const broken = createStorage(hookedAdapter(() => ({ head: () => Promise.reject(new Error('socket hang up')) })).adapter);
    const e = await rejectsWith(broken.exists('k'), 'Unavailable');
    expect([e.op, e.key]).toEqual(['exists', 'k']);
    const s = createMemoryStorage();
    await rejectsWith(s.exists(''), 'InvalidKey');
    await s.close();
    await rejectsWith(s.exists('k'), 'Unavailable');
  });

  it('refuses keys of the multipart staging area like every other operation', async () => {
    const { adapter, calls, total } = countingAdapter(plainAdapter());
    const s = createStorage(adapter);
    await rejectsWith(s.exists('.strata-multipart/x'), 'InvalidKey');
    expect(total(), JSON.stringify(calls)).toBe(0);
  });
});

describe('move: refused before any I/O', () => {
  const cases: [string, (s: Storage) => Promise<unknown>, string][] = [
    ['the same key twice', (s) => s.move('a', 'a'), 'InvalidArgument'],
    ['a range', (s) => s.move('a', 'b', { range: { start: 0 } } as never), 'InvalidArgument'],
    ['an invalid destination', (s) => s.move('a', ''), 'InvalidKey'],
    ['a destination in the staging area', (s) => s.move('a', '.strata-multipart/b'), 'InvalidKey'],
    ['a bad metadataDirective', (s) => s.move('a', 'b', { metadataDirective: 'merge' as never }), 'InvalidArgument'],
    ['a malformed source condition', (s) => s.move('a', 'b', { source: { ifModifiedSince: 'yesterday' as never } }), 'InvalidArgument'],
    ['ifNoneMatch without conditional puts', (s) => s.move('a', 'b', { ifNoneMatch: '*' }), 'Unsupported'],
    ['a fired signal', (s) => s.move('a', 'b', { signal: AbortSignal.abort() }), 'Aborted'],
  ];
  for (const [what, call, code] of cases) {
    it(`${what} → ${code}`, async () => {
      const { adapter, calls, total } = countingAdapter(plainAdapter({ capabilities: { conditionalPut: false } }));
      const s = createStorage(adapter);
      const e = await rejectsWith(call(s), code);
      expect(e.op).toBe('move');
      expect(total(), JSON.stringify(calls)).toBe(0);
    });
  }
});

describe('move: steps and failures', () => {
  it('runs head, copy, head, delete — and with an emulated copy, get and put', async () => {
    const native = hookedAdapter();
    const s = createStorage(native.adapter);
    await s.put('a', 'x');
    native.calls.length = 0;
    await s.move('a', 'b');
    expect(native.calls).toEqual(['head', 'copy', 'head', 'delete']);

    const { adapter, calls } = countingAdapter(plainAdapter());
    const plain = createStorage(adapter);
    await plain.put('a', 'x', { contentType: 'text/plain' });
    expect(await plain.move('a', 'b')).toMatchObject({ key: 'b', contentType: 'text/plain' });
    expect(calls).toMatchObject({ head: 2, get: 1, put: 2, delete: 1 });
    expect(await plain.exists('a')).toBe(false);
    expect(await text(plain, 'b')).toBe('x');
  });

  it('a failed delete leaves both objects and names the source', async () => {
    const { adapter } = hookedAdapter(() => ({ delete: () => Promise.reject(new StorageError('Unavailable', 'disk went away')) }));
    const s = createStorage(adapter);
    await s.put('a', 'x');
    const e = await rejectsWith(s.move('a', 'b'), 'Unavailable');
    expect([e.op, e.key]).toEqual(['move', 'a']);
    expect([await text(s, 'a'), await text(s, 'b')]).toEqual(['x', 'x']);
  });

  it('a failed copy changes nothing', async () => {
    const { adapter } = hookedAdapter(() => ({ copy: () => Promise.reject(new StorageError('NoSpace', 'full')) }));
    const s = createStorage(adapter);
    await s.put('a', 'x');
    await rejectsWith(s.move('a', 'b'), 'NoSpace');
    expect(await s.exists('b')).toBe(false);
    expect(await text(s, 'a')).toBe('x');
  });

  it('a source overwritten after the copy is kept: PreconditionFailed, the destination holds the old version', async () => {
    const h = hookedAdapter((inner) => ({
      copy: async (from, to, options) => {
        const info = await inner.copy!(from, to, options);
        await h.other.put(from, 'newer');
        return info;
      },
    }));
    const s = createStorage(h.adapter);
    await s.put('a', 'older');
    const e = await rejectsWith(s.move('a', 'b'), 'PreconditionFailed');
    expect([e.op, e.key]).toEqual(['move', 'a']);
    expect([await text(s, 'a'), await text(s, 'b')]).toEqual(['newer', 'older']);
  });

  it('a source rewritten with the same bytes after the copy is kept too (Last-Modified changed)', async () => {
    const h = hookedAdapter((inner) => ({
      copy: async (from, to, options) => {
        const info = await inner.copy!(from, to, options);
        await new Promise((resolve) => setTimeout(resolve, 5));
        await h.other.put(from, 'same', { userMetadata: { v: '2' } });
        return info;
      },
    }));
    const s = createStorage(h.adapter);
    await s.put('a', 'same');
    await rejectsWith(s.move('a', 'b'), 'PreconditionFailed');
    expect((await s.head('a')).userMetadata).toEqual({ v: '2' });
  });

  it('a source overwritten between the first head and the copy fails the pinned copy; nothing is created', async () => {
    let heads = 0;
    const h = hookedAdapter((inner) => ({
      head: async (key, options) => {
        const info = await inner.head(key, options);
        if (++heads === 1) await h.other.put(key, 'newer');
        return info;
      },
    }));
    const s = createStorage(h.adapter);
    await h.other.put('a', 'older');
    await rejectsWith(s.move('a', 'b'), 'PreconditionFailed');
    expect(await h.other.exists('b')).toBe(false);
    expect(await text(h.other, 'a')).toBe('newer');
  });

  it('a source deleted by someone else after the copy: the move succeeds', async () => {
    const h = hookedAdapter((inner) => ({
      copy: async (from, to, options) => {
        const info = await inner.copy!(from, to, options);
        await h.other.delete(from);
        return info;
      },
    }));
    const s = createStorage(h.adapter);
    await s.put('a', 'x');
    expect((await s.move('a', 'b')).key).toBe('b');
    expect(h.calls).not.toContain('delete');
    expect(await text(s, 'b')).toBe('x');
  });

  it('an abort after the copy leaves both objects', async () => {
    const controller = new AbortController();
    const h = hookedAdapter((inner) => ({
      copy: async (from, to, options) => {
        const info = await inner.copy!(from, to, options);
        controller.abort();
        return info;
      },
    }));
    const s = createStorage(h.adapter);
    await s.put('a', 'x');
    const e = await rejectsWith(s.move('a', 'b', { signal: controller.signal }), 'Aborted');
    expect(e.op).toBe('move');
    expect([await text(s, 'a'), await text(s, 'b')]).toEqual(['x', 'x']);
  });
});

describe('move through layers: each step passes through the layer', () => {
  it('withReadCache evicts both keys (a cached source is not served after the move)', async () => {
    const s = withReadCache(createMemoryStorage());
    await s.put('a', 'x');
    await s.put('b', 'old');
    expect([await text(s, 'a'), await text(s, 'b')]).toEqual(['x', 'old']); // both cached now
    await s.move('a', 'b');
    await rejectsWith(s.get('a'), 'NotFound');
    expect(await s.exists('a')).toBe(false);
    expect(await text(s, 'b')).toBe('x');
  });

  it('withPrefix maps both keys, and errors show keys without the prefix', async () => {
    const raw = createMemoryStorage();
    const s = withPrefix(raw, 'tenant/');
    await s.put('a', 'x');
    expect((await s.move('a', 'b')).key).toBe('b');
    expect((await raw.list()).items.map((i) => i.key)).toEqual(['tenant/b']);
    expect([await s.exists('b'), await s.exists('a'), await raw.exists('b')]).toEqual([true, false, false]);
    const e = await rejectsWith(s.move('missing', 'c'), 'NotFound');
    expect([e.op, e.key]).toEqual(['move', 'missing']);
  });

  it('withRetry retries the failed step alone: one copy, two deletes', async () => {
    let deletes = 0;
    const h = hookedAdapter((inner) => ({
      delete: (key, options) => (++deletes === 1 ? Promise.reject(new StorageError('Unavailable', 'blip')) : inner.delete(key, options)),
    }));
    const s = withRetry(createStorage(h.adapter), { baseDelayMs: 0 });
    await s.put('a', 'x');
    h.calls.length = 0;
    await s.move('a', 'b', { ifNoneMatch: '*' });
    expect(h.calls).toEqual(['head', 'copy', 'head', 'delete', 'delete']);
    expect(await s.exists('a')).toBe(false);
  });

  it('withReadOnly refuses a move before any I/O; withMetrics counts it once, and its steps', async () => {
    const { adapter, total } = countingAdapter(plainAdapter());
    await rejectsWith(withReadOnly(createStorage(adapter)).move('a', 'b'), 'PermissionDenied');
    expect(total()).toBe(0);
    const m = withMetrics(createMemoryStorage());
    await m.put('a', 'x');
    await m.move('a', 'b');
    expect([m.metrics.operation('move').count, m.metrics.operation('copy').count, m.metrics.operation('head').count]).toEqual([1, 1, 2]);
  });

  it('a storage declaring conditional puts passes ifNoneMatch to the copy', async () => {
    const { adapter } = countingAdapter(plainAdapter({ capabilities: defineCapabilities({ multipart: 'emulated', copy: 'emulated' }) }));
    const s = createStorage(adapter);
    await s.put('a', 'x');
    await s.put('b', 'y');
    await rejectsWith(s.move('a', 'b', { ifNoneMatch: '*' }), 'AlreadyExists');
    expect([await text(s, 'a'), await text(s, 'b')]).toEqual(['x', 'y']);
  });
});
