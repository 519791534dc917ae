/**
 * The front wrapper: `createStorage(adapter)` turns the small adapter SPI into the full {@link Storage}
 * contract, once for every adapter, so no adapter repeats validation or fallbacks (like unstorage
 * `src/storage.ts` over its drivers). It:
 *
 * - validates keys and options and checks capabilities before any I/O (`InvalidKey`, `InvalidArgument`,
 *   `Unsupported`), and refuses work once the signal fired or the storage was closed;
 * - turns every body into a {@link PreparedBody} that hashes and verifies as the adapter reads it (without MD5
 *   for an adapter that declares `bodyMd5: 'unused'`, unless the caller passed `contentMd5`);
 * - re-checks read conditions on the info the adapter returned (so adapters may ignore them);
 * - pages listings over `scan` with opaque cursors (`list-pager.ts`);
 * - derives copy, deleteMany, setTags (`fallbacks.ts`) and multipart (`multipart-fallback.ts`) when the
 *   adapter lacks them, and exists, move and listAll (`composite.ts`) for every adapter;
 * - fills `op` and `key` on errors (which their messages then name) and translates anything that is not a
 *   {@link StorageError};
 * - publishes every call on its `strata:storage:<op>` tracing channel while someone subscribes (`tracing.ts`).
 */
import { StorageError, abortedError, hasErrorCode, throwIfAborted } from '../errors.ts';
import { toStorageError } from '../to-storage-error.ts';
import { MAX_KEY_BYTES, assertValidKey } from '../keys.ts';
import { checkReadConditions } from '../conditions.ts';
import { adapterWantsMd5, prepareBody } from '../body.ts';
import { isVisiblePrefix, listPage, scanOverList } from '../list-pager.ts';
import type { ScanFunction } from '../list-pager.ts';
import { copyViaGetPut, deleteManyViaLoop, setTagsViaRewrite, settle } from './fallbacks.ts';
import { listAllObjects, moveObject } from '../composite.ts';
import { traceOperation } from '../tracing.ts';
import type { TracedOperation } from '../tracing.ts';
import { MultipartFallback } from './multipart-fallback.ts';
import { FrontMultipart } from './multipart.ts';
import {
  normalizeUserMetadata,
  validateBodyOptions,
  validateCopyOptions,
  validateChecksumOptions,
  validateHeaders,
  validateLimit,
  validateRange,
  validateReadConditions,
  validateString,
  validateTagOption,
  validateWriteConditions,
} from './validate.ts';
import type { Capabilities } from '../capabilities.ts';
import type { AdapterPutOptions, StorageAdapter } from '../adapter.ts';
import type {
  Body,
  CompletedPart,
  CompleteMultipartOptions,
  CopyOptions,
  DeleteResult,
  GetOptions,
  GetResult,
  HeadOptions,
  ListAllOptions,
  ListItem,
  ListOptions,
  ListPartsOptions,
  ListPartsResult,
  ListResult,
  ListUploadsOptions,
  ListUploadsResult,
  MoveOptions,
  MultipartUpload,
  ObjectInfo,
  OperationOptions,
  PartInfo,
  PutOptions,
  ReadConditions,
  StartMultipartOptions,
  Storage,
  UploadPartOptions,
} from '../types.ts';

/** Options of {@link createStorage}. */
export interface CreateStorageOptions {
  /**
   * Where the multipart fallback stages parts, for adapters without native multipart. Keys under it are
   * reserved (`InvalidKey`) and never listed. Unused when the adapter implements multipart.
   * @default '.strata-multipart/'
   */
  multipartStagingPrefix?: string;
}

/** Whether any read condition is set: a plain get skips re-checking the info (a few µs per call, on every get). */
const hasReadConditions = (o: ReadConditions): boolean =>
  o.ifMatch !== undefined || o.ifNoneMatch !== undefined || o.ifModifiedSince !== undefined || o.ifUnmodifiedSince !== undefined;

const MULTIPART_METHODS = ['startMultipart', 'uploadPart', 'completeMultipart', 'abortMultipart', 'listParts', 'listMultipartUploads'] as const;

class FrontStorage implements Storage {
  readonly capabilities: Capabilities;
  #a: StorageAdapter;
  #closed = false;
  #hidden: string | undefined;
  /** The adapter's key limit in UTF-8 bytes when it is below the contract's, else undefined. */
  #maxKeyBytes: number | undefined;
  #multipart: FrontMultipart;
  /** Whether bodies are hashed with MD5 for the adapter (not when its medium computes the ETag: ~90 ms of CPU per 64 MiB). */
  #md5: boolean;

  constructor(adapter: StorageAdapter, options: CreateStorageOptions) {
    if (typeof adapter?.put !== 'function' || typeof adapter.get !== 'function' || typeof adapter.head !== 'function' || typeof adapter.delete !== 'function') {
      throw new TypeError('createStorage: the adapter must implement put, get, head and delete');
    }
    if (!adapter.scan && !adapter.list) throw new TypeError(`createStorage: adapter ${adapter.name} implements neither scan nor list`);
    const present = MULTIPART_METHODS.filter((m) => typeof adapter[m] === 'function');
    if (present.length !== 0 && present.length !== MULTIPART_METHODS.length) {
      throw new TypeError(`createStorage: adapter ${adapter.name} implements only some multipart methods (${present.join(', ')}); implement all six or none`);
    }
    const native = present.length === MULTIPART_METHODS.length;
    const maxKeyBytes = adapter.capabilities.maxKeyBytes;
    if (maxKeyBytes !== undefined && (!Number.isSafeInteger(maxKeyBytes) || maxKeyBytes < 1)) {
      throw new TypeError(`createStorage: adapter ${adapter.name} declares maxKeyBytes ${maxKeyBytes}; it must be a positive integer`);
    }
    this.#maxKeyBytes = maxKeyBytes !== undefined && maxKeyBytes < MAX_KEY_BYTES ? maxKeyBytes : undefined;
    this.#a = adapter;
    this.#md5 = adapterWantsMd5(adapter);
    this.capabilities = Object.freeze({
      ...adapter.capabilities,
      multipart: native ? adapter.capabilities.multipart : 'emulated',
      copy: adapter.copy ? adapter.capabilities.copy : 'emulated',
    });
    let fallback: MultipartFallback | undefined;
    if (!native) {
      const prefix = options.multipartStagingPrefix ?? '.strata-multipart/';
      assertValidKey(prefix, 'createStorage');
      this.#hidden = prefix;
      fallback = new MultipartFallback(adapter, prefix, this.#scan);
    }
    this.#multipart = new FrontMultipart(adapter, this.capabilities, fallback);
  }

  /** The adapter's scan, or one derived from its native list. */
  #scan: ScanFunction = (o) => (this.#a.scan ? this.#a.scan(o) : scanOverList(this.#a.list!.bind(this.#a), o));

  /** Runs one call: traced, refused once closed or aborted, its errors translated with `op` and `key`. */
  #run<T>(op: TracedOperation, key: string | undefined, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    return traceOperation(op, key, this.#a.name, () => this.#guard(op, key, signal, fn));
  }

  async #guard<T>(op: string, key: string | undefined, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      if (this.#closed) throw new StorageError('Unavailable', 'The storage is closed', { op, key, retryable: false });
      throwIfAborted(signal, op, key);
      return await fn();
    } catch (e) {
      throw toStorageError(e, op, key, signal);
    }
  }

  #key(key: unknown, op: string): asserts key is string {
    assertValidKey(key, op);
    const max = this.#maxKeyBytes;
    // A UTF-16 code unit is at most 3 UTF-8 bytes, so short keys skip the byte count.
    if (max !== undefined && key.length * 3 > max) {
      const bytes = Buffer.byteLength(key, 'utf8');
      if (bytes > max) {
        throw new StorageError('InvalidKey', `Invalid key: this storage takes keys of at most ${max} UTF-8 bytes (got ${bytes})`, { op, key });
      }
    }
    if (this.#hidden !== undefined && key.startsWith(this.#hidden)) {
      throw new StorageError('InvalidKey', `Keys under ${this.#hidden} are reserved for multipart staging`, { op, key });
    }
  }

  put(key: string, body: Body, options: PutOptions = {}): Promise<ObjectInfo> {
    return this.#run('put', key, options.signal, async () => {
      this.#key(key, 'put');
      const caps = this.capabilities;
      validateHeaders(options, 'put', key);
      validateTagOption(options.tags, caps, 'put', key);
      validateWriteConditions(options, caps, 'put', key);
      validateChecksumOptions(options, caps, 'put', key);
      validateBodyOptions(options, caps, 'put', key);
      const { expectedChecksums, contentMd5, contentLength, checksumAlgorithms, ...rest } = options;
      const adapterOptions: AdapterPutOptions = { ...rest, userMetadata: normalizeUserMetadata(options.userMetadata, 'put', key) ?? {}, tags: { ...options.tags } };
      const prepared = prepareBody(body, { checksumAlgorithms, expectedChecksums, contentMd5, contentLength, signal: options.signal, md5: this.#md5 });
      try {
        return await this.#a.put(key, prepared, adapterOptions);
      } finally {
        settle(prepared);
      }
    });
  }

  get(key: string, options: GetOptions = {}): Promise<GetResult> {
    return this.#run('get', key, options.signal, async () => {
      this.#key(key, 'get');
      validateRange(options.range, 'get', key);
      validateReadConditions(options, 'get', key);
      const result = await this.#a.get(key, { ...options });
      if (hasReadConditions(options)) {
        try {
          checkReadConditions(result.info, options, 'get');
        } catch (e) {
          result.body.destroy();
          throw e;
        }
      }
      const { signal } = options;
      if (signal) {
        // The signal also covers the returned stream: aborting later fails the read with `Aborted`.
        const onAbort = () => result.body.destroy(abortedError(signal, 'get', key));
        signal.addEventListener('abort', onAbort, { once: true });
        result.body.once('close', () => signal.removeEventListener('abort', onAbort));
      }
      return result;
    });
  }

  head(key: string, options: HeadOptions = {}): Promise<ObjectInfo> {
    return this.#run('head', key, options.signal, async () => {
      this.#key(key, 'head');
      validateReadConditions(options, 'head', key);
      const info = await this.#a.head(key, { ...options });
      if (hasReadConditions(options)) checkReadConditions(info, options, 'head');
      return info;
    });
  }

  delete(key: string, options: OperationOptions = {}): Promise<void> {
    return this.#run('delete', key, options.signal, async () => {
      this.#key(key, 'delete');
      await this.#a.delete(key, { ...options });
    });
  }

  deleteMany(keys: string[], options: OperationOptions = {}): Promise<DeleteResult[]> {
    return this.#run('deleteMany', undefined, options.signal, async () => {
      if (!Array.isArray(keys)) throw new StorageError('InvalidArgument', 'deleteMany takes an array of keys');
      const results: DeleteResult[] = new Array<DeleteResult>(keys.length);
      const valid: number[] = [];
      keys.forEach((key, i) => {
        try {
          this.#key(key, 'deleteMany');
          valid.push(i);
        } catch (e) {
          results[i] = { key, ok: false, error: toStorageError(e, 'deleteMany', key) };
        }
      });
      const validKeys = valid.map((i) => keys[i]!);
      const done = this.#a.deleteMany
        ? await this.#a.deleteMany(validKeys, { ...options })
        : await deleteManyViaLoop(this.#a, validKeys, options, (e, key) => toStorageError(e, 'deleteMany', key, options.signal));
      if (done.length !== validKeys.length) throw new StorageError('Corrupted', `Adapter ${this.#a.name} returned ${done.length} results for ${validKeys.length} keys`);
      valid.forEach((i, j) => {
        const r = done[j]!;
        results[i] = r.ok ? { key: keys[i]!, ok: true } : { key: keys[i]!, ok: false, error: toStorageError(r.error, 'deleteMany', keys[i]) };
      });
      return results;
    });
  }

  list(options: ListOptions = {}): Promise<ListResult> {
    return this.#run('list', undefined, options.signal, async () => {
      validateString(options.prefix, 'prefix', 'list');
      validateString(options.delimiter, 'delimiter', 'list');
      validateString(options.startAfter, 'startAfter', 'list');
      validateString(options.cursor, 'cursor', 'list');
      validateLimit(options.limit, 'list');
      const hidden = this.#hidden;
      if (this.#a.list) {
        const page = await this.#a.list({ ...options });
        if (hidden === undefined) return page;
        const prefixes: string[] = [];
        for (const p of page.prefixes) if (await isVisiblePrefix(this.#scan, p, hidden, options.signal)) prefixes.push(p);
        return { ...page, items: page.items.filter((i: ListItem) => !i.key.startsWith(hidden)), prefixes };
      }
      return listPage(this.#scan, { ...options, hiddenPrefix: hidden });
    });
  }

  copy(source: string, destination: string, options: CopyOptions = {}): Promise<ObjectInfo> {
    return this.#run('copy', destination, options.signal, async () => {
      this.#key(source, 'copy');
      this.#key(destination, 'copy');
      validateCopyOptions(options, this.capabilities, 'copy', source, destination);
      validateRange(options.range, 'copy', source);
      const opts: CopyOptions = { ...options };
      if (options.metadataDirective === 'replace') {
        opts.userMetadata = normalizeUserMetadata(options.userMetadata, 'copy', destination) ?? {};
        opts.tags = { ...options.tags };
      }
      try {
        return await (this.#a.copy ? this.#a.copy(source, destination, opts) : copyViaGetPut(this.#a, source, destination, opts));
      } catch (e) {
        // A copy has no "not modified" answer: S3's CopyObject fails every unmet x-amz-copy-source-if-* with
        // 412 (AWS CopyObject, "x-amz-copy-source-if-none-match"), so NotModified becomes PreconditionFailed.
        if (hasErrorCode(e, 'NotModified')) {
          throw new StorageError('PreconditionFailed', `A copy-source condition did not hold: ${e.message}`, { op: 'copy', key: source, cause: e });
        }
        throw e;
      }
    });
  }

  exists(key: string, options: OperationOptions = {}): Promise<boolean> {
    return this.#run('exists', key, options.signal, async () => {
      this.#key(key, 'exists');
      try {
        await this.#a.head(key, { signal: options.signal });
        return true;
      } catch (e) {
        if (hasErrorCode(e, 'NotFound')) return false;
        throw e;
      }
    });
  }

  move(source: string, destination: string, options: MoveOptions = {}): Promise<ObjectInfo> {
    return this.#run('move', destination, options.signal, async () => {
      // Everything the steps would refuse is refused before the first of them does any I/O.
      this.#key(source, 'move');
      this.#key(destination, 'move');
      validateCopyOptions(options, this.capabilities, 'move', source, destination);
      return moveObject(this, source, destination, options);
    });
  }

  listAll(options: ListAllOptions = {}): AsyncIterable<ListItem> {
    return listAllObjects(this, options);
  }

  setTags(key: string, tags: Record<string, string>, options: OperationOptions & { ifMatch?: string } = {}): Promise<ObjectInfo> {
    return this.#run('setTags', key, options.signal, async () => {
      this.#key(key, 'setTags');
      validateTagOption(tags, this.capabilities, 'setTags', key);
      if (!this.capabilities.tags) throw new StorageError('Unsupported', 'This storage does not support tags');
      if (options.ifMatch !== undefined && typeof options.ifMatch !== 'string') throw new StorageError('InvalidArgument', 'ifMatch must be a string');
      return this.#a.setTags ? this.#a.setTags(key, { ...tags }, { ...options }) : setTagsViaRewrite(this.#a, key, tags, options);
    });
  }

  startMultipart(key: string, options: StartMultipartOptions = {}): Promise<MultipartUpload> {
    return this.#run('startMultipart', key, options.signal, async () => {
      this.#key(key, 'startMultipart');
      return this.#multipart.start(key, options);
    });
  }

  uploadPart(key: string, uploadId: string, partNumber: number, body: Body, options: UploadPartOptions = {}): Promise<PartInfo> {
    return this.#run('uploadPart', key, options.signal, async () => {
      this.#key(key, 'uploadPart');
      return this.#multipart.uploadPart(key, uploadId, partNumber, body, options);
    });
  }

  completeMultipart(key: string, uploadId: string, parts: CompletedPart[], options: CompleteMultipartOptions = {}): Promise<ObjectInfo> {
    return this.#run('completeMultipart', key, options.signal, async () => {
      this.#key(key, 'completeMultipart');
      return this.#multipart.complete(key, uploadId, parts, options);
    });
  }

  abortMultipart(key: string, uploadId: string, options: OperationOptions = {}): Promise<void> {
    return this.#run('abortMultipart', key, options.signal, async () => {
      this.#key(key, 'abortMultipart');
      return this.#multipart.abort(key, uploadId, options);
    });
  }

  listParts(key: string, uploadId: string, options: ListPartsOptions = {}): Promise<ListPartsResult> {
    return this.#run('listParts', key, options.signal, async () => {
      this.#key(key, 'listParts');
      return this.#multipart.listParts(key, uploadId, options);
    });
  }

  listMultipartUploads(options: ListUploadsOptions = {}): Promise<ListUploadsResult> {
    return this.#run('listMultipartUploads', undefined, options.signal, async () => this.#multipart.listUploads(options));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#a.close?.();
    } catch (e) {
      throw toStorageError(e, 'close');
    }
  }
}

/**
 * Wraps an adapter into the full {@link Storage} contract (see the module comment for what the wrapper does).
 * Throws `TypeError` at once when the adapter lacks a required method or implements only part of multipart.
 */
export function createStorage(adapter: StorageAdapter, options: CreateStorageOptions = {}): Storage {
  return new FrontStorage(adapter, options);
}
