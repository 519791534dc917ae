/**
 * The memory adapter: the whole contract, natively, in one process's memory.
 *
 * **Semantics.** Objects are lists of immutable Buffers; a put drains its prepared body (which verifies
 * digests and length before ending) and only then commits, in one synchronous step that also checks the put
 * conditions — JavaScript runs that step without interleaving, so conditional puts are atomic against
 * concurrent writers and a reader sees the old object or the new one. Keys live in a sorted index in UTF-8
 * byte order; scans binary-search their position, and `skipDescendants` jumps a whole common prefix.
 *
 * **Limitations.** Not durable (`durable: false`): everything is gone with the process. Objects are held in
 * memory, so the largest object is bounded by the heap.
 *
 * **Capabilities.** Everything native; `minPartSize` configurable (default 5 MiB, as S3) so tests can use
 * small parts.
 */
import { createHash } from 'node:crypto';
import { StorageError, throwIfAborted } from '../errors.ts';
import { checkReadConditions, checkWriteConditions } from '../conditions.ts';
import { resolveRange } from '../ranges.ts';
import { defineCapabilities } from '../capabilities.ts';
import { createStorage } from '../front/create-storage.ts';
import { SortedKeys } from './sorted-keys.ts';
import { MemoryMultipart } from './multipart.ts';
import type { WriteConditions } from './multipart.ts';
import { checksumChunks, cloneInfo, drain, sliceChunks, streamChunks } from './store.ts';
import { pickStandardHeaders } from '../standard-headers.ts';
import type { StoredObject } from './store.ts';
import type { Capabilities } from '../capabilities.ts';
import type { AdapterGetOptions, AdapterPutOptions, PreparedBody, ScanOptions, StorageAdapter } from '../adapter.ts';
import type {
  ChecksumAlgorithm,
  CompletedPart,
  CompleteMultipartOptions,
  CopyOptions,
  DeleteResult,
  GetResult,
  HeadOptions,
  ListItem,
  ListPartsOptions,
  ListPartsResult,
  ListUploadsOptions,
  ListUploadsResult,
  MultipartUpload,
  ObjectInfo,
  OperationOptions,
  PartInfo,
  StartMultipartOptions,
  Storage,
} from '../types.ts';

/** Options of {@link createMemoryAdapter}. */
export interface MemoryAdapterOptions {
  /** The smallest size of every multipart part but the last. @default 5242880 (5 MiB, as S3) */
  minPartSize?: number;
}

class MemoryAdapter implements StorageAdapter {
  readonly name = 'memory';
  readonly capabilities: Capabilities;
  #objects = new Map<string, StoredObject>();
  #index = new SortedKeys();
  #multipart: MemoryMultipart;

  constructor(options: MemoryAdapterOptions) {
    const minPartSize = options.minPartSize ?? 5 * 1024 * 1024;
    if (!Number.isSafeInteger(minPartSize) || minPartSize < 0) {
      throw new TypeError(`createMemoryAdapter: minPartSize must be a non-negative integer, got ${String(options.minPartSize)}`);
    }
    this.capabilities = defineCapabilities({ durable: false, minPartSize });
    this.#multipart = new MemoryMultipart({ minPartSize, commit: (key, stored, conditions, op) => this.#commit(key, stored, conditions, op) });
  }

  /** The one commit point: checks conditions against the current object and swaps it, without yielding. */
  #commit(key: string, stored: StoredObject, conditions: WriteConditions[], op: string): ObjectInfo {
    const current = this.#objects.get(key);
    for (const c of conditions) checkWriteConditions(current?.info, { ifNoneMatch: c.ifNoneMatch, ifMatch: c.ifMatch }, op, key);
    this.#objects.set(key, stored);
    this.#index.add(key);
    return cloneInfo(stored.info);
  }

  #need(key: string, op: string): StoredObject {
    const o = this.#objects.get(key);
    if (!o) throw new StorageError('NotFound', 'No such key', { op, key });
    return o;
  }

  async put(key: string, body: PreparedBody, options: AdapterPutOptions): Promise<ObjectInfo> {
    const chunks = await drain(body.stream, options.signal);
    const d = body.digests();
    throwIfAborted(options.signal, 'put', key);
    const info: ObjectInfo = {
      key,
      size: d.size,
      etag: d.etag,
      lastModified: new Date(),
      ...pickStandardHeaders(options),
      userMetadata: { ...options.userMetadata },
      tags: { ...options.tags },
    };
    if (Object.keys(d.checksums).length > 0) info.checksums = { ...d.checksums };
    return this.#commit(key, { info, chunks }, [options], 'put');
  }

  async get(key: string, options: AdapterGetOptions): Promise<GetResult> {
    const o = this.#need(key, 'get');
    checkReadConditions(o.info, options, 'get');
    const range = options.range ? resolveRange(options.range, o.info.size) : undefined;
    const start = range?.start ?? 0;
    const end = range?.end ?? o.info.size - 1;
    const result: GetResult = { info: cloneInfo(o.info), body: streamChunks(o.chunks, start, end) };
    if (range) result.range = range;
    return result;
  }

  async head(key: string, options: HeadOptions): Promise<ObjectInfo> {
    const o = this.#need(key, 'head');
    checkReadConditions(o.info, options, 'head');
    return cloneInfo(o.info);
  }

  async delete(key: string): Promise<void> {
    if (this.#objects.delete(key)) this.#index.remove(key);
  }

  async *scan(options: ScanOptions): AsyncIterable<ListItem> {
    for (const key of this.#index.from(options.prefix, options.startAfter, options.skipDescendants ?? false)) {
      throwIfAborted(options.signal, 'list');
      const o = this.#objects.get(key);
      if (!o) continue;
      yield { key, size: o.info.size, etag: o.info.etag, lastModified: new Date(o.info.lastModified.getTime()) };
    }
  }

  async copy(source: string, destination: string, options: CopyOptions): Promise<ObjectInfo> {
    const src = this.#need(source, 'copy');
    checkReadConditions(src.info, options.source ?? {}, 'copy');
    const range = options.range ? resolveRange(options.range, src.info.size) : undefined;
    const chunks = range ? sliceChunks(src.chunks, range.start, range.end) : src.chunks;
    const size = range ? range.end - range.start + 1 : src.info.size;
    const replace = options.metadataDirective === 'replace';
    const meta = replace ? options : src.info;
    const info: ObjectInfo = {
      key: destination,
      size,
      // A whole single-part source keeps its MD5 ETag; a range or a multipart source gets the MD5 of the bytes.
      etag: !range && !src.info.partCount ? src.info.etag : md5Hex(chunks),
      lastModified: new Date(),
      ...pickStandardHeaders(meta),
      userMetadata: { ...meta.userMetadata },
      tags: { ...meta.tags },
    };
    const algorithms = Object.keys(src.info.checksums ?? {}) as ChecksumAlgorithm[];
    if (algorithms.length > 0) {
      info.checksums = !range && src.info.checksumType === undefined ? { ...src.info.checksums } : checksumChunks(chunks, algorithms);
    }
    return this.#commit(destination, { info, chunks }, [options], 'copy');
  }

  async deleteMany(keys: string[]): Promise<DeleteResult[]> {
    return keys.map((key) => {
      if (this.#objects.delete(key)) this.#index.remove(key);
      return { key, ok: true as const };
    });
  }

  async setTags(key: string, tags: Record<string, string>, options: OperationOptions & { ifMatch?: string }): Promise<ObjectInfo> {
    const o = this.#need(key, 'setTags');
    checkWriteConditions(o.info, { ifMatch: options.ifMatch }, 'setTags', key);
    // PutObjectTagging changes neither the bytes, the ETag nor Last-Modified.
    const info = { ...cloneInfo(o.info), tags: { ...tags } };
    this.#objects.set(key, { info, chunks: o.chunks });
    return cloneInfo(info);
  }

  async startMultipart(key: string, options: StartMultipartOptions): Promise<MultipartUpload> {
    return this.#multipart.start(key, options);
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: PreparedBody, options: OperationOptions): Promise<PartInfo> {
    return this.#multipart.uploadPart(key, uploadId, partNumber, body, options.signal);
  }

  async completeMultipart(key: string, uploadId: string, parts: CompletedPart[], options: CompleteMultipartOptions): Promise<ObjectInfo> {
    return this.#multipart.complete(key, uploadId, parts, options);
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    this.#multipart.abort(key, uploadId);
  }

  async listParts(key: string, uploadId: string, options: ListPartsOptions): Promise<ListPartsResult> {
    return this.#multipart.listParts(key, uploadId, options);
  }

  async listMultipartUploads(options: ListUploadsOptions): Promise<ListUploadsResult> {
    return this.#multipart.listUploads(options);
  }

  async close(): Promise<void> {
    this.#multipart.clear();
  }
}


function md5Hex(chunks: readonly Buffer[]): string {
  const h = createHash('md5');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
}

/**
 * Creates the memory adapter (an SPI {@link StorageAdapter}); wrap it with `createStorage`, or use
 * {@link createMemoryStorage}. Throws `TypeError` at once on a bad option.
 */
export function createMemoryAdapter(options: MemoryAdapterOptions = {}): StorageAdapter {
  return new MemoryAdapter(options);
}

/** A ready {@link Storage} over a new memory adapter: `createStorage(createMemoryAdapter(options))`. */
export function createMemoryStorage(options: MemoryAdapterOptions = {}): Storage {
  return createStorage(createMemoryAdapter(options));
}
