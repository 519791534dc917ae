/**
 * The base of every layer: a {@link Storage} that forwards every method to an inner one through three hooks
 * (`invoke` around each call, `wrapBody` on put/uploadPart bodies, `wrapGet` on get results). A layer
 * overrides the hooks it needs and inherits the forwarding of everything else, so no method — and no fast
 * path such as native copy or deleteMany — is silently lost (like object_store's `throttle.rs`/`limit.rs`).
 *
 * `move` and `listAll` are composed of other calls, and a layer composes them over its own methods
 * (`composite.ts`) rather than forwarding them: each step then passes through the layer — a namespace maps
 * both keys, a cache evicts both, a retry repeats one failed step instead of replaying a half-done move —
 * and no fast path is lost, as no adapter moves or lists in one call. `move` still goes through `invoke` once
 * as a whole (a read-only layer refuses it before any I/O; metrics count it), marked not replayable.
 */
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
  StartMultipartOptions,
  Storage,
  UploadPartOptions,
} from '../types.ts';
import type { Capabilities } from '../capabilities.ts';
import { listAllObjects, moveObject } from '../composite.ts';

/**
 * The name of every call of {@link Storage} (operations, as layers see them). `listAll` is not one: it is a
 * loop of `list` calls, each seen (and metered, retried, delayed) as a `list`.
 */
export type StorageOperation = Exclude<keyof Storage, 'capabilities' | 'listAll'>;

/** Every operation of the contract, in declaration order. Layers use it to size per-operation tables. */
export const STORAGE_OPERATIONS: readonly StorageOperation[] = Object.freeze([
  'put',
  'get',
  'head',
  'exists',
  'delete',
  'deleteMany',
  'list',
  'copy',
  'move',
  'setTags',
  'startMultipart',
  'uploadPart',
  'completeMultipart',
  'abortMultipart',
  'listParts',
  'listMultipartUploads',
  'close',
] satisfies StorageOperation[]);

/** Operations that change stored state (what a read-only layer refuses). */
export const WRITE_OPERATIONS: ReadonlySet<StorageOperation> = new Set<StorageOperation>([
  'put',
  'delete',
  'deleteMany',
  'copy',
  'move',
  'setTags',
  'startMultipart',
  'uploadPart',
  'completeMultipart',
  'abortMultipart',
]);

/** What `invoke` knows about a call. */
export interface CallInfo {
  op: StorageOperation;
  /** The key concerned (the destination for copy and move), if any. */
  key: string | undefined;
  signal: AbortSignal | undefined;
  /**
   * Whether the call may be made again as a whole: false for put/uploadPart with a one-shot stream body, and
   * for move (its steps are calls of their own, each retried alone).
   */
  replayable: boolean;
}

/** True for bodies that can be read more than once: bytes and strings. */
export function isReplayableBody(body: Body): body is Uint8Array | string {
  return typeof body === 'string' || body instanceof Uint8Array;
}

/** A {@link Storage} forwarding every method to `inner`; subclasses override the hooks. */
export class ForwardingStorage implements Storage {
  readonly #inner: Storage;

  constructor(inner: Storage) {
    this.#inner = inner;
  }

  /** The wrapped storage. */
  protected get inner(): Storage {
    return this.#inner;
  }

  get capabilities(): Capabilities {
    return this.#inner.capabilities;
  }

  /** Runs one forwarded call. Override to time, retry, delay or refuse calls. */
  protected invoke<T>(_call: CallInfo, run: () => Promise<T>): Promise<T> {
    return run();
  }

  /** Maps a put/uploadPart body before it is forwarded (count or throttle bytes). */
  protected wrapBody(_op: 'put' | 'uploadPart', body: Body, _signal: AbortSignal | undefined): Body {
    return body;
  }

  /** Maps a get result before it is returned (count or throttle bytes out). */
  protected wrapGet(result: GetResult, _signal: AbortSignal | undefined): GetResult {
    return result;
  }

  #call<T>(op: StorageOperation, key: string | undefined, signal: AbortSignal | undefined, run: () => Promise<T>, replayable = true): Promise<T> {
    try {
      return this.invoke({ op, key, signal, replayable }, run);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  put(key: string, body: Body, options: PutOptions = {}): Promise<ObjectInfo> {
    return this.#call('put', key, options.signal, () => this.#inner.put(key, this.wrapBody('put', body, options.signal), options), isReplayableBody(body));
  }

  get(key: string, options: GetOptions = {}): Promise<GetResult> {
    return this.#call('get', key, options.signal, async () => this.wrapGet(await this.#inner.get(key, options), options.signal));
  }

  head(key: string, options: HeadOptions = {}): Promise<ObjectInfo> {
    return this.#call('head', key, options.signal, () => this.#inner.head(key, options));
  }

  delete(key: string, options: OperationOptions = {}): Promise<void> {
    return this.#call('delete', key, options.signal, () => this.#inner.delete(key, options));
  }

  deleteMany(keys: string[], options: OperationOptions = {}): Promise<DeleteResult[]> {
    return this.#call('deleteMany', undefined, options.signal, () => this.#inner.deleteMany(keys, options));
  }

  list(options: ListOptions = {}): Promise<ListResult> {
    return this.#call('list', undefined, options.signal, () => this.#inner.list(options));
  }

  copy(source: string, destination: string, options: CopyOptions = {}): Promise<ObjectInfo> {
    return this.#call('copy', destination, options.signal, () => this.#inner.copy(source, destination, options));
  }

  exists(key: string, options: OperationOptions = {}): Promise<boolean> {
    return this.#call('exists', key, options.signal, () => this.#inner.exists(key, options));
  }

  move(source: string, destination: string, options: MoveOptions = {}): Promise<ObjectInfo> {
    return this.#call('move', destination, options.signal, () => moveObject(this, source, destination, options), false);
  }

  listAll(options: ListAllOptions = {}): AsyncIterable<ListItem> {
    return listAllObjects(this, options);
  }

  setTags(key: string, tags: Record<string, string>, options: OperationOptions & { ifMatch?: string } = {}): Promise<ObjectInfo> {
    return this.#call('setTags', key, options.signal, () => this.#inner.setTags(key, tags, options));
  }

  startMultipart(key: string, options: StartMultipartOptions = {}): Promise<MultipartUpload> {
    return this.#call('startMultipart', key, options.signal, () => this.#inner.startMultipart(key, options));
  }

  uploadPart(key: string, uploadId: string, partNumber: number, body: Body, options: UploadPartOptions = {}): Promise<PartInfo> {
    return this.#call(
      'uploadPart',
      key,
      options.signal,
      () => this.#inner.uploadPart(key, uploadId, partNumber, this.wrapBody('uploadPart', body, options.signal), options),
      isReplayableBody(body),
    );
  }

  completeMultipart(key: string, uploadId: string, parts: CompletedPart[], options: CompleteMultipartOptions = {}): Promise<ObjectInfo> {
    return this.#call('completeMultipart', key, options.signal, () => this.#inner.completeMultipart(key, uploadId, parts, options));
  }

  abortMultipart(key: string, uploadId: string, options: OperationOptions = {}): Promise<void> {
    return this.#call('abortMultipart', key, options.signal, () => this.#inner.abortMultipart(key, uploadId, options));
  }

  listParts(key: string, uploadId: string, options: ListPartsOptions = {}): Promise<ListPartsResult> {
    return this.#call('listParts', key, options.signal, () => this.#inner.listParts(key, uploadId, options));
  }

  listMultipartUploads(options: ListUploadsOptions = {}): Promise<ListUploadsResult> {
    return this.#call('listMultipartUploads', undefined, options.signal, () => this.#inner.listMultipartUploads(options));
  }

  close(): Promise<void> {
    return this.#call('close', undefined, undefined, () => this.#inner.close());
  }
}
