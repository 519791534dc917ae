/**
 * Translates Node errno errors into {@link StorageError}s at the adapter's boundary, keeping the original as
 * `cause` (STYLE.md §4; like OpenDAL `services/fs` and object_store `local.rs`).
 */
import { StorageError, isStorageError } from '@strata/storage';
import type { StorageErrorCode } from '@strata/storage';

/** The errno code of a Node system error, if any. */
export function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && typeof (e as NodeJS.ErrnoException).code === 'string'
    ? (e as NodeJS.ErrnoException).code
    : undefined;
}

const ERRNO_CODES: Record<string, StorageErrorCode> = {
  ENOENT: 'NotFound',
  ENOTDIR: 'NotFound',
  EEXIST: 'AlreadyExists',
  ENOSPC: 'NoSpace',
  EDQUOT: 'NoSpace',
  EFBIG: 'NoSpace',
  EACCES: 'PermissionDenied',
  EPERM: 'PermissionDenied',
  EROFS: 'PermissionDenied',
  // A symbolic link where the adapter opened with O_NOFOLLOW: never followed out of the root.
  ELOOP: 'PermissionDenied',
  // Descriptor exhaustion is transient: retried inside the adapter, and retryable if it still surfaces.
  EMFILE: 'Unavailable',
  ENFILE: 'Unavailable',
  EAGAIN: 'Unavailable',
  EBUSY: 'Unavailable',
  EIO: 'Unavailable',
  ENAMETOOLONG: 'InvalidKey',
};

/** Translates `e` (returned as is when already a StorageError). */
export function toStorageError(e: unknown, op?: string, key?: string): StorageError {
  if (isStorageError(e)) {
    if (e.op === undefined) e.op = op;
    if (e.key === undefined) e.key = key;
    return e;
  }
  if (typeof e === 'object' && e !== null && (e as Error).name === 'AbortError') {
    return new StorageError('Aborted', 'The operation was aborted', { op, key, cause: e });
  }
  const errno = errnoOf(e);
  const code: StorageErrorCode = (errno && ERRNO_CODES[errno]) || 'Unavailable';
  const message = e instanceof Error ? e.message : String(e);
  return new StorageError(code, `${op ?? 'file'}: ${message}`, { op, key, cause: e });
}
