/**
 * Each bucket's versioning state (AWS "Using versioning in S3 buckets"): never enabled, `Enabled` or
 * `Suspended` — once enabled, a bucket never returns to the unversioned state
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html).
 *
 * States are JSON records under the reserved prefix, loaded once (the server is their only writer) and kept
 * in memory, so a request to a bucket that never had versioning asks {@link VersioningRegistry.peek} — one
 * map look-up — and takes the unversioned path unchanged. Versioned buckets get a {@link VersionStore} over
 * `<bucket>/` (current objects) and `.strata/versions/<bucket>/` (versions); loading the states also
 * recovers every change a crash interrupted, before the first versioned request is answered.
 */
import { hasErrorCode, readText, VersionStore } from '@strata/storage';
import type { Storage, VersioningMode } from '@strata/storage';
import { RESERVED_PREFIX } from '../bucket-registry.ts';
import type { LifecycleConfig } from '../lifecycle/lifecycle-config.ts';
import type { ObjectLockConfig } from '../object-lock/lock-config.ts';
import { createBucketMarks } from '../bucket-marks.ts';
import type { BucketMarks } from '../bucket-marks.ts';
import { createBucketRecords } from '../bucket-records.ts';
import type { BucketRecords } from '../bucket-records.ts';

const STATE_PREFIX = `${RESERVED_PREFIX}versioning/`;
const VERSIONS_PREFIX = `${RESERVED_PREFIX}versions/`;

/** The storage prefix of a bucket's versions (indexes, bytes, intents). */
export function versionsPrefix(bucket: string): string {
  return `${VERSIONS_PREFIX}${bucket}/`;
}

/** The versioning states of all buckets. */
export interface VersioningRegistry {
  /**
   * Synchronously: `null` for a bucket that never had versioning, its mode otherwise, `undefined` when the
   * states are not loaded yet (then ask {@link VersioningRegistry.mode}).
   */
  peek(bucket: string): VersioningMode | null | undefined;
  /** The bucket's mode, or null when versioning was never enabled. */
  mode(bucket: string): Promise<VersioningMode | null>;
  /** Sets the bucket's mode (PutBucketVersioning). */
  set(bucket: string, mode: VersioningMode): Promise<void>;
  /** Forgets a deleted bucket's state. */
  remove(bucket: string): Promise<void>;
  /** The version store of a bucket. */
  store(bucket: string): VersionStore;
  /** Buckets where a multipart upload was ever completed (listed-version-etags.ts). */
  multipartBuckets: BucketMarks;
  /** Buckets' object lock configurations (object-lock/). */
  locks: BucketRecords<ObjectLockConfig>;
  /** Buckets' lifecycle configurations (lifecycle/). */
  lifecycle: BucketRecords<LifecycleConfig>;
  /** The clock retention periods and lifecycle rules are measured by, in ms since the epoch. */
  now(): number;
  /**
   * Loads the states and recovers interrupted changes; resolves either way (a storage that is down now is
   * retried by the first request that needs versioning).
   */
  ready(): Promise<void>;
}

/** Options of {@link createVersioningRegistry}. */
export interface VersioningRegistryOptions {
  /** The clock of retention and lifecycle (tests move it; signature checks keep their own). @default Date.now */
  now?: () => number;
}

/** Creates the registry over `storage`. */
export function createVersioningRegistry(storage: Storage, options: VersioningRegistryOptions = {}): VersioningRegistry {
  let loaded: Map<string, VersioningMode> | undefined;
  let loading: Promise<Map<string, VersioningMode>> | undefined;
  const stores = new Map<string, VersionStore>();

  const store = (bucket: string): VersionStore => {
    let s = stores.get(bucket);
    if (s === undefined) stores.set(bucket, (s = new VersionStore(storage, { plainPrefix: `${bucket}/`, metaPrefix: versionsPrefix(bucket) })));
    return s;
  };

  async function load(): Promise<Map<string, VersioningMode>> {
    const map = new Map<string, VersioningMode>();
    let cursor: string | undefined;
    do {
      const page = await storage.list({ prefix: STATE_PREFIX, cursor });
      for (const item of page.items) {
        try {
          const rec = JSON.parse(await readText(await storage.get(item.key))) as { status: VersioningMode };
          map.set(item.key.slice(STATE_PREFIX.length), rec.status);
        } catch (e) {
          if (!hasErrorCode(e, 'NotFound')) throw e;
        }
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
    // Every bucket with version records, versioned or not: a `?versionId=` delete in a never-versioned bucket
    // goes through the version store too.
    const withRecords = new Set(map.keys());
    cursor = undefined;
    do {
      const page = await storage.list({ prefix: VERSIONS_PREFIX, delimiter: '/', cursor });
      for (const prefix of page.prefixes) withRecords.add(prefix.slice(VERSIONS_PREFIX.length, -1));
      cursor = page.cursor;
    } while (cursor !== undefined);
    for (const bucket of withRecords) await store(bucket).recover();
    return map;
  }

  const states = (): Promise<Map<string, VersioningMode>> => {
    loading ??= load().then((map) => (loaded = map)).catch((e: unknown) => {
      loading = undefined; // retried by the next request
      throw e;
    });
    return loading;
  };
  void states().catch(() => undefined);

  return {
    peek: (bucket) => (loaded === undefined ? undefined : (loaded.get(bucket) ?? null)),
    async mode(bucket) {
      return (await states()).get(bucket) ?? null;
    },
    async set(bucket, mode) {
      const map = await states();
      await storage.put(STATE_PREFIX + bucket, JSON.stringify({ status: mode }), { contentType: 'application/json' });
      map.set(bucket, mode);
    },
    async remove(bucket) {
      const map = await states();
      await storage.delete(STATE_PREFIX + bucket);
      map.delete(bucket);
      stores.delete(bucket);
    },
    store,
    multipartBuckets: createBucketMarks(storage, `${RESERVED_PREFIX}multipart-buckets/`),
    locks: createBucketRecords<ObjectLockConfig>(storage, `${RESERVED_PREFIX}object-lock/`),
    lifecycle: createBucketRecords<LifecycleConfig>(storage, `${RESERVED_PREFIX}lifecycle/`),
    now: options.now ?? Date.now,
    ready: () => states().then(
      () => undefined,
      () => undefined,
    ),
  };
}
