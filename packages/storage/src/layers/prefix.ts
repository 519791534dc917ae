/**
 * `withPrefix`: namespacing — every key is stored as `prefix + key`, and listed, returned and reported back
 * without the prefix (like object_store's `PrefixStore`, `prefix.rs`). Listings, multipart uploads and error
 * keys are all mapped, so a service cannot see or reach anything outside its namespace.
 *
 * Limitations: the inner storage's key limit applies to `prefix + key`, so keys longer than
 * 2048 − byteLength(prefix) bytes fail with `InvalidKey`.
 */
import { isStorageError, StorageError } from '../errors.ts';
import type { Capabilities } from '../capabilities.ts';
import { assertValidKey, isValidKey, keyProblem, MAX_KEY_BYTES } from '../keys.ts';
import type {
  Body,
  CompletedPart,
  CompleteMultipartOptions,
  CopyOptions,
  DeleteResult,
  GetOptions,
  GetResult,
  HeadOptions,
  ListOptions,
  ListPartsOptions,
  ListPartsResult,
  ListResult,
  ListUploadsOptions,
  ListUploadsResult,
  MultipartUpload,
  ObjectInfo,
  OperationOptions,
  PartInfo,
  PutOptions,
  StartMultipartOptions,
  Storage,
  UploadPartOptions,
} from '../types.ts';
import { ForwardingStorage } from './forwarding.ts';

class PrefixStorage extends ForwardingStorage {
  readonly #p: string;
  readonly #caps: Capabilities;

  constructor(inner: Storage, prefix: string) {
    super(inner);
    this.#p = prefix;
    // The inner limit applies to `prefix + key`: say so, so callers (and the contract suite) know the
    // longest key this namespace takes instead of discovering it through InvalidKey.
    const innerMax = Math.min(inner.capabilities.maxKeyBytes ?? MAX_KEY_BYTES, MAX_KEY_BYTES);
    this.#caps = Object.freeze({ ...inner.capabilities, maxKeyBytes: innerMax - Buffer.byteLength(prefix, 'utf8') });
  }

  override get capabilities(): Capabilities {
    return this.#caps;
  }

  #in(key: string, op: string): string {
    assertValidKey(key, op);
    return this.#p + key;
  }

  #out(key: string): string {
    return key.startsWith(this.#p) ? key.slice(this.#p.length) : key;
  }

  #info<T extends { key: string }>(x: T): T {
    return { ...x, key: this.#out(x.key) };
  }

  /** Runs `fn`, rewriting the key of a thrown StorageError so the prefix never leaks. */
  async #run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isStorageError(e) && e.key !== undefined) e.key = this.#out(e.key);
      throw e;
    }
  }

  override put(key: string, body: Body, options?: PutOptions): Promise<ObjectInfo> {
    return this.#run(async () => this.#info(await this.inner.put(this.#in(key, 'put'), body, options)));
  }

  override get(key: string, options?: GetOptions): Promise<GetResult> {
    return this.#run(async () => {
      const r = await this.inner.get(this.#in(key, 'get'), options);
      return { ...r, info: this.#info(r.info) };
    });
  }

  override head(key: string, options?: HeadOptions): Promise<ObjectInfo> {
    return this.#run(async () => this.#info(await this.inner.head(this.#in(key, 'head'), options)));
  }

  override delete(key: string, options?: OperationOptions): Promise<void> {
    return this.#run(() => this.inner.delete(this.#in(key, 'delete'), options));
  }

  override deleteMany(keys: string[], options?: OperationOptions): Promise<DeleteResult[]> {
    return this.#run(async () => {
      // Invalid keys are answered here (they must never become valid by gaining the prefix).
      const valid = keys.filter((k) => isValidKey(k));
      const inner = await this.inner.deleteMany(
        valid.map((k) => this.#p + k),
        options,
      );
      let i = 0;
      return keys.map((key): DeleteResult => {
        if (!isValidKey(key)) {
          return { key, ok: false, error: new StorageError('InvalidKey', `Invalid key: ${keyProblem(key)}`, { op: 'deleteMany', key }) };
        }
        const r = inner[i++];
        if (!r) return { key, ok: false, error: new StorageError('Unavailable', 'deleteMany returned too few results', { op: 'deleteMany', key }) };
        if (!r.ok && isStorageError(r.error) && r.error.key !== undefined) r.error.key = this.#out(r.error.key);
        return r.ok ? { key, ok: true } : { key, ok: false, error: r.error };
      });
    });
  }

  override list(options: ListOptions = {}): Promise<ListResult> {
    return this.#run(async () => {
      const r = await this.inner.list({
        ...options,
        prefix: this.#p + (options.prefix ?? ''),
        startAfter: options.startAfter === undefined ? undefined : this.#p + options.startAfter,
      });
      return { ...r, items: r.items.map((i) => this.#info(i)), prefixes: r.prefixes.map((p) => this.#out(p)) };
    });
  }

  override exists(key: string, options?: OperationOptions): Promise<boolean> {
    return this.#run(() => this.inner.exists(this.#in(key, 'exists'), options));
  }

  override copy(source: string, destination: string, options?: CopyOptions): Promise<ObjectInfo> {
    return this.#run(async () => this.#info(await this.inner.copy(this.#in(source, 'copy'), this.#in(destination, 'copy'), options)));
  }

  override setTags(key: string, tags: Record<string, string>, options?: OperationOptions & { ifMatch?: string }): Promise<ObjectInfo> {
    return this.#run(async () => this.#info(await this.inner.setTags(this.#in(key, 'setTags'), tags, options)));
  }

  override startMultipart(key: string, options?: StartMultipartOptions): Promise<MultipartUpload> {
    return this.#run(async () => this.#info(await this.inner.startMultipart(this.#in(key, 'startMultipart'), options)));
  }

  override uploadPart(key: string, uploadId: string, partNumber: number, body: Body, options?: UploadPartOptions): Promise<PartInfo> {
    return this.#run(() => this.inner.uploadPart(this.#in(key, 'uploadPart'), uploadId, partNumber, body, options));
  }

  override completeMultipart(key: string, uploadId: string, parts: CompletedPart[], options?: CompleteMultipartOptions): Promise<ObjectInfo> {
    return this.#run(async () => this.#info(await this.inner.completeMultipart(this.#in(key, 'completeMultipart'), uploadId, parts, options)));
  }

  override abortMultipart(key: string, uploadId: string, options?: OperationOptions): Promise<void> {
    return this.#run(() => this.inner.abortMultipart(this.#in(key, 'abortMultipart'), uploadId, options));
  }

  override listParts(key: string, uploadId: string, options?: ListPartsOptions): Promise<ListPartsResult> {
    return this.#run(() => this.inner.listParts(this.#in(key, 'listParts'), uploadId, options));
  }

  override listMultipartUploads(options: ListUploadsOptions = {}): Promise<ListUploadsResult> {
    return this.#run(async () => {
      const r = await this.inner.listMultipartUploads({
        ...options,
        prefix: this.#p + (options.prefix ?? ''),
        keyMarker: options.keyMarker === undefined ? undefined : this.#p + options.keyMarker,
      });
      return {
        ...r,
        uploads: r.uploads.map((u) => this.#info(u)),
        prefixes: r.prefixes.map((p) => this.#out(p)),
        nextKeyMarker: r.nextKeyMarker === undefined ? undefined : this.#out(r.nextKeyMarker),
      };
    });
  }
}

/**
 * Wraps `storage` so this view sees only keys under `prefix` (typically ending in `/`), without the prefix.
 * Throws `TypeError` at once unless `prefix` is a string without NUL.
 */
export function withPrefix(storage: Storage, prefix: string): Storage {
  if (typeof prefix !== 'string' || prefix.includes('\0') || !prefix.isWellFormed()) {
    throw new TypeError('withPrefix: prefix must be a well-formed string without NUL');
  }
  return new PrefixStorage(storage, prefix);
}
