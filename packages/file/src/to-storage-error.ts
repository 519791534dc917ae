/**
 * Translates Node errno errors into {@link StorageError}s at the adapter's boundary, keeping the original as
 * `cause` for logs (like OpenDAL `services/fs` and object_store `local.rs`).
 *
 * A message never carries a path: Node's errno messages end with the system call's paths
 * (`ENOENT: no such file or directory, open '/srv/data/…'`), and a storage error's message may reach a client
 * (the object server shows `InvalidKey` and `InvalidArgument` messages in its S3 error XML). The message is
 * the errno and its description with the system call's name; the paths stay in `cause`, for logs.
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
  // Too many entries or links in one directory (a file system's own limit): no space for the name.
  EMLINK: 'NoSpace',
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
  // The key mapping keeps every path within PATH_MAX and NAME_MAX; a file system with smaller limits refuses.
  ENAMETOOLONG: 'InvalidKey',
};

/**
 * The message of a native error without the paths in it: for a Node system error `CODE: description
 * (syscall)`, the part of Node's `CODE: description, syscall 'path' -> 'dest'` before the paths.
 */
export function describeNative(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const { code, syscall } = e as NodeJS.ErrnoException;
  if (typeof code !== 'string') return e.message;
  if (typeof syscall !== 'string') return code;
  // libuv's descriptions (uv_strerror) contain no comma; Node appends `, <syscall>` and the quoted paths.
  const cut = e.message.indexOf(`, ${syscall}`);
  const head = cut < 0 ? code : e.message.slice(0, cut);
  return `${head} (${syscall})`;
}

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
  return new StorageError(code, describeNative(e), { op, key, cause: e });
}
