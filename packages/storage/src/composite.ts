/**
 * Operations composed of other contract calls, written once over any {@link Storage}: `move` (head, a copy
 * pinned to the version read, head again, delete) and `listAll` (one `list` call per page). The front
 * wrapper and the layers run them over themselves, so every step passes through what each adds: key and
 * option validation, retries, cache invalidation, namespacing, metrics and traces.
 *
 * S3 has no move either: the AWS S3 User Guide, "Copying, moving, and renaming objects", moves by CopyObject
 * then DeleteObject. The steps here add what makes that safe to retry and safe under concurrent writers (see
 * `Storage.move` for the full statement).
 */
import { StorageError, hasErrorCode, isStorageError, throwIfAborted } from './errors.ts';
import { assertValidKey } from './keys.ts';
import type { ListAllOptions, ListItem, MoveOptions, ObjectInfo, Storage } from './types.ts';

/** The largest page `listAll` asks for: S3's ListObjectsV2 MaxKeys ceiling, as for `list`. */
const MAX_PAGE_SIZE = 1000;

/** Runs `fn` so the errors it throws name `op` — the operation the caller made, not the inner step. */
async function as<T>(op: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isStorageError(e)) e.op = op;
    throw e;
  }
}

/** The same object version: a rewrite with the same bytes still changes Last-Modified. */
const sameVersion = (a: ObjectInfo, b: ObjectInfo): boolean => a.etag === b.etag && a.lastModified.getTime() === b.lastModified.getTime();

/**
 * `Storage.move` over any storage's own head, copy and delete (semantics on `Storage.move`). Validates both
 * keys and the options that make a move unsafe (a range, the same key twice) before any I/O.
 */
export function moveObject(storage: Storage, source: string, destination: string, options: MoveOptions = {}): Promise<ObjectInfo> {
  return as('move', async () => {
    assertValidKey(source, 'move');
    assertValidKey(destination, 'move');
    if ((options as { range?: unknown }).range !== undefined) {
      throw new StorageError('InvalidArgument', 'A move takes no range: the rest of the source would be deleted', { op: 'move', key: source });
    }
    if (source === destination) {
      // Copying an object onto itself and then deleting the source would delete the only copy.
      throw new StorageError('InvalidArgument', 'The source and the destination of a move are the same key', { op: 'move', key: source });
    }
    const { signal, source: conditions, ...copyOptions } = options;
    const before = await headForCopy(storage, source, { ...conditions, signal });
    // Pinned to the version just read (and checked against the caller's conditions): a source overwritten
    // since then fails the copy with PreconditionFailed, and nothing has changed.
    const copied = await storage.copy(source, destination, { ...copyOptions, source: { ifMatch: before.etag }, signal });
    let now: ObjectInfo;
    try {
      now = await storage.head(source, { signal });
    } catch (e) {
      // Deleted meanwhile by someone else: the move's outcome holds (the destination has the data).
      if (hasErrorCode(e, 'NotFound')) return copied;
      throw e;
    }
    if (!sameVersion(now, before)) {
      throw new StorageError('PreconditionFailed', 'The source was overwritten during the move: it was kept, and the destination holds the version copied before', {
        op: 'move',
        key: source,
      });
    }
    await storage.delete(source, { signal });
    return copied;
  });
}

/** head with copy-source conditions: a copy has no "not modified" answer (AWS CopyObject), so that is a 412. */
async function headForCopy(storage: Storage, key: string, options: Parameters<Storage['head']>[1]): Promise<ObjectInfo> {
  try {
    return await storage.head(key, options);
  } catch (e) {
    if (hasErrorCode(e, 'NotModified')) {
      throw new StorageError('PreconditionFailed', `A source condition did not hold: ${e.detail}`, { op: 'move', key, cause: e });
    }
    throw e;
  }
}

/** Throws `InvalidArgument` unless `value` is undefined or an integer in [1, max]. */
function validateCount(value: unknown, name: string, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new StorageError('InvalidArgument', `${name} must be an integer from 1${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}`, { op: 'listAll' });
  }
}

/**
 * `Storage.listAll` over any storage's own `list`: the objects of every page in order, at most `limit` of
 * them, checking the signal before each page and each item. Errors name `listAll`.
 */
export async function* listAllObjects(storage: Storage, options: ListAllOptions = {}): AsyncGenerator<ListItem, void, undefined> {
  const { prefix, startAfter, signal } = options;
  try {
    validateCount(options.limit, 'limit', Number.MAX_SAFE_INTEGER);
    validateCount(options.pageSize, 'pageSize', MAX_PAGE_SIZE);
    let left = options.limit ?? Number.POSITIVE_INFINITY;
    const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    let cursor: string | undefined;
    do {
      throwIfAborted(signal, 'listAll');
      const limit = Math.min(pageSize, left);
      // startAfter only opens the listing: the cursor carries the position from then on.
      const page = await storage.list(cursor === undefined ? { prefix, startAfter, limit, signal } : { prefix, cursor, limit, signal });
      for (const item of page.items) {
        throwIfAborted(signal, 'listAll');
        yield item;
        if (--left === 0) return;
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
  } catch (e) {
    if (isStorageError(e)) e.op = 'listAll';
    throw e;
  }
}
