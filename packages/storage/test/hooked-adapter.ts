/**
 * A real memory adapter with some methods replaced, to put a concurrent writer or a failure between the steps
 * of a composed operation (move's head, copy, head, delete) and to record the order of adapter calls.
 */
import { createMemoryAdapter, createStorage } from '../src/index.ts';
import type { Storage, StorageAdapter } from '../src/index.ts';

/** The adapter, a plain storage over the same objects (a "concurrent writer"), and the adapter calls made. */
export interface Hooked {
  adapter: StorageAdapter;
  /** A second front over the same memory: writes through it are invisible to the hooks. */
  other: Storage;
  calls: string[];
}

/** Wraps a new memory adapter; `overrides` receive the original adapter to call through. */
export function hookedAdapter(overrides: (inner: StorageAdapter) => Partial<StorageAdapter> = () => ({})): Hooked {
  const inner = createMemoryAdapter({ minPartSize: 1 });
  const calls: string[] = [];
  const replaced = overrides(inner);
  const adapter = new Proxy(inner, {
    get(target, prop, receiver) {
      const own = typeof prop === 'string' ? (replaced as Record<string, unknown>)[prop] : undefined;
      const v = own ?? (Reflect.get(target, prop, receiver) as unknown);
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      return (...args: unknown[]) => {
        calls.push(prop);
        return (v as (...a: unknown[]) => unknown).apply(own === undefined ? target : replaced, args);
      };
    },
  });
  return { adapter, other: createStorage(inner), calls };
}
