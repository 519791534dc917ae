/**
 * Generic derivations of the optional operations for adapters that lack them (like object_store's
 * `ObjectStoreExt` and unstorage's derived methods): copy as get + put, deleteMany as a bounded-concurrency
 * loop, setTags as a compare-and-swap rewrite. They keep the contract's semantics — source conditions,
 * destination conditions, per-key results — at the cost of moving the bytes through this process.
 */
import { isStorageError, throwIfAborted } from '../errors.ts';
import type { StorageError } from '../errors.ts';
import { checkReadConditions } from '../conditions.ts';
import { adapterWantsMd5, prepareBody } from '../body.ts';
import { pickStandardHeaders } from '../standard-headers.ts';
import type { AdapterPutOptions, PreparedBody, StorageAdapter } from '../adapter.ts';
import type { ChecksumAlgorithm, CopyOptions, DeleteResult, ObjectInfo, OperationOptions } from '../types.ts';


/** Destroys a prepared body's stream unless it was read to its end (which also releases the caller's source). */
export function settle(body: PreparedBody): void {
  if (!body.stream.readableEnded && !body.stream.destroyed) body.stream.destroy();
}

/**
 * Runs a derived operation so its errors name the operation the caller made (`copy`, not the inner `get`),
 * and, when `key` is given, the caller's key instead of an internal one.
 */
export async function asOperation<T>(op: string, key: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isStorageError(e)) {
      e.op = op;
      if (key !== undefined) e.key = key;
    }
    throw e;
  }
}

/** Copy as get + put: source conditions checked on the read info, the put carries destination conditions. */
export function copyViaGetPut(adapter: StorageAdapter, source: string, destination: string, options: CopyOptions): Promise<ObjectInfo> {
  return asOperation('copy', undefined, () => copyInner(adapter, source, destination, options));
}

async function copyInner(adapter: StorageAdapter, source: string, destination: string, options: CopyOptions): Promise<ObjectInfo> {
  const { signal } = options;
  const read = await adapter.get(source, { ...options.source, range: options.range, signal });
  try {
    checkReadConditions(read.info, options.source ?? {}, 'copy');
  } catch (e) {
    read.body.destroy();
    throw e;
  }
  const replace = options.metadataDirective === 'replace';
  const meta = replace ? options : read.info;
  const algorithms = adapter.capabilities.checksums ? (Object.keys(read.info.checksums ?? {}) as ChecksumAlgorithm[]) : [];
  const body = prepareBody(read.body, { checksumAlgorithms: algorithms, signal, md5: adapterWantsMd5(adapter) });
  const put: AdapterPutOptions = { ...pickStandardHeaders(meta), userMetadata: { ...meta.userMetadata }, tags: { ...meta.tags }, signal };
  if (options.ifNoneMatch !== undefined) put.ifNoneMatch = options.ifNoneMatch;
  if (options.ifMatch !== undefined) put.ifMatch = options.ifMatch;
  try {
    return await adapter.put(destination, body, put);
  } finally {
    settle(body);
  }
}

/** The most deletes a fallback deleteMany runs at once. */
export const DELETE_CONCURRENCY = 8;

/**
 * deleteMany as a loop of deletes, `DELETE_CONCURRENCY` at a time; one result per key in input order. A failure
 * of one key is its result; an abort fails the whole call.
 */
export async function deleteManyViaLoop(
  adapter: StorageAdapter,
  keys: string[],
  options: OperationOptions,
  translate: (e: unknown, key: string) => StorageError,
): Promise<DeleteResult[]> {
  const results: DeleteResult[] = new Array<DeleteResult>(keys.length);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const i = next++;
      const key = keys[i]!;
      throwIfAborted(options.signal, 'deleteMany', key);
      try {
        await adapter.delete(key, { signal: options.signal });
        results[i] = { key, ok: true };
      } catch (e) {
        const error = translate(e, key);
        if (error.code === 'Aborted') throw error;
        results[i] = { key, ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, keys.length) }, worker));
  return results;
}

/** How many times the setTags fallback retries when a concurrent writer changed the object. */
export const SET_TAGS_ATTEMPTS = 5;

/**
 * setTags as a rewrite of the object with new tags, guarded by `ifMatch` on the ETag just read so a concurrent
 * overwrite is never lost; retried a few times on such a conflict unless the caller gave its own `ifMatch`.
 * Limitation: the rewrite gives the object a new Last-Modified, and a multipart object a single-part ETag.
 */
export function setTagsViaRewrite(
  adapter: StorageAdapter,
  key: string,
  tags: Record<string, string>,
  options: OperationOptions & { ifMatch?: string },
): Promise<ObjectInfo> {
  return asOperation('setTags', key, () => setTagsInner(adapter, key, tags, options));
}

async function setTagsInner(
  adapter: StorageAdapter,
  key: string,
  tags: Record<string, string>,
  options: OperationOptions & { ifMatch?: string },
): Promise<ObjectInfo> {
  const { signal } = options;
  for (let attempt = 1; ; attempt++) {
    const read = await adapter.get(key, { signal });
    if (options.ifMatch !== undefined) {
      try {
        checkReadConditions(read.info, { ifMatch: options.ifMatch }, 'setTags');
      } catch (e) {
        read.body.destroy();
        throw e;
      }
    }
    const algorithms = adapter.capabilities.checksums ? (Object.keys(read.info.checksums ?? {}) as ChecksumAlgorithm[]) : [];
    const body = prepareBody(read.body, { checksumAlgorithms: algorithms, signal, md5: adapterWantsMd5(adapter) });
    const put: AdapterPutOptions = { ...pickStandardHeaders(read.info), userMetadata: { ...read.info.userMetadata }, tags: { ...tags }, signal };
    if (adapter.capabilities.conditionalPut) put.ifMatch = read.info.etag;
    try {
      return await adapter.put(key, body, put);
    } catch (e) {
      const conflict = isStorageError(e) && e.code === 'PreconditionFailed';
      if (!conflict || options.ifMatch !== undefined || attempt >= SET_TAGS_ATTEMPTS) throw e;
    } finally {
      settle(body);
    }
  }
}
