/**
 * The multipart half of the front wrapper: validates multipart options once (AWS CreateMultipartUpload,
 * UploadPart, CompleteMultipartUpload, ListParts, ListMultipartUploads), then dispatches to the adapter's
 * native multipart or to the staged-object fallback. For native adapters it remembers the checksum algorithms
 * of uploads it started so each part's {@link PreparedBody} computes them as the part streams in.
 */
import { StorageError } from '../errors.ts';
import { adapterWantsMd5, prepareBody } from '../body.ts';
import { assertPartNumber } from '../multipart-rules.ts';
import { uploadChecksumAlgorithms } from '../multipart-assembly.ts';
import { asOperation, settle } from './fallbacks.ts';
import {
  normalizeUserMetadata,
  validateBodyOptions,
  validateChecksumOptions,
  validateChecksums,
  validateHeaders,
  validateLimit,
  validateString,
  validateTagOption,
  validateWriteConditions,
} from './validate.ts';
import type { MultipartFallback } from './multipart-fallback.ts';
import type { Capabilities } from '../capabilities.ts';
import type { StorageAdapter } from '../adapter.ts';
import type {
  Body,
  ChecksumAlgorithm,
  CompletedPart,
  CompleteMultipartOptions,
  ListPartsOptions,
  ListPartsResult,
  ListUploadsOptions,
  ListUploadsResult,
  MultipartUpload,
  ObjectInfo,
  OperationOptions,
  PartInfo,
  StartMultipartOptions,
  UploadPartOptions,
} from '../types.ts';

const invalid = (op: string, message: string, key?: string) => new StorageError('InvalidArgument', message, { op, key });

function validateUploadId(uploadId: unknown, op: string, key: string): asserts uploadId is string {
  if (typeof uploadId !== 'string' || uploadId.length === 0) {
    throw new StorageError('NotFound', 'No such upload', { op, key, reason: 'NoSuchUpload' });
  }
}

/** Multipart operations with validation, over native adapter methods or the fallback. */
export class FrontMultipart {
  #a: StorageAdapter;
  #caps: Capabilities;
  #fallback: MultipartFallback | undefined;
  /** Checksum algorithms of native uploads started through this front, until completed or aborted. */
  #algorithms = new Map<string, ChecksumAlgorithm[]>();

  constructor(adapter: StorageAdapter, capabilities: Capabilities, fallback: MultipartFallback | undefined) {
    this.#a = adapter;
    this.#caps = capabilities;
    this.#fallback = fallback;
  }

  async start(key: string, options: StartMultipartOptions): Promise<MultipartUpload> {
    const op = 'startMultipart';
    validateHeaders(options, op, key);
    validateTagOption(options.tags, this.#caps, op, key);
    validateWriteConditions(options, this.#caps, op, key);
    validateChecksumOptions(options, this.#caps, op, key);
    const type = options.checksumType;
    if (type !== undefined && type !== 'COMPOSITE' && type !== 'FULL_OBJECT') throw invalid(op, "checksumType must be 'COMPOSITE' or 'FULL_OBJECT'", key);
    const algorithms = uploadChecksumAlgorithms(options, key);
    const opts: StartMultipartOptions = { ...options, userMetadata: normalizeUserMetadata(options.userMetadata, op, key) ?? {}, tags: { ...options.tags } };
    if (this.#fallback) return asOperation(op, key, () => this.#fallback!.start(key, opts));
    const upload = await this.#a.startMultipart!(key, opts);
    if (algorithms.length > 0) this.#algorithms.set(upload.uploadId, algorithms);
    return upload;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Body, options: UploadPartOptions): Promise<PartInfo> {
    const op = 'uploadPart';
    validateUploadId(uploadId, op, key);
    assertPartNumber(partNumber);
    validateChecksumOptions(options, this.#caps, op, key);
    validateBodyOptions(options, this.#caps, op, key);
    if (this.#fallback) return asOperation(op, key, () => this.#fallback!.uploadPart(key, uploadId, partNumber, body, options));
    const { expectedChecksums, contentMd5, contentLength, signal } = options;
    const algorithms = [...new Set([...(this.#algorithms.get(uploadId) ?? []), ...(options.checksumAlgorithms ?? [])])];
    const prepared = prepareBody(body, { checksumAlgorithms: algorithms, expectedChecksums, contentMd5, contentLength, signal, md5: adapterWantsMd5(this.#a) });
    try {
      return await this.#a.uploadPart!(key, uploadId, partNumber, prepared, { signal });
    } finally {
      settle(prepared);
    }
  }

  async complete(key: string, uploadId: string, parts: CompletedPart[], options: CompleteMultipartOptions): Promise<ObjectInfo> {
    const op = 'completeMultipart';
    validateUploadId(uploadId, op, key);
    if (!Array.isArray(parts)) throw invalid(op, 'parts must be an array', key);
    for (const p of parts) {
      if (typeof p !== 'object' || p === null || typeof p.etag !== 'string') throw invalid(op, 'Each part needs a partNumber and an etag', key);
      if (p.checksums !== undefined) validateChecksums(p.checksums as Record<string, unknown>, op, key);
    }
    validateWriteConditions(options, this.#caps, op, key);
    validateChecksumOptions({ expectedChecksums: options.expectedChecksums }, this.#caps, op, key);
    if (this.#fallback) return asOperation(op, key, () => this.#fallback!.complete(key, uploadId, parts, options));
    const info = await this.#a.completeMultipart!(key, uploadId, parts, { ...options });
    this.#algorithms.delete(uploadId);
    return info;
  }

  async abort(key: string, uploadId: string, options: OperationOptions): Promise<void> {
    validateUploadId(uploadId, 'abortMultipart', key);
    if (this.#fallback) return asOperation('abortMultipart', key, () => this.#fallback!.abort(key, uploadId, options));
    await this.#a.abortMultipart!(key, uploadId, { ...options });
    this.#algorithms.delete(uploadId);
  }

  async listParts(key: string, uploadId: string, options: ListPartsOptions): Promise<ListPartsResult> {
    const op = 'listParts';
    validateUploadId(uploadId, op, key);
    validateLimit(options.limit, op);
    const m = options.partNumberMarker;
    if (m !== undefined && !(Number.isInteger(m) && m >= 0)) throw invalid(op, 'partNumberMarker must be a non-negative integer', key);
    if (this.#fallback) return asOperation(op, key, () => this.#fallback!.listParts(key, uploadId, options));
    return this.#a.listParts!(key, uploadId, { ...options });
  }

  async listUploads(options: ListUploadsOptions): Promise<ListUploadsResult> {
    const op = 'listMultipartUploads';
    validateString(options.prefix, 'prefix', op);
    validateString(options.delimiter, 'delimiter', op);
    validateString(options.keyMarker, 'keyMarker', op);
    validateString(options.uploadIdMarker, 'uploadIdMarker', op);
    validateLimit(options.limit, op);
    if (this.#fallback) return asOperation(op, undefined, () => this.#fallback!.listUploads(options));
    return this.#a.listMultipartUploads!({ ...options });
  }
}
