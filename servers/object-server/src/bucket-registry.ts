/**
 * The bucket registry: which buckets exist, when they were created and in which region.
 *
 * A bucket is a first-level namespace of the backing storage (object `k` of bucket `b` is the key `b/k`). It
 * exists when the registry holds a record of it, or when the storage holds keys under `b/` that no record
 * names: over the file store, a top-level directory that another program made (`strata serve --data DIR` over
 * an existing tree) or that a file was copied into while the server ran.
 *
 * - **Records** live under {@link RESERVED_PREFIX}, which no bucket can take (S3 bucket names start with a
 *   letter or digit, https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). The server
 *   is their only writer, so they are loaded once and kept in memory, which saves a storage round trip on every
 *   request.
 * - **Found buckets.** A top-level common prefix whose name is a valid bucket name is a bucket; other names
 *   (`.git/`, `Photos/`, `my_files/`, the server's own `.strata/`) are not, and keys at the top level (files
 *   beside the directories) belong to no bucket. The registry records a found bucket the first time it sees it,
 *   so it then lives as an S3 bucket does: deleting its last object (after which the file store removes the
 *   empty directory) leaves an empty bucket for DeleteBucket, as `aws s3 rb --force` expects. What other
 *   programs add is found by looking again: ListBuckets lists the top level each time, and a valid name the
 *   registry does not know is looked up (one listing of `name/`, limit 1) before a request is refused. Only
 *   ListBuckets lists the top level: that listing reads the files there too (a file store computes the MD5
 *   of a file it did not write), which other requests must not wait for. A directory holding no object
 *   (empty, or only symbolic links) has no common prefix, so it is no bucket.
 */
import { hasErrorCode } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { bucketNameProblem } from './bucket-names.ts';
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
  /** The bucket's record, or undefined when it does not exist (a valid name the records lack is looked up). */
  get(name: string): Promise<BucketInfo | undefined>;
  /**
   * Whether the bucket exists, answered synchronously: `true` for a known bucket, `false` for a name that
   * cannot be a bucket, `undefined` when only {@link BucketRegistry.get} can tell (the registry is not loaded
   * yet, or a valid name it does not know, which another program may have made since).
   */
  peek(name: string): boolean | undefined;
  /** Creates a bucket; throws `BucketAlreadyOwnedByYou` when it exists (there is one tenant). */
  create(name: string, region: string): Promise<BucketInfo>;
  /** Removes the record (the caller checks the bucket is empty first). */
  remove(name: string): Promise<void>;
  /** Every bucket, by name: the records and the buckets found in the storage now. */
  list(): Promise<BucketInfo[]>;
}

/** Options of {@link createBucketRegistry}. */
export interface BucketRegistryOptions {
  /** The region recorded for buckets found in the storage. @default 'us-east-1' */
  region?: string;
}

const alreadyOwned = (name: string) => new S3Error('BucketAlreadyOwnedByYou', undefined, { extra: { BucketName: name } });

/** Creates the registry over `storage`. */
export function createBucketRegistry(storage: Storage, options: BucketRegistryOptions = {}): BucketRegistry {
  const region = options.region ?? 'us-east-1';
  let cache: Promise<Map<string, BucketInfo>> | undefined;
  /** The map `cache` resolved to, once it has (the same object every method updates). */
  let loaded: Map<string, BucketInfo> | undefined;
  /** Look-ups of unknown names in flight, so a burst of requests to a new directory lists it once. */
  const lookups = new Map<string, Promise<BucketInfo | undefined>>();

  async function loadRecords(): Promise<Map<string, BucketInfo>> {
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
    cache ??= loadRecords().then((map) => (loaded = map)).catch((e: unknown) => {
      cache = undefined; // a failed load (backend down) is retried by the next request
      throw e;
    });
    return cache;
  };

  /** Writes the record of a bucket found in the storage (create-only: a record written meanwhile wins). */
  async function adopt(map: Map<string, BucketInfo>, name: string): Promise<BucketInfo> {
    const known = map.get(name);
    if (known) return known;
    const info: BucketInfo = { name, created: new Date(), region };
    // A failed write (recorded meanwhile by CreateBucket; a storage that is full or takes no writes) changes
    // nothing now: the bucket holds keys, so it exists, and it is found again after a restart.
    await writeRecord(info).catch(() => undefined);
    const raced = map.get(name);
    if (raced) return raced;
    map.set(name, info);
    return info;
  }

  async function writeRecord(info: BucketInfo): Promise<void> {
    const record = JSON.stringify({ created: info.created.toISOString(), region: info.region });
    const conditional = storage.capabilities.conditionalPut ? { ifNoneMatch: '*' as const } : {};
    await storage.put(BUCKETS_PREFIX + info.name, record, { contentType: 'application/json', ...conditional });
  }

  /** Records every bucket the top level of the storage holds now that `map` lacks. */
  async function adoptFound(map: Map<string, BucketInfo>): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await storage.list({ delimiter: '/', cursor });
      for (const prefix of page.prefixes) {
        const name = prefix.slice(0, -1);
        if (!map.has(name) && bucketNameProblem(name) === undefined) await adopt(map, name);
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
  }

  /** A valid name the records lack: a bucket when the storage holds a key under `name/` (then recorded). */
  function lookUp(map: Map<string, BucketInfo>, name: string): Promise<BucketInfo | undefined> {
    if (bucketNameProblem(name) !== undefined) return Promise.resolve(undefined);
    let pending = lookups.get(name);
    if (pending === undefined) {
      pending = (async () => {
        const page = await storage.list({ prefix: `${name}/`, limit: 1 });
        return page.items.length > 0 || page.prefixes.length > 0 ? adopt(map, name) : undefined;
      })().finally(() => lookups.delete(name));
      lookups.set(name, pending);
    }
    return pending;
  }

  return {
    async get(name) {
      const map = await buckets();
      return map.get(name) ?? (await lookUp(map, name));
    },
    peek(name) {
      if (loaded?.has(name)) return true;
      return bucketNameProblem(name) === undefined ? undefined : false;
    },
    async create(name, bucketRegion) {
      const map = await buckets();
      // A directory made by another program is a bucket already, just not recorded yet.
      if (map.has(name) || (await lookUp(map, name))) throw alreadyOwned(name);
      const info: BucketInfo = { name, created: new Date(), region: bucketRegion };
      try {
        await writeRecord(info);
      } catch (e) {
        if (hasErrorCode(e, 'AlreadyExists')) throw alreadyOwned(name);
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
      await adoptFound(map);
      return [...map.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
  };
}
