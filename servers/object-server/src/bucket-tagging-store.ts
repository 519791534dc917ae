/**
 * Per-bucket tag sets (PutBucketTagging, https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketTagging.html):
 * stored as JSON under the reserved prefix (`.strata/bucket-tagging/<bucket>`) like the CORS rules, so they
 * survive a restart on a persistent backend, and cached per process (the server is the only writer).
 *
 * The store hangs off the app's {@link ServerState} (one per app, created on first use), so the shared context
 * types need no tagging field.
 */
import type { Storage } from '@strata/storage';
import { createBucketRecords } from './bucket-records.ts';
import { RESERVED_PREFIX } from './bucket-registry.ts';
import type { ServerState } from './context.ts';

const TAGGING_PREFIX = `${RESERVED_PREFIX}bucket-tagging/`;

/** A tag set, as ordered `[key, value]` pairs (the order the client sent them in). */
export type BucketTagSet = [string, string][];

/** The tag sets of all buckets. */
export interface BucketTaggingStore {
  /** The bucket's tag set, or undefined when it has none. */
  get(bucket: string): Promise<BucketTagSet | undefined>;
  /** Replaces the bucket's tag set. */
  put(bucket: string, tags: BucketTagSet): Promise<void>;
  /** Removes the bucket's tag set; a bucket without one is left as it is. */
  remove(bucket: string): Promise<void>;
}

/** Creates the store over `storage`. */
export function createBucketTaggingStore(storage: Storage): BucketTaggingStore {
  const records = createBucketRecords<BucketTagSet>(storage, TAGGING_PREFIX);
  return { get: (bucket) => records.get(bucket), put: (bucket, tags) => records.set(bucket, tags), remove: (bucket) => records.remove(bucket) };
}

const stores = new WeakMap<ServerState, BucketTaggingStore>();

/** The tag-set store of an app, created over its storage on first use. */
export function bucketTaggingOf(state: ServerState): BucketTaggingStore {
  let store = stores.get(state);
  if (store === undefined) stores.set(state, (store = createBucketTaggingStore(state.storage)));
  return store;
}
