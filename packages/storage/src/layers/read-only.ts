/**
 * `withReadOnly`: a view of a storage that refuses every write with `PermissionDenied` before any I/O (the
 * body of a refused put is never read). Reads, listings and `close` pass through. Useful to hand a service a
 * storage it cannot damage, as S3 does with a read-only bucket policy (AccessDenied on PutObject).
 */
import { StorageError } from '../errors.ts';
import type { Storage } from '../types.ts';
import { ForwardingStorage, WRITE_OPERATIONS } from './forwarding.ts';
import type { CallInfo } from './forwarding.ts';

class ReadOnlyStorage extends ForwardingStorage {
  protected override invoke<T>(call: CallInfo, run: () => Promise<T>): Promise<T> {
    if (WRITE_OPERATIONS.has(call.op)) {
      return Promise.reject(new StorageError('PermissionDenied', `The storage is read-only: ${call.op} refused`, { op: call.op, key: call.key }));
    }
    return run();
  }
}

/**
 * Wraps `storage` so that put, copy, delete, deleteMany, setTags and the multipart writes throw
 * `PermissionDenied` (op and key set) without touching the inner storage; everything else is forwarded.
 */
export function withReadOnly(storage: Storage): Storage {
  return new ReadOnlyStorage(storage);
}
