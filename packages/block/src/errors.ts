/**
 * Error helpers of the block package: every failure leaves it as a `StorageError` (the contract's one family),
 * with the native error kept as `cause`, so callers branch on one set of codes and logs still show the original.
 */
import { StorageError, nativeToStorageError } from '@strata/storage/adapter';

/** A `Corrupted` error: stored bytes failed an integrity check (torn, misdirected or stale page, bad record). */
export function corrupted(message: string, cause?: unknown): StorageError {
  return new StorageError('Corrupted', message, { cause });
}

/**
 * Translates a native error (errno) into a `StorageError` by the table every adapter shares
 * (`NATIVE_ERROR_CODES`): its message names the errno and system call but never the device's path. Storage
 * errors pass through unchanged.
 */
export function toStorageError(error: unknown, op?: string): StorageError {
  return nativeToStorageError(error, op);
}
