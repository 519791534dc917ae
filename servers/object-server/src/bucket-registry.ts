/**
 * The bucket registry: which buckets exist, when they were created and in which region.
 *
 * Records live in the backing storage under {@link RESERVED_PREFIX}, which no bucket can take (S3 bucket names
 * start with a letter or digit, https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
 * The server is the only writer of that prefix, so a process-local cache, loaded once, stays coherent and
 * saves a storage round trip on every request.
 */
import { hasErrorCode } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { S3Error } from './s3-errors.ts';
import { readAll } from './streams.ts';

/** The storage prefix of server state. Bucket names cannot start with '.', so no object key collides with it. */
export const RESERVED_PREFIX = '.strata/';

const BUCKETS_PREFIX = `${RESERVED_PREFIX}buckets/`;

/** A bucket's record. */
export interface BucketInfo {
  name: string;
  created: Date;
  region: string;
}

/** The registry of buckets. */
export interface BucketRegistry {
  /** The bucket's record, or undefined when it does not exist. */
  get(name: string): Promise<BucketInfo | undefined>;
  /**
   * Whether the bucket exists, answered synchronously from the loaded registry: `true` or `false`, or
   * `undefined` while the registry is not loaded yet (then ask {@link BucketRegistry.get}).
   */
  peek(name: string): boolean | undefined;
  /** Creates a bucket; throws `BucketAlreadyOwnedByYou` when it exists (there is one tenant). */
  create(name: string, region: string): Promise<BucketInfo>;
  /** Removes the record (the caller checks the bucket is empty first). */
  remove(name: string): Promise<void>;
  /** Every bucket, by name. */
  list(): Promise<BucketInfo[]>;
}

/** Creates the registry over `storage`. */
export function createBucketRegistry(storage: Storage): BucketRegistry {
  let cache: Promise<Map<string, BucketInfo>> | undefined;
  /** The map `cache` resolved to, once it has (the same object `create` and `remove` update). */
  let loaded: Map<string, BucketInfo> | undefined;

  async function load(): Promise<Map<string, BucketInfo>> {
    const map = new Map<string, BucketInfo>();
    let cursor: string | undefined;
    do {
      const page = await storage.list({ prefix: BUCKETS_PREFIX, cursor });
      for (const item of page.items) {
        const name = item.key.slice(BUCKETS_PREFIX.length);
        try {
          const { body } = await storage.get(item.key);
          const rec = JSON.parse((await readAll(body, 64 * 1024)).toString('utf8')) as { created: string; region: string };
          map.set(name, { name, created: new Date(rec.created), region: rec.region });
        } catch (e) {
          if (!hasErrorCode(e, 'NotFound')) throw e;
        }
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
    return map;
  }

  const buckets = (): Promise<Map<string, BucketInfo>> => {
    cache ??= load().then((map) => (loaded = map)).catch((e: unknown) => {
      cache = undefined; // a failed load (backend down) is retried by the next request
      throw e;
    });
    return cache;
  };

  return {
    async get(name) {
      return (await buckets()).get(name);
    },
    peek(name) {
      return loaded === undefined ? undefined : loaded.has(name);
    },
    async create(name, region) {
      const map = await buckets();
      if (map.has(name)) throw new S3Error('BucketAlreadyOwnedByYou', undefined, { extra: { BucketName: name } });
      const info: BucketInfo = { name, created: new Date(), region };
      const record = JSON.stringify({ created: info.created.toISOString(), region });
      try {
        const conditional = storage.capabilities.conditionalPut ? { ifNoneMatch: '*' as const } : {};
        await storage.put(BUCKETS_PREFIX + name, record, { contentType: 'application/json', ...conditional });
      } catch (e) {
        if (hasErrorCode(e, 'AlreadyExists')) throw new S3Error('BucketAlreadyOwnedByYou', undefined, { extra: { BucketName: name } });
        throw e;
      }
      map.set(name, info);
      return info;
    },
    async remove(name) {
      const map = await buckets();
      await storage.delete(BUCKETS_PREFIX + name);
      map.delete(name);
    },
    async list() {
      const map = await buckets();
      return [...map.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
  };
}
