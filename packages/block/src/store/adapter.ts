/**
 * The block adapter: the storage contract on a page device.
 *
 * **Semantics.** A put streams its bytes to fresh pages (bounded memory: 256 KiB staged at a time), then
 * commits at the store's single commit point, where put conditions are checked against the index (plus the
 * earlier operations of the same group-commit batch) — so conditional puts are atomic. The record is durable
 * before the put returns, and it only names pages that were flushed before it (see `block-store.ts`): after a
 * crash a reader sees the old object or the new one, never a torn one. Objects up to `inlineMax` bytes live in
 * their record; objects up to `journalInlineMax` are staged in their record (one flush per commit) and moved to
 * pages at the next checkpoint. Copy and setTags share extents (reference counted); multipart complete joins part extents.
 * Ranged reads fetch only the pages the range covers.
 *
 * **Limitations.** The key index lives in memory: `capabilities.maxKeys` (default 1,000,000; about 300 bytes of
 * heap per key plus its metadata) bounds it, and each checkpoint rewrites it whole. A full device grows up to
 * `maxPages` (default unlimited), then puts fail `NoSpace`. One process may open an image for writing at a time
 * (`<image>.lock`; a second writer fails `Unavailable`).
 *
 * **Capabilities.** Everything native; `durable` is true on an image file, false on a memory device.
 */
import { checkReadConditions, checkWriteConditions, defineCapabilities, resolveRange, StorageError, throwIfAborted } from '@strata/storage';
import type {
  AdapterGetOptions,
  AdapterPutOptions,
  Capabilities,
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
  PreparedBody,
  ScanOptions,
  StartMultipartOptions,
  StorageAdapter,
} from '@strata/storage';
import type { BlockStore } from './block-store.ts';
import { readStream, writeData } from './data-io.ts';
import * as mp from './multipart.ts';
import { pickHeaders, toInfo, toListItem } from './object-info.ts';
import type { IndexView, StoredObject } from './records.ts';
import { copyByBytes } from './copy-bytes.ts';
import { isStaged, keepStagedBytes } from './spill.ts';

/** Policy options of the adapter (the store itself is opened by `createBlockAdapter`). */
export interface BlockAdapterPolicy {
  /** Smallest size of every multipart part but the last. @default 5242880 (5 MiB, as S3) */
  minPartSize?: number;
  /** Most keys the in-memory index may hold; puts of new keys beyond it fail `NoSpace` (reason `KeyLimit`). @default 1000000 */
  maxKeys?: number;
  /** Whether the device survives the process (image file). */
  durable: boolean;
}

/** The StorageAdapter over a {@link BlockStore}; `store` is exposed for tools (fsck, info). */
export class BlockAdapter implements StorageAdapter {
  readonly name = 'block';
  readonly capabilities: Capabilities;
  readonly store: BlockStore;
  readonly #maxKeys: number;

  constructor(store: BlockStore, policy: BlockAdapterPolicy) {
    this.store = store;
    this.#maxKeys = policy.maxKeys ?? 1_000_000;
    this.capabilities = defineCapabilities({ minPartSize: policy.minPartSize ?? 5 * 1024 * 1024, maxKeys: this.#maxKeys, durable: policy.durable });
  }

  #need(key: string, op: string): StoredObject {
    const o = this.store.state.object(key);
    if (!o) throw new StorageError('NotFound', 'No such key', { op, key });
    return o;
  }

  /** Refuses a new key beyond the index limit. */
  #checkKeyLimit(view: IndexView, key: string, op: string): void {
    if (this.store.state.objects.size >= this.#maxKeys && !view.object(key)) {
      throw new StorageError('NoSpace', `The block index holds its maximum of ${this.#maxKeys} keys`, { op, key, reason: 'KeyLimit' });
    }
  }

  async put(key: string, body: PreparedBody, options: AdapterPutOptions): Promise<ObjectInfo> {
    this.store.assertWritable('put');
    const data = await writeData(this.store, body.stream as AsyncIterable<Buffer>, { signal: options.signal });
    try {
      const d = body.digests();
      throwIfAborted(options.signal, 'put', key);
      const obj: StoredObject = {
        key,
        size: d.size,
        etag: d.etag,
        lastModified: Date.now(),
        headers: pickHeaders(options),
        userMetadata: { ...options.userMetadata },
        tags: { ...options.tags },
        extents: data.extents,
      };
      if (data.inline) {
        obj.inline = data.inline.toString('base64');
        // Staged objects move to pages soon (spill.ts); the smallest stay in their record, in base64 only.
        if (isStaged(obj, this.store.inlineMax)) keepStagedBytes(obj, data.inline);
      }
      if (Object.keys(d.checksums).length > 0) obj.checksums = { ...d.checksums };
      return await this.store.commit((view) => {
        checkWriteConditions(view.object(key), options, 'put', key);
        this.#checkKeyLimit(view, key, 'put');
        return { record: { op: 'put', obj }, result: toInfo(obj) };
      }, data.extents.length > 0);
    } catch (e) {
      this.store.freeUnreferenced(data.extents);
      throw e;
    }
  }

  async get(key: string, options: AdapterGetOptions): Promise<GetResult> {
    throwIfAborted(options.signal, 'get', key);
    const o = this.#need(key, 'get');
    checkReadConditions(toInfo(o), options, 'get');
    const range = options.range ? resolveRange(options.range, o.size) : undefined;
    const result: GetResult = { info: toInfo(o), body: readStream(this.store, o, range?.start ?? 0, range?.end ?? o.size - 1) };
    if (range) result.range = range;
    return result;
  }

  async head(key: string, options: HeadOptions): Promise<ObjectInfo> {
    throwIfAborted(options.signal, 'head', key);
    const info = toInfo(this.#need(key, 'head'));
    checkReadConditions(info, options, 'head');
    return info;
  }

  async delete(key: string, options: OperationOptions): Promise<void> {
    throwIfAborted(options.signal, 'delete', key);
    this.store.assertWritable('delete');
    if (!this.store.state.object(key)) return;
    await this.store.commit((view) => (view.object(key) ? { record: { op: 'del', key }, result: undefined } : { result: undefined }), false);
  }

  async *scan(options: ScanOptions): AsyncIterable<ListItem> {
    const index = this.store.state.objects;
    let after = options.startAfter;
    let skip = options.skipDescendants ?? false;
    while (true) {
      throwIfAborted(options.signal, 'list');
      const key = index.next(options.prefix, after, skip);
      if (key === undefined) return;
      skip = false;
      after = key;
      const o = index.get(key);
      if (o) yield toListItem(o);
    }
  }

  async copy(source: string, destination: string, options: CopyOptions): Promise<ObjectInfo> {
    throwIfAborted(options.signal, 'copy', destination);
    this.store.assertWritable('copy');
    const src = this.#need(source, 'copy');
    checkReadConditions(toInfo(src), options.source ?? {}, 'copy');
    // A range, or a multipart source (whose ETag is not the MD5 of its bytes), needs the bytes hashed anew.
    if (options.range || src.partCount !== undefined) return copyByBytes(this.store, src, destination, options, (view) => this.#checkKeyLimit(view, destination, 'copy'));
    const replace = options.metadataDirective === 'replace';
    return this.store.commit((view) => {
      const s = view.object(source);
      if (!s) throw new StorageError('NotFound', 'No such key', { op: 'copy', key: source });
      checkReadConditions(toInfo(s), options.source ?? {}, 'copy');
      checkWriteConditions(view.object(destination), options, 'copy', destination);
      this.#checkKeyLimit(view, destination, 'copy');
      const obj: StoredObject = {
        ...s,
        key: destination,
        lastModified: Date.now(),
        headers: replace ? pickHeaders(options) : { ...s.headers },
        userMetadata: { ...(replace ? options.userMetadata : s.userMetadata) },
        tags: { ...(replace ? options.tags : s.tags) },
        // Shared, not copied: the extents' reference counts go up when the record applies.
        extents: s.extents.map((e) => [...e]),
      };
      return { record: { op: 'put', obj }, result: toInfo(obj) };
    }, false);
  }

  async deleteMany(keys: string[], options: OperationOptions): Promise<DeleteResult[]> {
    // Every delete joins the same group commit: one journal batch, one flush.
    return Promise.all(
      keys.map((key) =>
        this.delete(key, options).then(
          () => ({ key, ok: true as const }),
          (error: unknown) => ({ key, ok: false as const, error: error as Error }),
        ),
      ),
    );
  }

  async setTags(key: string, tags: Record<string, string>, options: OperationOptions & { ifMatch?: string }): Promise<ObjectInfo> {
    throwIfAborted(options.signal, 'setTags', key);
    this.store.assertWritable('setTags');
    return this.store.commit((view) => {
      const o = view.object(key);
      if (!o) throw new StorageError('NotFound', 'No such key', { op: 'setTags', key });
      checkWriteConditions(o, { ifMatch: options.ifMatch }, 'setTags', key);
      // PutObjectTagging changes neither the bytes, the ETag nor Last-Modified.
      const obj: StoredObject = { ...o, tags: { ...tags }, extents: o.extents.map((e) => [...e]) };
      return { record: { op: 'put', obj }, result: toInfo(obj) };
    }, false);
  }

  async startMultipart(key: string, options: StartMultipartOptions): Promise<MultipartUpload> {
    throwIfAborted(options.signal, 'startMultipart', key);
    this.store.assertWritable('startMultipart');
    return mp.startMultipart(this.store, key, options);
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: PreparedBody, options: OperationOptions): Promise<PartInfo> {
    this.store.assertWritable('uploadPart');
    return mp.uploadPart(this.store, key, uploadId, partNumber, body, options.signal);
  }

  async completeMultipart(key: string, uploadId: string, parts: CompletedPart[], options: CompleteMultipartOptions): Promise<ObjectInfo> {
    throwIfAborted(options.signal, 'completeMultipart', key);
    this.store.assertWritable('completeMultipart');
    return mp.completeMultipart(this.store, key, uploadId, parts, options, this.capabilities.minPartSize);
  }

  async abortMultipart(key: string, uploadId: string, options: OperationOptions): Promise<void> {
    throwIfAborted(options.signal, 'abortMultipart', key);
    this.store.assertWritable('abortMultipart');
    return mp.abortMultipart(this.store, key, uploadId);
  }

  async listParts(key: string, uploadId: string, options: ListPartsOptions): Promise<ListPartsResult> {
    return mp.listParts(this.store, key, uploadId, options);
  }

  async listMultipartUploads(options: ListUploadsOptions): Promise<ListUploadsResult> {
    return mp.listUploads(this.store, options);
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
