/** Any `Storage` as a benchmark tier: the memory, file, block and s3 adapters go through this one path. */
import type { Storage } from '@strata/storage';
import type { BenchTier } from './tier.ts';

/** Wraps a storage; `onClose` releases what the tier started (a server, a temp dir). */
export function storageTier(name: string, storage: Storage, onClose?: () => Promise<void>): BenchTier {
  return {
    name,
    async put(key, data) {
      await storage.put(key, data);
    },
    async get(key) {
      const { body } = await storage.get(key);
      let n = 0;
      for await (const chunk of body) n += (chunk as Buffer).length;
      return n;
    },
    async head(key) {
      await storage.head(key);
    },
    async delete(key) {
      await storage.delete(key);
    },
    async list(prefix, delimiter) {
      let n = 0;
      let cursor: string | undefined;
      do {
        const page = await storage.list({ prefix, delimiter, cursor, limit: 1000 });
        n += page.items.length + page.prefixes.length;
        cursor = page.cursor;
      } while (cursor);
      return n;
    },
    async close() {
      await storage.close();
      await onClose?.();
    },
  };
}
