/**
 * Layers (docs/architecture.md, "Layers"): each wrapper forwards every Storage method, so no adapter's fast
 * path is silently lost behind it, and each does its one job — prefix namespacing, metrics, retry with
 * jittered backoff, injected latency, read-only.
 * Everything runs over the real memory storage; faults come from a real forwarding layer, not mocks.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  ForwardingStorage,
  LatencyHistogram,
  StorageError,
  createMemoryStorage,
  isStorageError,
  readBytes,
  withLatency,
  withMetrics,
  withPrefix,
  withReadOnly,
  withRetry,
} from '@strata/storage';
import type { CallInfo, Storage, StorageErrorCode } from '@strata/storage';

/** Every method name of a real storage instance (own and inherited), except the constructor. */
function methodNames(s: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = s; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const n of Object.getOwnPropertyNames(o)) {
      const d = Object.getOwnPropertyDescriptor(o, n);
      if (n !== 'constructor' && typeof d?.value === 'function') names.add(n);
    }
  }
  return [...names].sort();
}

/** A memory storage whose every method call is recorded (name and arguments) before it runs. */
function recorded(): { storage: Storage; calls: [string, unknown[]][] } {
  const inner = createMemoryStorage({ minPartSize: 1 });
  const calls: [string, unknown[]][] = [];
  const storage = new Proxy(inner, {
    get(target, prop, _receiver) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      return (...args: unknown[]) => {
        calls.push([prop, args]);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { storage, calls };
}

/** One call of every method, in an order that makes each valid. Must name every method of Storage. */
const INVOCATIONS: [string, (s: Storage, st: { uploadId: string; etag: string; abortId: string }) => Promise<unknown>][] = [
  ['put', (s) => s.put('k', 'hello')],
  ['get', async (s) => (await s.get('k')).body.resume()],
  ['head', (s) => s.head('k')],
  ['list', (s) => s.list({})],
  ['copy', (s) => s.copy('k', 'k2')],
  ['setTags', (s) => s.setTags('k', { a: '1' })],
  ['exists', (s) => s.exists('k')],
  ['move', (s) => s.move('k2', 'k3')],
  ['listAll', async (s) => {
    for await (const _item of s.listAll()) void _item;
  }],
  ['delete', (s) => s.delete('k2')],
  ['deleteMany', (s) => s.deleteMany(['k2'])],
  ['startMultipart', async (s, st) => (st.uploadId = (await s.startMultipart('m')).uploadId)],
  ['uploadPart', async (s, st) => (st.etag = (await s.uploadPart('m', st.uploadId, 1, 'part')).etag)],
  ['listParts', (s, st) => s.listParts('m', st.uploadId)],
  ['listMultipartUploads', (s) => s.listMultipartUploads({})],
  ['completeMultipart', (s, st) => s.completeMultipart('m', st.uploadId, [{ partNumber: 1, etag: st.etag }])],
  ['abortMultipart', (s, st) => s.abortMultipart('m2', st.abortId)],
  ['close', (s) => s.close()],
];

/** Composed methods, which a layer runs over its own calls: the inner call each must reach. */
const COMPOSED_OF: Record<string, string> = { move: 'copy', listAll: 'list' };

const LAYERS: [string, (s: Storage) => Storage, { readOnly?: boolean }][] = [
  ['withPrefix', (s) => withPrefix(s, 'tenant/'), {}],
  ['withMetrics', (s) => withMetrics(s), {}],
  ['withRetry', (s) => withRetry(s), {}],
  ['withLatency', (s) => withLatency(s, { perCallMs: 1, perByteMs: 0.001 }), {}],
  ['withReadOnly', (s) => withReadOnly(s), { readOnly: true }],
];

describe('every layer forwards every Storage method', () => {
  it('the invocation table names exactly the methods of a real storage', () => {
    expect(INVOCATIONS.map(([n]) => n).sort()).toEqual(methodNames(createMemoryStorage()));
  });

  for (const [name, wrap, { readOnly }] of LAYERS) {
    it(`${name} calls through for every method${readOnly ? ' (reads) and refuses every write' : ''}`, async () => {
      const { storage, calls } = recorded();
      const layer = wrap(storage);
      for (const m of methodNames(createMemoryStorage())) expect(typeof (layer as unknown as Record<string, unknown>)[m], m).toBe('function');
      // Capabilities pass through, but for the key limit a prefix shortens (and declares).
      const { maxKeyBytes, ...caps } = layer.capabilities;
      expect(caps).toEqual(storage.capabilities);
      if (name === 'withPrefix') expect(maxKeyBytes).toBeLessThan(2048);
      else expect(maxKeyBytes).toBe(storage.capabilities.maxKeyBytes);
      const st = { uploadId: '', etag: '', abortId: '' };
      // Set-up through the raw storage so a read-only layer has something to read.
      await storage.put(name === 'withPrefix' ? 'tenant/k' : 'k', 'seed');
      st.abortId = (await storage.startMultipart(name === 'withPrefix' ? 'tenant/m2' : 'm2')).uploadId;
      const upload = await storage.startMultipart(name === 'withPrefix' ? 'tenant/m' : 'm');
      st.uploadId = upload.uploadId;
      st.etag = (await storage.uploadPart(upload.key, upload.uploadId, 1, 'part')).etag;
      calls.length = 0;
      for (const [method, call] of INVOCATIONS) {
        const before = calls.length;
        let error: unknown;
        await call(layer, st).catch((e: unknown) => (error = e));
        const reached = calls.slice(before).map(([n]) => n);
        const isWrite = !['get', 'head', 'exists', 'list', 'listAll', 'listParts', 'listMultipartUploads', 'close'].includes(method);
        if (readOnly && isWrite) {
          expect(isStorageError(error) && error.code, `${method} refused`).toBe('PermissionDenied');
          expect(reached, `${method} never reaches the inner storage`).toEqual([]);
        } else {
          expect(error, `${method} succeeded`).toBeUndefined();
          expect(reached, `${method} reached the inner storage`).toContain(COMPOSED_OF[method] ?? method);
        }
      }
    });
  }
});

describe('withPrefix', () => {
  it('namespaces keys: stored with the prefix, returned and listed without it', async () => {
    const raw = createMemoryStorage();
    const a = withPrefix(raw, 'a/');
    const b = withPrefix(raw, 'b/');
    expect((await a.put('x/1', 'one')).key).toBe('x/1');
    await b.put('x/1', 'other');
    await a.put('y', 'two');
    expect((await a.head('x/1')).key).toBe('x/1');
    expect(await readBytes(await a.get('x/1'))).toEqual(Buffer.from('one'));
    const page = await a.list({ delimiter: '/' });
    expect(page.items.map((i) => i.key)).toEqual(['y']);
    expect(page.prefixes).toEqual(['x/']);
    expect((await raw.list({})).items.map((i) => i.key)).toEqual(['a/x/1', 'a/y', 'b/x/1']);
    expect((await a.list({ startAfter: 'x/1' })).items.map((i) => i.key)).toEqual(['y']);
  });

  it('reports error keys without the prefix', async () => {
    const s = withPrefix(createMemoryStorage(), 'ns/');
    const e = await s.head('missing').catch((x: unknown) => x);
    expect(isStorageError(e) && [e.code, e.key]).toEqual(['NotFound', 'missing']);
  });

  it('rejects invalid keys itself: the empty key never becomes the prefix', async () => {
    const raw = createMemoryStorage();
    const s = withPrefix(raw, 'ns/');
    const e = await s.put('', 'x').catch((x: unknown) => x);
    expect(isStorageError(e) && e.code).toBe('InvalidKey');
    const results = await s.deleteMany(['', 'ok']);
    expect(results.map((r) => r.ok)).toEqual([false, true]);
    expect((await raw.list({})).items).toEqual([]);
  });

  it('keeps keys within the inner key limit (prefix + key ≤ 2048 bytes)', async () => {
    const s = withPrefix(createMemoryStorage(), 'ns/');
    const e = await s.put('k'.repeat(2046), 'x').catch((x: unknown) => x);
    expect(isStorageError(e) && e.code).toBe('InvalidKey');
    await s.put('k'.repeat(2045), 'x');
  });

  it('maps multipart uploads, markers and copies', async () => {
    const raw = createMemoryStorage({ minPartSize: 1 });
    const s = withPrefix(raw, 'ns/');
    const u1 = await s.startMultipart('d/one');
    const u2 = await s.startMultipart('two');
    await raw.startMultipart('elsewhere');
    expect(u1.key).toBe('d/one');
    const all = await s.listMultipartUploads({});
    expect(all.uploads.map((u) => u.key)).toEqual(['d/one', 'two']);
    expect((await s.listMultipartUploads({ delimiter: '/' })).prefixes).toEqual(['d/']);
    const page = await s.listMultipartUploads({ limit: 1 });
    expect(page.nextKeyMarker).toBe('d/one');
    const rest = await s.listMultipartUploads({ keyMarker: page.nextKeyMarker, uploadIdMarker: page.nextUploadIdMarker });
    expect(rest.uploads.map((u) => u.key)).toEqual(['two']);
    const part = await s.uploadPart('two', u2.uploadId, 1, 'body');
    expect((await s.listParts('two', u2.uploadId)).parts).toHaveLength(1);
    expect((await s.completeMultipart('two', u2.uploadId, [{ partNumber: 1, etag: part.etag }])).key).toBe('two');
    expect((await s.copy('two', 'three')).key).toBe('three');
    expect((await raw.head('ns/three')).size).toBe(4);
    await s.abortMultipart('d/one', u1.uploadId);
  });

  it('validates the prefix at once', () => {
    expect(() => withPrefix(createMemoryStorage(), 'a\0b')).toThrow(TypeError);
    expect(() => withPrefix(createMemoryStorage(), 'a\ud800')).toThrow(TypeError);
  });
});

describe('withMetrics', () => {
  it('counts calls, errors by code and latency per operation', async () => {
    let t = 0;
    const s = withMetrics(createMemoryStorage(), { now: () => (t += 5) });
    await s.put('a', 'hello');
    await s.put('b', 'x');
    await s.head('missing').catch(() => undefined);
    await s.head('a');
    const put = s.metrics.operation('put');
    expect(put.count).toBe(2);
    expect(put.errors).toEqual({});
    expect(put.latencyMs.max).toBe(5);
    expect(put.latencyMs.p50).toBeCloseTo(5, 0);
    expect(s.metrics.operation('head')).toMatchObject({ count: 2, errors: { NotFound: 1 } });
    expect(s.metrics.operation('list').count).toBe(0);
  });

  it('counts bytes in from bytes, strings and streams, and bytes out as get bodies are read', async () => {
    const s = withMetrics(createMemoryStorage());
    await s.put('a', 'h\u00e9llo'); // 6 UTF-8 bytes
    await s.put('b', new Uint8Array(10));
    await s.put('c', Readable.from([Buffer.alloc(100), Buffer.alloc(23)]));
    expect(s.metrics.bytesIn).toBe(6 + 10 + 123);
    const got = await s.get('c');
    expect(s.metrics.bytesOut).toBe(0);
    expect((await readBytes(got)).length).toBe(123);
    expect(s.metrics.bytesOut).toBe(123);
    await readBytes(await s.get('a', { range: { start: 1 } }));
    expect(s.metrics.bytesOut).toBe(123 + 5);
  });

  it('exports a JSON snapshot of every operation and resets', async () => {
    const s = withMetrics(createMemoryStorage());
    await s.put('a', 'x');
    const json = JSON.parse(JSON.stringify(s.metrics)) as { operations: Record<string, { count: number; latencyMs: Record<string, number> }>; bytesIn: number };
    expect(Object.keys(json.operations)).toContain('listMultipartUploads');
    expect(json.operations.put?.count).toBe(1);
    expect(Object.keys(json.operations.put?.latencyMs ?? {})).toEqual(expect.arrayContaining(['p50', 'p90', 'p99', 'max']));
    expect(json.bytesIn).toBe(1);
    s.metrics.reset();
    expect(s.metrics.toJSON().operations.put.count).toBe(0);
    expect(s.metrics.bytesIn).toBe(0);
  });

  it('histogram percentiles are within 10% and max is exact', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i);
    const snap = h.snapshot();
    expect(snap.count).toBe(1000);
    expect(snap.max).toBe(1000);
    expect(snap.min).toBe(1);
    expect(snap.mean).toBeCloseTo(500.5, 5);
    for (const [q, want] of [
      ['p50', 500],
      ['p90', 900],
      ['p99', 990],
    ] as const) {
      expect(snap[q]).toBeGreaterThanOrEqual(want);
      expect(snap[q]).toBeLessThanOrEqual(want * 1.1);
    }
    expect(new LatencyHistogram().snapshot()).toMatchObject({ count: 0, p50: 0, max: 0 });
  });
});

/** A real forwarding layer that fails the first `failures` calls of `op` with `code`. */
class Flaky extends ForwardingStorage {
  attempts = 0;
  constructor(
    inner: Storage,
    readonly op: string,
    public failures: number,
    readonly code: StorageErrorCode = 'Unavailable',
    readonly retryable?: boolean,
  ) {
    super(inner);
  }
  protected override invoke<T>(call: CallInfo, run: () => Promise<T>): Promise<T> {
    if (call.op !== this.op) return run();
    this.attempts++;
    if (this.failures-- > 0) return Promise.reject(new StorageError(this.code, 'injected', { op: call.op, key: call.key, retryable: this.retryable }));
    return run();
  }
}

describe('withRetry', () => {
  const fast = { baseDelayMs: 1, maxDelayMs: 2 };

  it('retries retryable errors (Unavailable, RateLimited) until success', async () => {
    for (const code of ['Unavailable', 'RateLimited'] as const) {
      const flaky = new Flaky(createMemoryStorage(), 'put', 2, code);
      const s = withRetry(flaky, fast);
      await s.put('k', 'v');
      expect(flaky.attempts).toBe(3);
      expect(await readBytes(await s.get('k'))).toEqual(Buffer.from('v'));
    }
  });

  it('gives up after `retries` retries with the last error', async () => {
    const flaky = new Flaky(createMemoryStorage(), 'head', 10);
    const e = await withRetry(flaky, { ...fast, retries: 2 }).head('k').catch((x: unknown) => x);
    expect(isStorageError(e) && e.code).toBe('Unavailable');
    expect(flaky.attempts).toBe(3);
  });

  it('does not retry non-retryable errors, nor an error flagged retryable=false', async () => {
    const notFound = new Flaky(createMemoryStorage(), 'head', 0);
    await withRetry(notFound, fast).head('missing').catch(() => undefined);
    expect(notFound.attempts).toBe(1);
    const flagged = new Flaky(createMemoryStorage(), 'head', 5, 'Unavailable', false);
    await withRetry(flagged, fast).head('k').catch(() => undefined);
    expect(flagged.attempts).toBe(1);
  });

  it('replays bytes and strings but never a one-shot stream body', async () => {
    const bytes = new Flaky(createMemoryStorage(), 'put', 1);
    await withRetry(bytes, fast).put('k', new Uint8Array([1, 2]));
    expect(bytes.attempts).toBe(2);
    const stream = new Flaky(createMemoryStorage(), 'put', 1);
    const e = await withRetry(stream, fast).put('k', Readable.from([Buffer.from('once')])).catch((x: unknown) => x);
    expect(isStorageError(e) && e.code).toBe('Unavailable');
    expect(stream.attempts).toBe(1);
    const part = new Flaky(createMemoryStorage({ minPartSize: 1 }), 'uploadPart', 1);
    const s = withRetry(part, fast);
    const up = await s.startMultipart('m');
    await s.uploadPart('m', up.uploadId, 1, 'again');
    expect(part.attempts).toBe(2);
  });

  it('backs off exponentially with full jitter, capped at maxDelayMs', async () => {
    const delays: number[] = [];
    const flaky = new Flaky(createMemoryStorage(), 'list', 5);
    await withRetry(flaky, { retries: 5, baseDelayMs: 2, maxDelayMs: 20, random: () => 0.999, onRetry: (e) => delays.push(e.delayMs) }).list();
    expect(delays).toEqual([1, 3, 7, 15, 19]);
    const zero: number[] = [];
    await withRetry(new Flaky(createMemoryStorage(), 'list', 2), { random: () => 0, onRetry: (e) => zero.push(e.delayMs) }).list();
    expect(zero).toEqual([0, 0]);
  });

  it('an abort during the backoff ends the wait with Aborted at once', async () => {
    const flaky = new Flaky(createMemoryStorage(), 'head', 10);
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 30);
    const e = await withRetry(flaky, { baseDelayMs: 10_000, maxDelayMs: 10_000, random: () => 1 }).head('k', { signal: ac.signal }).catch((x: unknown) => x);
    expect(isStorageError(e) && e.code).toBe('Aborted');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('validates options at once', () => {
    expect(() => withRetry(createMemoryStorage(), { retries: -1 })).toThrow(TypeError);
    expect(() => withRetry(createMemoryStorage(), { retries: 1.5 })).toThrow(TypeError);
    expect(() => withRetry(createMemoryStorage(), { baseDelayMs: Number.NaN })).toThrow(TypeError);
  });
});

describe('withLatency', () => {
  /** A clock that records the waits asked of it and returns at once. */
  const recordingClock = () => {
    const waits: number[] = [];
    return { waits, clock: { sleep: async (ms: number) => void waits.push(ms) } };
  };

  it('waits perCallMs before every call (or a per-operation delay)', async () => {
    const { waits, clock } = recordingClock();
    const s = withLatency(createMemoryStorage(), { perCallMs: (op) => (op === 'put' ? 7 : 3), clock });
    await s.put('k', 'v');
    await s.head('k');
    await s.list();
    expect(waits).toEqual([7, 3, 3]);
  });

  it('waits per byte of bodies in and out', async () => {
    const { waits, clock } = recordingClock();
    const s = withLatency(createMemoryStorage(), { perByteMs: 2, clock });
    await s.put('k', 'hello');
    expect(waits).toEqual([10]);
    await s.put('s', Readable.from([Buffer.alloc(3), Buffer.alloc(4)]));
    expect(waits).toEqual([10, 6, 8]);
    waits.length = 0;
    expect((await readBytes(await s.get('k'))).toString()).toBe('hello');
    expect(waits).toEqual([10]);
  });

  it('bytesPerSecond throttles in real time', async () => {
    const s = withLatency(createMemoryStorage(), { bytesPerSecond: 1_000_000 });
    const started = performance.now();
    await s.put('k', new Uint8Array(60_000));
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('an abort during an injected wait throws Aborted', async () => {
    const s = withLatency(createMemoryStorage(), { perCallMs: 10_000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const e = await s.head('k', { signal: ac.signal }).catch((x: unknown) => x);
    expect(isStorageError(e) && e.code).toBe('Aborted');
  });

  it('validates options at once', () => {
    expect(() => withLatency(createMemoryStorage(), { perCallMs: -1 })).toThrow(TypeError);
    expect(() => withLatency(createMemoryStorage(), { perByteMs: 1, bytesPerSecond: 5 })).toThrow(TypeError);
    expect(() => withLatency(createMemoryStorage(), { bytesPerSecond: 0 })).toThrow(TypeError);
  });
});

describe('withReadOnly', () => {
  it('refuses writes with PermissionDenied (op, key) before any I/O and leaves data intact', async () => {
    const raw = createMemoryStorage();
    await raw.put('k', 'kept');
    const s = withReadOnly(raw);
    let read = false;
    const body = new Readable({
      read() {
        read = true;
        this.push(null);
      },
    });
    const e = await s.put('k', body).catch((x: unknown) => x);
    expect(isStorageError(e) && [e.code, e.op, e.key]).toEqual(['PermissionDenied', 'put', 'k']);
    expect(read).toBe(false);
    for (const call of [() => s.delete('k'), () => s.deleteMany(['k']), () => s.copy('k', 'k2'), () => s.setTags('k', {}), () => s.startMultipart('m')]) {
      const err = await call().catch((x: unknown) => x);
      expect(isStorageError(err) && err.code).toBe('PermissionDenied');
    }
    expect(await readBytes(await s.get('k'))).toEqual(Buffer.from('kept'));
    expect((await s.list()).items.map((i) => i.key)).toEqual(['k']);
    expect((await s.head('k')).size).toBe(4);
  });
});
