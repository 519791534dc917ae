/**
 * Native multipart uploads of the memory adapter (AWS CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload, AbortMultipartUpload, ListParts, ListMultipartUploads). Parts may arrive in any
 * order and be re-uploaded; complete assembles a subset by sharing the parts' immutable chunks (no copy) and
 * commits through the adapter's one commit point, so conditions hold atomically and the object appears whole.
 */
import { randomBytes } from 'node:crypto';
import { StorageError, throwIfAborted } from '../errors.ts';
import { compareKeys } from '../keys.ts';
import { pageUploads } from '../upload-pager.ts';
import { assembleCompletedParts, uploadChecksumAlgorithms } from '../multipart-assembly.ts';
import { checksumChunks, drain } from './store.ts';
import { pickStandardHeaders } from '../standard-headers.ts';
import type { StoredObject } from './store.ts';
import type { PreparedBody } from '../adapter.ts';
import type {
  ChecksumAlgorithm,
  Checksums,
  CompletedPart,
  CompleteMultipartOptions,
  ListPartsOptions,
  ListPartsResult,
  ListUploadsOptions,
  ListUploadsResult,
  MultipartUpload,
  ObjectInfo,
  PartInfo,
  StartMultipartOptions,
} from '../types.ts';

/** Put conditions, as checked at the commit point. */
export type WriteConditions = { ifNoneMatch?: '*'; ifMatch?: string };

interface Upload {
  key: string;
  uploadId: string;
  initiated: Date;
  seq: number;
  options: StartMultipartOptions;
  algorithms: ChecksumAlgorithm[];
  parts: Map<number, { info: PartInfo; chunks: Buffer[] }>;
}

/** What the multipart store needs from its adapter. */
export interface MemoryMultipartDeps {
  minPartSize: number;
  /** Commits an object atomically after checking every condition set against the current object. */
  commit(key: string, stored: StoredObject, conditions: WriteConditions[], op: string): ObjectInfo;
}

const clonePart = (p: PartInfo): PartInfo => ({ ...p, lastModified: new Date(p.lastModified.getTime()), ...(p.checksums ? { checksums: { ...p.checksums } } : {}) });

/** In-progress uploads of one memory adapter. */
export class MemoryMultipart {
  #uploads = new Map<string, Upload>();
  #seq = 0;
  #deps: MemoryMultipartDeps;

  constructor(deps: MemoryMultipartDeps) {
    this.#deps = deps;
  }

  #need(key: string, uploadId: string, op: string): Upload {
    const u = this.#uploads.get(uploadId);
    if (!u || u.key !== key) throw new StorageError('NotFound', `No such upload ${uploadId}`, { op, key, reason: 'NoSuchUpload' });
    return u;
  }

  start(key: string, options: StartMultipartOptions): MultipartUpload {
    const algorithms = uploadChecksumAlgorithms(options, key);
    const { signal: _signal, ...kept } = options;
    const stored: StartMultipartOptions = { ...kept, userMetadata: { ...options.userMetadata }, tags: { ...options.tags } };
    const uploadId = randomBytes(16).toString('hex');
    const u: Upload = { key, uploadId, initiated: new Date(), seq: this.#seq++, options: stored, algorithms, parts: new Map() };
    this.#uploads.set(uploadId, u);
    return { key, uploadId, initiated: new Date(u.initiated.getTime()) };
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: PreparedBody, signal?: AbortSignal): Promise<PartInfo> {
    this.#need(key, uploadId, 'uploadPart');
    const chunks = await drain(body.stream, signal);
    const d = body.digests();
    throwIfAborted(signal, 'uploadPart', key);
    // The upload may have been completed or aborted while the part streamed in.
    const u = this.#need(key, uploadId, 'uploadPart');
    const missing = u.algorithms.filter((a) => d.checksums[a] === undefined);
    const checksums: Checksums = { ...d.checksums, ...checksumChunks(chunks, missing) };
    const info: PartInfo = { partNumber, size: d.size, etag: d.etag, lastModified: new Date() };
    if (Object.keys(checksums).length > 0) info.checksums = checksums;
    u.parts.set(partNumber, { info, chunks });
    return clonePart(info);
  }

  complete(key: string, uploadId: string, parts: CompletedPart[], options: CompleteMultipartOptions): ObjectInfo {
    const op = 'completeMultipart';
    const u = this.#need(key, uploadId, op);
    const assembled = assembleCompletedParts(parts, [...u.parts.values()].map((p) => p.info), {
      minPartSize: this.#deps.minPartSize,
      algorithms: u.algorithms,
      checksumType: u.options.checksumType,
      expectedChecksums: options.expectedChecksums,
      key,
    });
    const chosen = assembled.parts;
    const chunks = chosen.flatMap((p) => u.parts.get(p.partNumber)!.chunks);
    const info: ObjectInfo = {
      key,
      size: assembled.size,
      etag: assembled.etag,
      lastModified: new Date(),
      ...pickStandardHeaders(u.options),
      userMetadata: { ...u.options.userMetadata },
      tags: { ...u.options.tags },
      partCount: chosen.length,
    };
    if (assembled.checksumType) {
      info.checksums = assembled.checksums;
      info.checksumType = assembled.checksumType;
    }
    const result = this.#deps.commit(key, { info, chunks }, [u.options, options], op);
    this.#uploads.delete(uploadId);
    return result;
  }

  abort(key: string, uploadId: string): void {
    this.#need(key, uploadId, 'abortMultipart');
    this.#uploads.delete(uploadId);
  }

  listParts(key: string, uploadId: string, options: ListPartsOptions): ListPartsResult {
    const u = this.#need(key, uploadId, 'listParts');
    const limit = options.limit ?? 1000;
    const all = [...u.parts.values()].map((p) => p.info).filter((p) => p.partNumber > (options.partNumberMarker ?? 0));
    all.sort((a, b) => a.partNumber - b.partNumber);
    const page = all.slice(0, limit).map(clonePart);
    const result: ListPartsResult = { parts: page };
    if (all.length > limit) result.nextPartNumberMarker = page[page.length - 1]!.partNumber;
    return result;
  }

  listUploads(options: ListUploadsOptions): ListUploadsResult {
    const sorted = [...this.#uploads.values()].sort((a, b) => compareKeys(a.key, b.key) || a.seq - b.seq);
    return pageUploads(sorted, options);
  }

  /** Drops every upload (on close). */
  clear(): void {
    this.#uploads.clear();
  }
}
