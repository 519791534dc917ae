/**
 * The front wrapper's last line of error translation: whatever an adapter (or a body stream) throws leaves
 * `createStorage` as a {@link StorageError} with `op` and `key` filled in and the original kept as `cause`.
 * Adapters translate their native errors themselves, at their boundary, where they know what each errno or SDK
 * exception means; this catches what slipped through.
 */
import { StorageError, abortedError, isStorageError } from './errors.ts';

const ERRNO_CODES: Record<string, StorageError['code']> = {
  ENOENT: 'NotFound',
  EEXIST: 'AlreadyExists',
  ENOSPC: 'NoSpace',
  EDQUOT: 'NoSpace',
  EACCES: 'PermissionDenied',
  EPERM: 'PermissionDenied',
  EROFS: 'PermissionDenied',
  ABORT_ERR: 'Aborted',
};

/**
 * Translates anything thrown into a {@link StorageError} with `op` and `key` filled in. A StorageError keeps
 * its code; an AbortError (or any failure after the signal fired) becomes `Aborted`; errno errors that slipped
 * past an adapter map by errno; everything else is `Unavailable` with the original as `cause`.
 */
export function toStorageError(e: unknown, op: string, key?: string, signal?: AbortSignal): StorageError {
  if (isStorageError(e)) {
    e.op ??= op;
    e.key ??= key;
    return e;
  }
  const err = e as { name?: unknown; code?: unknown; message?: unknown } | undefined;
  if (err?.name === 'AbortError' || signal?.aborted) {
    if (signal?.aborted) return abortedError(signal, op, key);
    return new StorageError('Aborted', 'The operation was aborted', { op, key, cause: e });
  }
  const mapped = typeof err?.code === 'string' ? ERRNO_CODES[err.code] : undefined;
  const message = typeof err?.message === 'string' ? err.message : String(e);
  // The message names the operation and key itself (StorageError composes them), so the native text follows.
  return new StorageError(mapped ?? 'Unavailable', message, { op, key, cause: e });
}
