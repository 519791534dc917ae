/**
 * A read cache (`withReadCache` of `@strata/storage`) in front of a file storage, with the coherence its root
 * needs. By default every hit is checked against the key's file (`createChangeStamp`: one `lstat` of inode,
 * size, mtime and ctime), so a file that people or other programs copy over, edit or remove under the root is
 * read again instead of served stale. That check is about a tenth of the CPU of a cached small GET through the
 * object server; a root that nothing but this process writes into (`exclusive`) can go without it.
 */
import { withReadCache } from '@strata/storage';
import type { CachedStorage, ReadCacheOptions, Storage } from '@strata/storage';
import { createChangeStamp } from './change-stamp.ts';

/** Options of {@link withFileReadCache}. */
export interface FileReadCacheOptions extends Omit<ReadCacheOptions, 'stamp'> {
  /** The file storage's root directory, whose files the hits are checked against. Required. */
  root: string;
  /**
   * Whether the root is written by this process alone, through the storage the cache wraps. Then hits are not
   * checked against the files: a cached object (up to `maxObjectBytes`) that another program replaces, edits or
   * removes is served as it was cached until it is written or deleted through the storage, or evicted. Objects
   * not in the cache are read from their files as always, so they are never stale.
   * @default false
   */
  exclusive?: boolean;
}

/**
 * `storage` with a read cache in front, checked against the files under `options.root` unless
 * `options.exclusive` says nobody else writes there.
 */
export function withFileReadCache(storage: Storage, options: FileReadCacheOptions): CachedStorage {
  const { root, exclusive = false, ...cache } = options;
  if (typeof root !== 'string' || root === '') throw new TypeError('withFileReadCache: option `root` is required');
  return withReadCache(storage, exclusive ? cache : { ...cache, stamp: createChangeStamp(root) });
}
