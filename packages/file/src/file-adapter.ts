/**
 * The file adapter proper: maps the StorageAdapter SPI onto the core (paths, commit, conversion), the object
 * files (object-read, object-write, object-copy, with their records: meta-store), the ordered walk (list) and
 * the upload directories (multipart). Every native error is translated at this boundary (to-storage-error).
 */
import * as fsp from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  BytesReadable,
  StorageError,
  checkReadConditions,
  checkWriteConditions,
  defineCapabilities,
  resolveRange,
  throwIfAborted,
} from '@strata/storage';
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
import { FileCore } from './core.ts';
import type { CoreOptions } from './core.ts';
import { SELF_NAME, keyToPath, storesKey } from './key-mapping.ts';
import { acquireRootLock } from './lock.ts';
import { cloneInfo, objectRecord } from './object-meta.ts';
import { setObjectTags, stageCopy } from './object-copy.ts';
import { migrateRoot } from './migrate.ts';
import type { MigrateResult } from './migrate.ts';
import { FileMultipart } from './multipart.ts';
import { pickStandardHeaders } from '@strata/storage/adapter';
import { ObjectBody } from './object-body.ts';
import { FIRST_READ_BYTES, HEADER_READ_BYTES, openObject } from './object-read.ts';
import type { OpenedObject } from './object-read.ts';
import { stageBody } from './object-write.ts';
import { scanTree } from './list.ts';
import { loadLongKeys } from './long-keys.ts';
import { recoverRoot } from './recovery.ts';
import { errnoOf, toStorageError } from './to-storage-error.ts';

type Conditions = { ifNoneMatch?: '*'; ifMatch?: string };
const hasConditions = (c: Conditions) => c.ifNoneMatch !== undefined || c.ifMatch !== undefined;
const lowerKeys = (m: Record<string, string> | undefined) => Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

/** The adapter; see `createFileAdapter` for its semantics. */
export class FileAdapter implements StorageAdapter {
  readonly name = 'file';
  readonly capabilities: Capabilities;
  readonly #core: FileCore;
  readonly #multipart: FileMultipart;
  readonly #ready: Promise<void>;
  #release: (() => Promise<void>) | undefined;
  #closed = false;

  constructor(options: CoreOptions) {
    this.#core = new FileCore(options);
    this.#multipart = new FileMultipart(this.#core);
    this.capabilities = defineCapabilities({ minPartSize: options.minPartSize });
    this.#ready = this.#open();
    this.#ready.catch(() => undefined); // surfaced by ready() and by every operation
  }

  async #open(): Promise<void> {
    await fsp.mkdir(this.#core.root, { recursive: true });
    this.#release = await acquireRootLock(this.#core.root);
    try {
      await recoverRoot(this.#core);
      await this.#core.meta.open();
      await loadLongKeys(this.#core);
      await this.#core.reads.probeFilesystem();
    } catch (e) {
      await this.#release();
      throw e;
    }
  }

  /** Resolves once the root is locked and recovered; rejects with the reason it could not be opened. */
  async ready(): Promise<void> {
    try {
      await this.#ready;
    } catch (e) {
      throw toStorageError(e, 'open');
    }
  }

  async #run<T>(op: string, key: string | undefined, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      if (this.#closed) throw new StorageError('Unavailable', 'The file storage is closed', { retryable: false });
      throwIfAborted(signal, op, key);
      await this.#ready;
      return await fn();
    } catch (e) {
      throw toStorageError(e, op, key);
    }
  }

  /**
   * Stages nothing; publishes `tmp` as `key` under its mutex once `conditions` hold, then syncs the directory
   * outside it (FileCore.syncPublished), so same-key writers queue only for the rename, not the fsync.
   * Removes `tmp` on failure.
   */
  async #commit(key: string, tmp: string, conditions: Conditions[], op: string, signal?: AbortSignal, kp = keyToPath(key)): Promise<void> {
    let dir: string | undefined;
    try {
      throwIfAborted(signal, op, key);
      await this.#core.mutex.run(key, async () => {
        if (conditions.some(hasConditions)) {
          const current = await this.#current(key);
          for (const c of conditions) checkWriteConditions(current, c, op, key);
        }
        dir = await this.#core.publish(tmp, key, kp);
      });
    } catch (e) {
      await this.#core.discard(tmp);
      throw e;
    }
    await this.#core.syncPublished(key, dir as string);
  }

  async #current(key: string): Promise<ObjectInfo | undefined> {
    try {
      const o = await openObject(this.#core, key, HEADER_READ_BYTES, false, true);
      this.#core.reads.closeRead(o.fh, o.epoch);
      return o.info;
    } catch (e) {
      if (e instanceof StorageError && e.code === 'NotFound') return undefined;
      throw e;
    }
  }

  put(key: string, body: PreparedBody, options: AdapterPutOptions): Promise<ObjectInfo> {
    listenEarly(body);
    return this.#run('put', key, options.signal, async () => {
      const base = { key, ...pickStandardHeaders(options), userMetadata: lowerKeys(options.userMetadata), tags: { ...options.tags } };
      const kp = keyToPath(key);
      const withKey = storesKey(kp);
      let info!: ObjectInfo;
      const tmp = await stageBody(this.#core, body, (d, stamp) => {
        info = { ...base, size: d.size, etag: d.etag, lastModified: new Date() };
        if (Object.keys(d.checksums).length > 0) info.checksums = { ...d.checksums };
        return objectRecord(info, stamp, withKey);
      });
      await this.#commit(key, tmp, [options], 'put', options.signal, kp);
      return cloneInfo(info);
    });
  }

  get(key: string, options: AdapterGetOptions): Promise<GetResult> {
    return this.#run('get', key, options.signal, async () => {
      const o = await openObject(this.#core, key, FIRST_READ_BYTES, true);
      try {
        checkReadConditions(o.info, options, 'get');
        const range = options.range ? resolveRange(options.range, o.info.size) : undefined;
        const start = range?.start ?? 0;
        const end = range?.end ?? o.info.size - 1;
        const result: GetResult = { info: o.info, body: this.#bodyOf(o, start, end) };
        if (range) result.range = range;
        return result;
      } catch (e) {
        this.#core.reads.closeSoon(o.fh);
        throw e;
      }
    });
  }

  head(key: string, options: HeadOptions): Promise<ObjectInfo> {
    return this.#run('head', key, options.signal, async () => {
      const o = await openObject(this.#core, key, HEADER_READ_BYTES, false);
      this.#core.reads.closeRead(o.fh, o.epoch);
      checkReadConditions(o.info, options, 'head');
      return o.info;
    });
  }

  /**
   * The body of a GET: the bytes of the first read when the object came whole with it (its descriptor is then
   * closed at once, off the GET's latency: read-closes.ts), else a stream from the descriptor, which the
   * stream closes on end, error or destroy.
   */
  #bodyOf(o: OpenedObject, start: number, end: number): Readable {
    if (o.data) {
      this.#core.reads.closeRead(o.fh, o.epoch);
      return bytesBody(o.data.subarray(start, end + 1));
    }
    if (end < start) {
      this.#core.reads.closeSoon(o.fh);
      return bytesBody(Buffer.alloc(0));
    }
    // Chunked reads, written straight into an HTTP response from reused buffers (object-body.ts).
    return new ObjectBody(o.fh, o.dataOffset + start, o.dataOffset + end, o.info.key, this.#core.reads);
  }

  delete(key: string, options: OperationOptions): Promise<void> {
    return this.#run('delete', key, options.signal, () => this.#delete(key));
  }

  async #delete(key: string): Promise<void> {
    const core = this.#core;
    const kp = keyToPath(key);
    await core.mutex.run(key, async () => {
      if (!(await core.tree.checkDirs(kp))) return;
      let from = kp.dir;
      const ino = await core.meta.inodeAt(core.abs(kp.rel));
      try {
        await core.reads.unlinking(() => fsp.unlink(core.abs(kp.rel)));
        await core.meta.forget(ino);
        if (kp.hashed) core.longKeys.remove(key);
      } catch (e) {
        const code = errnoOf(e);
        if (code === 'ENOENT' || code === 'ENOTDIR') {
          if (kp.hashed) core.longKeys.remove(key);
          return;
        }
        if (kp.hashed || (code !== 'EISDIR' && code !== 'EPERM')) throw e;
        try {
          await core.reads.unlinking(() => fsp.unlink(`${core.abs(kp.rel)}/${SELF_NAME}`));
          await core.meta.forget(ino);
        } catch (e2) {
          if (errnoOf(e2) === 'ENOENT') return;
          throw e2;
        }
        from = kp.rel;
      }
      // A concurrent delete of a sibling may already have removed this (then empty) directory; its removal
      // is made durable by that delete, so there is nothing left to sync here.
      await core.syncObjectDir(from).catch((e: unknown) => {
        if (errnoOf(e) !== 'ENOENT') throw e;
      });
      await core.tree.removeEmptyDirs(from);
    });
  }

  async *scan(options: ScanOptions): AsyncIterable<ListItem> {
    try {
      if (this.#closed) throw new StorageError('Unavailable', 'The file storage is closed', { retryable: false });
      await this.#ready;
      yield* scanTree(this.#core, options);
    } catch (e) {
      throw toStorageError(e, 'list');
    }
  }

  copy(source: string, destination: string, options: CopyOptions): Promise<ObjectInfo> {
    return this.#run('copy', destination, options.signal, async () => {
      const { tmp, info } = await stageCopy(this.#core, source, destination, options);
      await this.#commit(destination, tmp, [options], 'copy', options.signal);
      return cloneInfo(info);
    });
  }

  deleteMany(keys: string[], options: OperationOptions): Promise<DeleteResult[]> {
    return this.#run('deleteMany', undefined, options.signal, async () => {
      const out: DeleteResult[] = [];
      for (const key of keys) {
        try {
          await this.#delete(key);
          out.push({ key, ok: true });
        } catch (e) {
          out.push({ key, ok: false, error: toStorageError(e, 'deleteMany', key) });
        }
      }
      return out;
    });
  }

  setTags(key: string, tags: Record<string, string>, options: OperationOptions & { ifMatch?: string }): Promise<ObjectInfo> {
    return this.#run('setTags', key, options.signal, () => this.#core.mutex.run(key, () => setObjectTags(this.#core, key, tags, options.ifMatch)));
  }

  startMultipart(key: string, options: StartMultipartOptions): Promise<MultipartUpload> {
    return this.#run('startMultipart', key, options.signal, () => this.#multipart.start(key, options));
  }

  uploadPart(key: string, uploadId: string, partNumber: number, body: PreparedBody, options: OperationOptions): Promise<PartInfo> {
    listenEarly(body);
    return this.#run('uploadPart', key, options.signal, () => this.#multipart.uploadPart(key, uploadId, partNumber, body));
  }

  completeMultipart(key: string, uploadId: string, parts: CompletedPart[], options: CompleteMultipartOptions): Promise<ObjectInfo> {
    const op = 'completeMultipart';
    return this.#run(op, key, options.signal, () =>
      this.#core.mutex.run(`\0upload:${uploadId}`, async () => {
        const { tmp, info, rec } = await this.#multipart.assemble(key, uploadId, parts, options.expectedChecksums);
        await this.#commit(key, tmp, [rec.options, options], op, options.signal);
        await this.#multipart.remove(key, uploadId, op);
        return cloneInfo(info);
      }),
    );
  }

  abortMultipart(key: string, uploadId: string, options: OperationOptions): Promise<void> {
    return this.#run('abortMultipart', key, options.signal, () =>
      this.#core.mutex.run(`\0upload:${uploadId}`, () => this.#multipart.abort(key, uploadId)),
    );
  }

  listParts(key: string, uploadId: string, options: ListPartsOptions): Promise<ListPartsResult> {
    return this.#run('listParts', key, options.signal, () => this.#multipart.listParts(key, uploadId, options.partNumberMarker, options.limit));
  }

  listMultipartUploads(options: ListUploadsOptions): Promise<ListUploadsResult> {
    return this.#run('listMultipartUploads', undefined, options.signal, () => this.#multipart.listUploads(options));
  }

  /**
   * Rewrites every object still in the old header format (an object file that starts with a `#strata1`
   * header) in the new one, keeping its bytes, metadata and Last-Modified, and removes metadata files whose
   * inode is no longer in the tree. Optional: old-format objects are read as they are, and rewritten anyway
   * when next written. Safe while the storage is in use (each rewrite holds its key's mutex).
   */
  migrate(options: OperationOptions = {}): Promise<MigrateResult> {
    return this.#run('migrate', undefined, options.signal, () => migrateRoot(this.#core, options.signal));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#ready;
    } catch {
      return; // never opened: nothing to release
    }
    await this.#core.meta.settled();
    await this.#core.stagedCloses.settled();
    await this.#core.closeDirs();
    await this.#core.reads.closesSettled();
    await this.#release?.();
  }
}

/**
 * A PreparedBody verifies in its flush, which runs as soon as its source ends — possibly while this adapter
 * still awaits I/O before reading it (the upload record, the staging file). Without a listener that error
 * would be an uncaught exception; with one, the later read still rejects with it (the stream stays errored).
 */
function listenEarly(body: PreparedBody): void {
  body.stream.on('error', () => undefined);
}

/**
 * A small body already read whole: a {@link BytesReadable}, which streams as one chunk (no async generator and
 * promise per chunk as `Readable.from` has) and lets a consumer such as the object server take the bytes whole.
 */
function bytesBody(bytes: Buffer): Readable {
  return new BytesReadable(bytes);
}

