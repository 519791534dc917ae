/**
 * A store under a scale run, reduced to what the curve does: put (the fill), GET and HEAD of a key, and one
 * list page of up to 1,000 keys — the same calls on the storage contract in process (here) and on the object
 * server over HTTP (server-target.ts). `rssMB` reads the process that holds the store.
 */
import type { Storage } from '@strata/storage';
import { PAGE_KEYS } from './scale-plan.ts';

/** The key prefix every scale object lives under. */
export const SCALE_PREFIX = 'scale/';

/** One store of the curve. */
export interface ScaleTarget {
  put(key: string, data: Buffer): Promise<void>;
  /** Reads the whole object; returns its byte count. */
  get(key: string): Promise<number>;
  head(key: string): Promise<void>;
  /** One page of up to 1,000 keys under `scale/`, after `startAfter` (the first page without it); returns the keys. */
  listPage(startAfter?: string): Promise<number>;
  /** Resident set size of the process holding the store, in MB. */
  rssMB(): number;
  /** The V8 heap in use, in MB, when the store is in this process (RSS also counts freed pages not yet returned). */
  heapMB?(): number;
  /** Called before a fill step (the object server stops so the fill can write its directory). */
  beforeFill?(): Promise<void>;
  /** Called after a fill step, before the reads. */
  afterFill?(): Promise<void>;
  close(): Promise<void>;
}

/** A storage (file, block or memory adapter) held by this very process. */
export function storageTarget(storage: Storage): ScaleTarget {
  return {
    put: async (key, data) => {
      await storage.put(key, data);
    },
    get: async (key) => {
      const { body } = await storage.get(key);
      let n = 0;
      for await (const chunk of body) n += (chunk as Buffer).length;
      return n;
    },
    head: async (key) => {
      await storage.head(key);
    },
    listPage: async (startAfter) => {
      const page = await storage.list({ prefix: SCALE_PREFIX, limit: PAGE_KEYS, ...(startAfter === undefined ? {} : { startAfter }) });
      return page.items.length;
    },
    rssMB: () => process.memoryUsage().rss / 2 ** 20,
    heapMB: () => process.memoryUsage().heapUsed / 2 ** 20,
    close: () => storage.close(),
  };
}
