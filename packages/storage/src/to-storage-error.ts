/**
 * The front wrapper's last line of error translation: whatever an adapter (or a body stream) throws leaves
 * `createStorage` as a {@link StorageError} with `op` and `key` filled in and the original kept as `cause`.
 * Adapters translate their native errors themselves, at their boundary, where they know what each errno or SDK
 * exception means; this catches what slipped through.
 */
import { StorageError, abortedError, isStorageError } from './errors.ts';
import { nativeToStorageError } from './native-errors.ts';

/**
 * Translates anything thrown into a {@link StorageError} with `op` and `key` filled in. A StorageError keeps
 * its code; an AbortError (or any failure after the signal fired) becomes `Aborted`; errno errors that slipped
 * past an adapter map by the shared table (`NATIVE_ERROR_CODES`, with path-free messages); everything else is
 * `Unavailable` with the original as `cause`.
 */
export function toStorageError(e: unknown, op: string, key?: string, signal?: AbortSignal): StorageError {
  if (isStorageError(e)) {
    e.op ??= op;
    e.key ??= key;
    return e;
  }
  const err = e as { name?: unknown } | undefined;
  if (err?.name === 'AbortError' || signal?.aborted) {
    if (signal?.aborted) return abortedError(signal, op, key);
    return new StorageError('Aborted', 'The operation was aborted', { op, key, cause: e });
  }
  return nativeToStorageError(e, op, key);
}
