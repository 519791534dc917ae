/**
 * One table from Node's errno codes to {@link StorageErrorCode}s, shared by every adapter that talks to a file
 * system or a device, and by the front wrapper for what slipped past an adapter. The native error stays as
 * `cause`, for logs (like OpenDAL `services/fs` and object_store `local.rs`).
 *
 * A message never carries a path: Node's errno messages end with the system call's paths
 * (`ENOENT: no such file or directory, open '/srv/data/…'`), and a storage error's message may reach a client
 * (the object server shows `InvalidKey` and `InvalidArgument` messages in its S3 error XML). The message is
 * the errno and its description with the system call's name; the paths stay in `cause`.
 */
import { StorageError, isStorageError } from './errors.ts';
import type { StorageErrorCode } from './errors.ts';

/** What an errno means to a caller: its code and, where it differs from the registry's, whether to retry. */
export interface NativeErrorMeaning {
  code: StorageErrorCode;
  retryable?: boolean;
  /** The failure follows from the key's path (its length, a prefix that is a file): `InvalidKey` only then. */
  keyCaused?: boolean;
}

/**
 * The meaning of each errno (POSIX, "errno.h"). Errno codes not listed are `Unavailable` and retryable: a
 * failure the medium did not explain.
 */
export const NATIVE_ERROR_CODES: Readonly<Record<string, NativeErrorMeaning>> = {
  ENOENT: { code: 'NotFound' },
  EEXIST: { code: 'AlreadyExists' },
  ENOSPC: { code: 'NoSpace' },
  EDQUOT: { code: 'NoSpace' },
  EFBIG: { code: 'NoSpace' },
  // Too many entries or links in one directory (a file system's own limit): no space for the name.
  EMLINK: { code: 'NoSpace' },
  EACCES: { code: 'PermissionDenied' },
  EPERM: { code: 'PermissionDenied' },
  EROFS: { code: 'PermissionDenied' },
  // A symbolic link where the adapter opened with O_NOFOLLOW: never followed out of the root.
  ELOOP: { code: 'PermissionDenied' },
  // Descriptor exhaustion and a busy resource are transient: retrying the same call may succeed.
  EMFILE: { code: 'Unavailable' },
  ENFILE: { code: 'Unavailable' },
  EAGAIN: { code: 'Unavailable' },
  EBUSY: { code: 'Unavailable' },
  // The medium failed to read or write: the bytes' state is the device's problem, and repeating the call at
  // once only hammers a failing disk (and can mask a lost write). The operator must act; not retryable.
  EIO: { code: 'Unavailable', retryable: false },
  // A prefix of the key is an object (a file where a directory is needed), or the key's path exceeds the file
  // system's NAME_MAX/PATH_MAX: the key cannot be stored here. Without a key, a configured path caused it.
  ENOTDIR: { code: 'InvalidKey', keyCaused: true },
  ENAMETOOLONG: { code: 'InvalidKey', keyCaused: true },
  ABORT_ERR: { code: 'Aborted' },
};

/** The errno code of a Node system error, if any. */
export function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && typeof (e as NodeJS.ErrnoException).code === 'string'
    ? (e as NodeJS.ErrnoException).code
    : undefined;
}

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

/**
 * Translates a native error into a {@link StorageError} by {@link NATIVE_ERROR_CODES}, with a path-free message
 * and the original as `cause`. A StorageError is returned as is (its `op` and `key` filled when unset); an
 * `AbortError` becomes `Aborted`; a key-caused errno without a `key` is `Unavailable` and not retryable (a
 * configured path is wrong; retrying will not fix it).
 */
export function nativeToStorageError(e: unknown, op?: string, key?: string): StorageError {
  if (isStorageError(e)) {
    e.op ??= op;
    e.key ??= key;
    return e;
  }
  if (typeof e === 'object' && e !== null && (e as Error).name === 'AbortError') {
    return new StorageError('Aborted', 'The operation was aborted', { op, key, cause: e });
  }
  const errno = errnoOf(e);
  const meaning: NativeErrorMeaning = (errno !== undefined && Object.hasOwn(NATIVE_ERROR_CODES, errno) ? NATIVE_ERROR_CODES[errno] : undefined) ?? { code: 'Unavailable' };
  const { code, retryable } = meaning.keyCaused && key === undefined ? { code: 'Unavailable' as const, retryable: false } : meaning;
  return new StorageError(code, describeNative(e), { op, key, cause: e, ...(retryable === undefined ? {} : { retryable }) });
}
