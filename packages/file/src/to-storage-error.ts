/**
 * Translates Node errno errors into {@link StorageError}s at the adapter's boundary, by the table every
 * file-system and device adapter shares (`NATIVE_ERROR_CODES` in `@strata/storage/adapter`), keeping the
 * original as `cause` for logs. Messages never carry a path (see `describeNative`).
 */
import { nativeToStorageError } from '@strata/storage/adapter';
import type { StorageError } from '@strata/storage/adapter';

export { describeNative, errnoOf } from '@strata/storage/adapter';

/**
 * Translates `e` (returned as is when already a StorageError). `ENOTDIR` and `ENAMETOOLONG` are `InvalidKey`
 * when `key` is given: the key's path is what the file system refused.
 */
export function toStorageError(e: unknown, op?: string, key?: string): StorageError {
  return nativeToStorageError(e, op, key);
}
