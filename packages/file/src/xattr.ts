/**
 * User extended attributes (`xattr(7)`), through `@napi-rs/xattr` (prebuilt N-API binaries; `lgetxattr`/
 * `lsetxattr`, so a symbolic link is never followed). Why this binding and why synchronously, measured on the
 * development machine (ext4, Node 20, one attribute of ~200 bytes):
 *
 * | call                                             | per call |
 * |--------------------------------------------------|----------|
 * | `@napi-rs/xattr` getAttributeSync(path)          | ~8 µs    |
 * | `@napi-rs/xattr` getAttribute (async), serial    | ~64 µs   |
 * | `fs-xattr` getAttributeSync / async              | ~4 / ~11 µs, but it has no prebuilt binary (node-gyp) |
 * | `getfattr` child process                         | ~11 ms   |
 * | `fs.fstatSync`, for scale                        | ~0.6 µs  |
 *
 * The asynchronous binding costs more than a whole thread-pool round trip of `fs`, so the read paths call the
 * synchronous one right after an open or lstat of the same file (its inode is in the cache; an attribute
 * that did not fit in the inode is one more block, which a cold cache reads synchronously). Listings, which
 * may read thousands of cold attributes, use the asynchronous call and run many at once. The binding reads
 * by path, not by descriptor (`/proc/self/fd/N` names the link, not the file, for `lgetxattr`), so every
 * reader checks the attribute's stamp against `fstat` of its descriptor (object-meta.ts).
 *
 * The binding reports errors as `GenericFailure` with the OS error in the message (`… (os error 28)`); they
 * are turned back into errno errors here so the rest of the adapter maps them like any `fs` error.
 */
import { constants } from 'node:os';
import { getAttribute, getAttributeSync, removeAttributeSync, setAttributeSync } from '@napi-rs/xattr';

/** The attribute holding an object's metadata (object-meta.ts). */
export const META_ATTR = 'user.strata.meta';

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/** The binding's error as an errno error (`code`, `errno`, `syscall`), keeping it as the cause. */
function asErrno(e: unknown, syscall: string): Error {
  const message = e instanceof Error ? e.message : String(e);
  const n = Number(/\(os error (\d+)\)/.exec(message)?.[1]);
  const code = ERRNO_NAMES.get(n) ?? 'EIO';
  return Object.assign(new Error(`${code}: ${message.replace(/ \(os error \d+\)$/, '').toLowerCase()}, ${syscall}`), {
    code,
    errno: -n,
    syscall,
    cause: e,
  });
}

/** The attribute `name` of the file at `path` (a link is not followed); undefined when it has none. */
export function readAttrSync(path: string, name = META_ATTR): Buffer | undefined {
  try {
    return getAttributeSync(path, name) ?? undefined;
  } catch (e) {
    throw asErrno(e, 'lgetxattr');
  }
}

/** {@link readAttrSync} on the thread pool, for listings of many (possibly cold) files. */
export async function readAttr(path: string, name = META_ATTR): Promise<Buffer | undefined> {
  try {
    return (await getAttribute(path, name)) ?? undefined;
  } catch (e) {
    throw asErrno(e, 'lgetxattr');
  }
}

/** Sets the attribute `name` of the file at `path` (replacing it whole: readers see the old or the new value). */
export function writeAttrSync(path: string, value: Buffer | string, name = META_ATTR): void {
  try {
    setAttributeSync(path, name, value);
  } catch (e) {
    throw asErrno(e, 'lsetxattr');
  }
}

/** Removes the attribute `name` of the file at `path`; a missing attribute is no error. */
export function removeAttrSync(path: string, name = META_ATTR): void {
  try {
    removeAttributeSync(path, name);
  } catch (e) {
    const err = asErrno(e, 'lremovexattr') as NodeJS.ErrnoException;
    if (err.code !== 'ENODATA' && err.code !== 'ENOATTR') throw err;
  }
}

/**
 * Errors that mean "this attribute cannot be stored here" rather than a failed write: the file system has no
 * user attributes (EOPNOTSUPP/ENOTSUP, e.g. ramfs, some FUSE and NFS mounts), the value is too large for it
 * (E2BIG; ERANGE; ENOSPC when ext4's one attribute block is full), or attributes are refused (EPERM, EACCES
 * on files of other users). The metadata then goes to a metadata file (meta-files.ts).
 */
export function isAttrRefused(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EOPNOTSUPP' || code === 'ENOTSUP' || code === 'E2BIG' || code === 'ERANGE' || code === 'ENOSPC' || code === 'EPERM' || code === 'EACCES' || code === 'EDQUOT';
}
