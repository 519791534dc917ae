/**
 * Test helpers: real adapters with optional methods removed, to drive the front wrapper's fallbacks through
 * the same memory adapter the rest of the suite uses, and a call counter to prove "before any I/O".
 */
import { createMemoryAdapter } from '../src/index.ts';
import type { Capabilities, StorageAdapter } from '../src/index.ts';

/** A memory adapter exposing only the required core (put/get/head/delete + scan or list). */
export function plainAdapter(options: { capabilities?: Partial<Capabilities>; listOnly?: boolean; minPartSize?: number } = {}): StorageAdapter {
  const inner = createMemoryAdapter({ minPartSize: options.minPartSize ?? 1 });
  const capabilities = { ...inner.capabilities, multipart: 'emulated', copy: 'emulated', ...options.capabilities } as Capabilities;
  const a: StorageAdapter = {
    name: 'plain',
    capabilities,
    put: (k, b, o) => inner.put(k, b, o),
    get: (k, o) => inner.get(k, o),
    head: (k, o) => inner.head(k, o),
    delete: (k, o) => inner.delete(k, o),
  };
  if (options.listOnly) {
    // A native pager over scan, simulating a medium that pages itself (one page of up to 2 keys at a time).
    a.list = async (o) => {
      const items = [];
      let after = o.cursor ?? o.startAfter;
      for await (const item of inner.scan!({ prefix: o.prefix ?? '', startAfter: after, signal: o.signal })) {
        items.push(item);
        after = item.key;
        if (items.length === 2) return { items, prefixes: [], cursor: after };
      }
      return { items, prefixes: [] };
    };
  } else {
    a.scan = (o) => inner.scan!(o);
  }
  return a;
}

/** Wraps an adapter, counting calls per method (to assert that validation happens before any I/O). */
export function countingAdapter(inner: StorageAdapter): { adapter: StorageAdapter; calls: Record<string, number>; total(): number } {
  const calls: Record<string, number> = {};
  const adapter = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      return (...args: unknown[]) => {
        calls[prop] = (calls[prop] ?? 0) + 1;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { adapter, calls, total: () => Object.values(calls).reduce((a, b) => a + b, 0) };
}

/** Expects a promise to reject with a StorageError of `code` (and optionally `reason`); returns the error. */
export async function rejectsWith(p: Promise<unknown>, code: string, reason?: string): Promise<{ code: string; reason?: string; op?: string; key?: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code: string; reason?: string; op?: string; key?: string; message: string };
    if (err.code !== code || (reason !== undefined && err.reason !== reason)) {
      throw new Error(`expected ${code}${reason ? `/${reason}` : ''}, got ${err.code}/${err.reason}: ${err.message}`);
    }
    return err;
  }
  throw new Error(`expected ${code}, but it resolved`);
}
