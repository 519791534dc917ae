/**
 * Per-bucket configuration records of the server: CORS rules, bucket tags, object lock and lifecycle
 * configurations. Each is one JSON object under the reserved prefix, cached in memory after its first read —
 * safe because the server is the only writer of its state (a gateway shares none of it with others).
 */
import { hasErrorCode, readText } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { readAll } from './streams.ts';

/** One kind of per-bucket record. */
export interface BucketRecords<T> {
  /** The bucket's record, or undefined when it has none. */
  get(bucket: string): Promise<T | undefined>;
  /** Synchronously: the record when read before, `null` when known absent, undefined when not read yet. */
  peek(bucket: string): T | null | undefined;
  /** Writes the bucket's record. */
  set(bucket: string, value: T): Promise<void>;
  /** Removes the bucket's record (nothing when it has none). */
  remove(bucket: string): Promise<void>;
  /** Every bucket that has a record, in order (for background workers). */
  buckets(): Promise<string[]>;
}

/** Records of one kind under `prefix` (which ends with '/'). */
export function createBucketRecords<T>(storage: Storage, prefix: string): BucketRecords<T> {
  const cache = new Map<string, T | undefined>();
  return {
    peek: (bucket) => (cache.has(bucket) ? (cache.get(bucket) ?? null) : undefined),
    async get(bucket) {
      if (cache.has(bucket)) return cache.get(bucket);
      let value: T | undefined;
      try {
        value = JSON.parse(await readText(await storage.get(prefix + bucket))) as T;
      } catch (e) {
        if (!hasErrorCode(e, 'NotFound')) throw e;
      }
      cache.set(bucket, value);
      return value;
    },
    async set(bucket, value) {
      await storage.put(prefix + bucket, JSON.stringify(value), { contentType: 'application/json' });
      cache.set(bucket, value);
    },
    async remove(bucket) {
      await storage.delete(prefix + bucket);
      cache.set(bucket, undefined);
    },
    async buckets() {
      const out: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await storage.list({ prefix, cursor });
        for (const item of page.items) out.push(item.key.slice(prefix.length));
        cursor = page.cursor;
      } while (cursor !== undefined);
      return out;
    },
  };
}

/**
 * Reads every record under `prefix` (which ends with '/') once, for stores the authorizer consults synchronously
 * and so loads before serving: `onRecord` gets the bucket and the record's text (at most `maxBytes`). A record
 * removed between the listing and its read is skipped.
 */
export async function loadAllRecords(storage: Storage, prefix: string, maxBytes: number, onRecord: (bucket: string, text: string) => void): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await storage.list({ prefix, cursor });
    for (const item of page.items) {
      let text: string;
      try {
        text = (await readAll((await storage.get(item.key)).body, maxBytes)).toString('utf8');
      } catch (e) {
        if (hasErrorCode(e, 'NotFound')) continue;
        throw e;
      }
      onRecord(item.key.slice(prefix.length), text);
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
}
