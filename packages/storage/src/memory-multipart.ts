/**
 * Native multipart uploads of the memory adapter (AWS CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload, AbortMultipartUpload, ListParts, ListMultipartUploads). Parts may arrive in any
 * order and be re-uploaded; complete assembles a subset by sharing the parts' immutable chunks (no copy) and
 * commits through the adapter's one commit point, so conditions hold atomically and the object appears whole.
 */
import { randomBytes } from 'node:crypto';
import { StorageError, throwIfAborted } from './errors.ts';
import { compareKeys } from './keys.ts';
import { pageUploads } from './upload-pager.ts';
import { selectCompletedParts, multipartEtag } from './multipart-rules.ts';
import { combineFullObjectChecksum, compositeChecksum, isCrcAlgorithm } from './checksums.ts';
import { checksumChunks, drain, pickHeaders } from './memory-store.ts';
import type { StoredObject } from './memory-store.ts';
import type { PreparedBody } from './adapter.ts';
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
} from './types.ts';

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
    const algorithms = [...new Set(options.checksumAlgorithms ?? [])];
    if (options.checksumType === 'FULL_OBJECT' && algorithms.some((a) => !isCrcAlgorithm(a))) {
      throw new StorageError('InvalidArgument', 'Full-object checksums exist only for CRC algorithms', { op: 'startMultipart', key });
    }
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
    const chosen = selectCompletedParts(parts, [...u.parts.values()].map((p) => p.info), this.#deps.minPartSize, key);
    parts.forEach((requested, i) => {
      for (const [alg, want] of Object.entries(requested.checksums ?? {})) {
        if (want !== undefined && chosen[i]!.checksums?.[alg as ChecksumAlgorithm] !== want) {
          throw new StorageError('InvalidArgument', `Part ${requested.partNumber}'s ${alg} checksum does not match`, { op, key, reason: 'InvalidPart' });
        }
      }
    });
    const type = u.options.checksumType ?? 'COMPOSITE';
    const checksums: Checksums = {};
    for (const alg of u.algorithms) {
      const partSums = chosen.map((p) => ({ checksum: p.checksums?.[alg] ?? '', size: p.size }));
      checksums[alg] = type === 'FULL_OBJECT' ? combineFullObjectChecksum(alg, partSums) : compositeChecksum(alg, partSums.map((p) => p.checksum));
    }
    for (const [alg, want] of Object.entries(options.expectedChecksums ?? {})) {
      if (want !== undefined && checksums[alg as ChecksumAlgorithm] !== want) {
        throw new StorageError('InvalidArgument', `The ${alg} checksum of the object does not match`, { op, key, reason: 'BadDigest' });
      }
    }
    const chunks = chosen.flatMap((p) => u.parts.get(p.partNumber)!.chunks);
    const info: ObjectInfo = {
      key,
      size: chosen.reduce((n, p) => n + p.size, 0),
      etag: multipartEtag(chosen.map((p) => p.etag)),
      lastModified: new Date(),
      ...pickHeaders(u.options),
      userMetadata: { ...u.options.userMetadata },
      tags: { ...u.options.tags },
      partCount: chosen.length,
    };
    if (u.algorithms.length > 0) {
      info.checksums = checksums;
      info.checksumType = type;
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
