/**
 * A bucket's access settings besides its policy: the Block Public Access configuration
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html) and the
 * Object Ownership setting (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html).
 * Stored as one JSON record per bucket under the reserved prefix, all loaded before the first request (the
 * authorizer reads RestrictPublicBuckets synchronously), the server being the only writer.
 *
 * Effects here: BlockPublicPolicy refuses a public bucket policy (PutBucketPolicy answers AccessDenied);
 * RestrictPublicBuckets keeps a public policy from granting anonymous callers. The bucket's ACL lives here too
 * (iam/acl-store.ts); BlockPublicAcls, IgnorePublicAcls and Object Ownership act on ACLs (iam/acl-write.ts when
 * one is written, iam/acl-grants.ts when one is evaluated).
 */
import { hasErrorCode } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { RESERVED_PREFIX } from '../bucket-registry.ts';
import { loadAllRecords } from '../bucket-records.ts';
import type { Grant } from './acl-document.ts';

const SETTINGS_PREFIX = `${RESERVED_PREFIX}bucket-access/`;

/** The four Block Public Access switches. */
export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

/** The Object Ownership values S3 accepts. */
export const OBJECT_OWNERSHIP = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'] as const;

/** One bucket's settings. */
export interface BucketAccessSettings {
  publicAccessBlock?: PublicAccessBlock;
  objectOwnership?: (typeof OBJECT_OWNERSHIP)[number];
  /** The bucket's ACL when it is not the default (the owner's FULL_CONTROL). */
  acl?: Grant[];
}

/** Part of a bucket's settings to replace; a field set to undefined is removed. */
export type SettingsChange = Partial<Record<keyof BucketAccessSettings, unknown>>;

/** The access settings of all buckets. */
export class BucketAccessStore {
  readonly #storage: Storage;
  readonly #settings = new Map<string, BucketAccessSettings>();
  #writes: Promise<unknown> = Promise.resolve();

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  /** Loads every stored record (call once, before serving). */
  async load(): Promise<void> {
    await loadAllRecords(this.#storage, SETTINGS_PREFIX, 64 * 1024, (bucket, text) => this.#settings.set(bucket, JSON.parse(text) as BucketAccessSettings));
  }

  /** The bucket's settings (empty when none are set). */
  get(bucket: string): BucketAccessSettings {
    return this.#settings.get(bucket) ?? {};
  }

  /**
   * Replaces part of the bucket's settings; an undefined field is removed. `change` may be a function of the
   * current settings, run inside the store's serial section: a check it makes (and throws from, refusing the
   * write) cannot be overtaken by another update of the same bucket.
   */
  update(bucket: string, change: SettingsChange | ((current: BucketAccessSettings) => SettingsChange)): Promise<void> {
    return this.#serial(async () => {
      const current = this.get(bucket);
      const fields = typeof change === 'function' ? change(current) : change;
      const next: BucketAccessSettings = { ...current, ...(fields as BucketAccessSettings) };
      for (const k of Object.keys(next) as (keyof BucketAccessSettings)[]) if (next[k] === undefined) delete next[k];
      if (Object.keys(next).length === 0) await this.#remove(bucket);
      else {
        await this.#storage.put(SETTINGS_PREFIX + bucket, JSON.stringify(next), { contentType: 'application/json' });
        this.#settings.set(bucket, next);
      }
    });
  }

  /** Forgets the bucket's settings (when the bucket is deleted). */
  remove(bucket: string): Promise<void> {
    return this.#serial(() => this.#remove(bucket));
  }

  async #remove(bucket: string): Promise<void> {
    if (!this.#settings.has(bucket)) return;
    await this.#storage.delete(SETTINGS_PREFIX + bucket).catch((e: unknown) => {
      if (!hasErrorCode(e, 'NotFound')) throw e;
    });
    this.#settings.delete(bucket);
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#writes.then(work, work);
    this.#writes = run.catch(() => undefined);
    return run;
  }
}
