/**
 * Error helpers of the block package: every failure leaves it as a `StorageError` (the contract's one family),
 * with the native error kept as `cause`, so callers branch on one set of codes and logs still show the original.
 */
import { StorageError, isStorageError } from '@strata/storage';

/** A `Corrupted` error: stored bytes failed an integrity check (torn, misdirected or stale page, bad record). */
export function corrupted(message: string, cause?: unknown): StorageError {
  return new StorageError('Corrupted', message, { cause });
}

/** Translates a native error (errno) into a `StorageError`; storage errors pass through unchanged. */
export function toStorageError(error: unknown, op?: string): StorageError {
  if (isStorageError(error)) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') return new StorageError('NoSpace', message, { op, cause: error });
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new StorageError('PermissionDenied', message, { op, cause: error });
  if (code === 'EEXIST') return new StorageError('AlreadyExists', message, { op, cause: error });
  if (code === 'ENOENT') return new StorageError('NotFound', message, { op, cause: error });
  return new StorageError('Unavailable', message, { op, cause: error, retryable: false });
}
