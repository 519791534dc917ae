/**
 * The contract's multipart methods mapped one to one onto S3's: CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload, AbortMultipartUpload, ListParts, ListMultipartUploads
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html). S3 enforces the part rules
 * (EntityTooSmall, InvalidPart, InvalidPartOrder), which `toStorageError` maps to reasons.
 *
 * Limitations: conditions, tags and the checksum algorithm given to `startMultipart` are remembered in this
 * process (S3 takes conditions only on CompleteMultipartUpload); an upload completed by another process
 * needs them on `completeMultipart`. A part of unknown length is held in memory to send its Content-Length.
 *
 * Departures of other endpoints absorbed here (measured on Ceph RGW 16): the part list's order is checked
 * before sending (RGW completes an unordered or repeated list); conditions are refused where the endpoint
 * ignores them on complete (`dialect.ts`); a 500 from CompleteMultipartUpload is checked against ListParts, and
 * becomes `NotFound` (NoSuchUpload) when the upload does not exist (RGW answers a missing upload id with
 * "InternalError"); tags the endpoint dropped from CreateMultipartUpload are set on the completed object
 * (`S3Adapter.completeMultipart`).
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type {
  CompleteMultipartUploadCommandOutput,
  CreateMultipartUploadCommandOutput,
  ListPartsCommandOutput,
  UploadPartCommandOutput,
} from '@aws-sdk/client-s3';
import { StorageError, hasErrorCode, normalizeEtag } from '@strata/storage';
import type {
  ChecksumAlgorithm,
  CompletedPart,
  CompleteMultipartOptions,
  ListPartsOptions,
  ListPartsResult,
  ListUploadsOptions,
  ListUploadsResult,
  MultipartUpload,
  OperationOptions,
  PartInfo,
  PreparedBody,
  StartMultipartOptions,
} from '@strata/storage';
import { holdLastChunk, joinHead, peekBody, readableOf } from './body-stream.ts';
import type { S3Core } from './core.ts';
import { requireConditionalComplete, writeIfMatch } from './dialect.ts';
import type { S3Dialect } from './dialect.ts';
import { listUploads } from './list-uploads.ts';
import { CHECKSUM_FIELDS, checksumFields, quoteEtag, rawHeaders, readChecksums } from './object-info.ts';
import { objectFields } from './put.ts';
import { s3CodeOf, toStorageError } from './to-storage-error.ts';

/** What `startMultipart` was told that S3 only takes later. */
interface UploadState {
  ifNoneMatch?: '*';
  ifMatch?: string;
  algorithm?: ChecksumAlgorithm;
  tags?: Record<string, string>;
}

/** Native multipart over one {@link S3Core}. */
export class S3Multipart {
  readonly #core: S3Core;
  readonly #dialect: S3Dialect;
  readonly #uploads = new Map<string, UploadState>();

  constructor(core: S3Core, dialect: S3Dialect) {
    this.#core = core;
    this.#dialect = dialect;
  }

  /** CreateMultipartUpload with the object's metadata, tags and checksum algorithm. */
  async start(key: string, options: StartMultipartOptions): Promise<MultipartUpload> {
    const core = this.#core;
    const algorithm = options.checksumAlgorithms?.[0];
    requireConditionalComplete(options, this.#dialect, 'startMultipart', key);
    const { IfNoneMatch: _n, IfMatch: _m, ...fields } = objectFields(options, this.#dialect);
    const out = await core.send<CreateMultipartUploadCommandOutput>(
      new CreateMultipartUploadCommand({
        Bucket: core.bucket,
        Key: core.s3Key(key),
        ...fields,
        ChecksumAlgorithm: algorithm === undefined ? undefined : CHECKSUM_FIELDS[algorithm].sdk,
        ChecksumType: algorithm === undefined ? undefined : (options.checksumType ?? 'COMPOSITE'),
      }),
      { op: 'startMultipart', key, signal: options.signal, headers: rawHeaders(options) },
    );
    if (out.UploadId === undefined) throw new StorageError('Unavailable', 'S3 returned no UploadId', { op: 'startMultipart', key });
    this.#uploads.set(out.UploadId, { ifNoneMatch: options.ifNoneMatch, ifMatch: options.ifMatch, algorithm, tags: options.tags });
    return { key, uploadId: out.UploadId, initiated: out.$date ?? new Date() };
  }

  /** UploadPart: streamed with its Content-Length when known, else held in memory first. */
  async uploadPart(key: string, uploadId: string, partNumber: number, body: PreparedBody, options: OperationOptions): Promise<PartInfo> {
    const core = this.#core;
    const ctx = { op: 'uploadPart', key, signal: options.signal };
    const algorithm = this.#uploads.get(uploadId)?.algorithm;
    const base = { Bucket: core.bucket, Key: core.s3Key(key), UploadId: uploadId, PartNumber: partNumber };
    let out: UploadPartCommandOutput & { $date?: Date };
    // Unknown length: the part is held whole (S3 needs its length). Known length: an in-memory body comes
    // back whole from the first read (one chunk), anything else is streamed from its first chunk on.
    const peeked = await peekBody(body.stream, body.contentLength === undefined ? Number.MAX_SAFE_INTEGER : 0, body.contentLength).catch((e: unknown) => {
      throw toStorageError(e, ctx);
    });
    if (peeked.whole) {
      const data = joinHead(peeked);
      const d = body.digests();
      out = await core.send(
        new UploadPartCommand({
          ...base,
          Body: data,
          ContentLength: data.length,
          ...checksumFields(d.checksums),
          ChecksumAlgorithm: algorithm === undefined || d.checksums[algorithm] !== undefined ? undefined : CHECKSUM_FIELDS[algorithm].sdk,
        }),
        ctx,
      );
    } else {
      const source = readableOf(holdLastChunk(peeked.rest()));
      let bodyError: unknown;
      const guard = new AbortController();
      const onAbort = () => guard.abort(options.signal?.reason);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      source.once('error', (e) => {
        bodyError = e;
        guard.abort(e);
      });
      try {
        out = await core.send(
          new UploadPartCommand({
            ...base,
            Body: source,
            ContentLength: body.contentLength,
            ChecksumAlgorithm: algorithm === undefined ? undefined : CHECKSUM_FIELDS[algorithm].sdk,
          }),
          { ...ctx, signal: guard.signal },
        );
      } catch (e) {
        throw toStorageError(bodyError ?? e, ctx);
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
      }
    }
    const d = body.digests();
    // S3 computes the part's ETag (the adapter declares bodyMd5 'unused', so there is no local MD5 to fall back on).
    if (out.ETag === undefined) throw new StorageError('Unavailable', 'S3 answered UploadPart without an ETag', { op: 'uploadPart', key });
    const part: PartInfo = { partNumber, size: d.size, etag: normalizeEtag(out.ETag), lastModified: out.$date ?? new Date() };
    const sums = { ...d.checksums, ...(readChecksums(out) ?? {}) };
    if (Object.keys(sums).length > 0) part.checksums = sums;
    return part;
  }

  /**
   * CompleteMultipartUpload with the conditions given here or at start; returns the new object's ETag and the
   * tags given at start (which some endpoints drop).
   */
  async complete(key: string, uploadId: string, parts: CompletedPart[], options: CompleteMultipartOptions): Promise<{ etag: string; tags?: Record<string, string> }> {
    const core = this.#core;
    const op = 'completeMultipart';
    if (parts.length === 0) {
      throw new StorageError('InvalidArgument', 'You must specify at least one part', { op, key, reason: 'InvalidPart' });
    }
    // AWS CompleteMultipartUpload, "Errors": part numbers in ascending order, each once.
    if (parts.some((p, i) => i > 0 && p.partNumber <= parts[i - 1]!.partNumber)) {
      throw new StorageError('InvalidArgument', 'The list of parts was not in ascending order', { op, key, reason: 'InvalidPartOrder' });
    }
    const state = this.#uploads.get(uploadId) ?? {};
    const ifNoneMatch = options.ifNoneMatch ?? state.ifNoneMatch;
    const ifMatch = options.ifMatch ?? state.ifMatch;
    requireConditionalComplete({ ifNoneMatch, ifMatch }, this.#dialect, op, key);
    const command = new CompleteMultipartUploadCommand({
      Bucket: core.bucket,
      Key: core.s3Key(key),
      UploadId: uploadId,
      MultipartUpload: {
        Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: quoteEtag(p.etag), ...checksumFields(p.checksums) })),
      },
      ...checksumFields(options.expectedChecksums),
      IfNoneMatch: ifNoneMatch,
      IfMatch: ifMatch === undefined ? undefined : writeIfMatch(ifMatch, this.#dialect),
    });
    const out = await core
      .send<CompleteMultipartUploadCommandOutput>(command, { op, key, signal: options.signal, createOnly: ifNoneMatch === '*' })
      .catch((e: unknown) => this.#explainFailedComplete(e, key, uploadId, options.signal));
    this.#uploads.delete(uploadId);
    return { etag: normalizeEtag(out.ETag ?? ''), ...(state.tags === undefined ? {} : { tags: state.tags }) };
  }

  /**
   * A complete answered with 500 `InternalError` may have named an upload that does not exist (Ceph RGW answers
   * those so): one ListParts tells, and the error becomes `NotFound` (NoSuchUpload). Any other failure — a
   * dropped connection above all, after which the upload may well have completed — is thrown as it came.
   */
  async #explainFailedComplete(e: unknown, key: string, uploadId: string, signal: AbortSignal | undefined): Promise<never> {
    if (!hasErrorCode(e, 'Unavailable') || s3CodeOf((e as Error).cause) !== 'InternalError') throw e;
    const missing = await this.listParts(key, uploadId, { limit: 1, signal }).then(
      () => false,
      (err: unknown) => hasErrorCode(err, 'NotFound'),
    );
    if (missing) throw new StorageError('NotFound', 'The specified upload does not exist', { op: 'completeMultipart', key, reason: 'NoSuchUpload', cause: e });
    throw e;
  }

  /** AbortMultipartUpload. */
  async abort(key: string, uploadId: string, options: OperationOptions): Promise<void> {
    const core = this.#core;
    await core.send(new AbortMultipartUploadCommand({ Bucket: core.bucket, Key: core.s3Key(key), UploadId: uploadId }), {
      op: 'abortMultipart',
      key,
      signal: options.signal,
    });
    this.#uploads.delete(uploadId);
  }

  /** ListParts, one page. */
  async listParts(key: string, uploadId: string, options: ListPartsOptions): Promise<ListPartsResult> {
    const core = this.#core;
    const out = await core.send<ListPartsCommandOutput>(
      new ListPartsCommand({
        Bucket: core.bucket,
        Key: core.s3Key(key),
        UploadId: uploadId,
        PartNumberMarker: options.partNumberMarker === undefined ? undefined : String(options.partNumberMarker),
        MaxParts: options.limit,
      }),
      { op: 'listParts', key, signal: options.signal },
    );
    const parts = (out.Parts ?? []).map((p): PartInfo => {
      const part: PartInfo = { partNumber: p.PartNumber ?? 0, size: p.Size ?? 0, etag: normalizeEtag(p.ETag ?? ''), lastModified: p.LastModified ?? new Date(0) };
      const sums = readChecksums(p);
      if (sums !== undefined) part.checksums = sums;
      return part;
    });
    const result: ListPartsResult = { parts };
    if (out.IsTruncated === true && out.NextPartNumberMarker !== undefined) result.nextPartNumberMarker = Number(out.NextPartNumberMarker);
    return result;
  }

  /** ListMultipartUploads, one page, keys under the adapter's prefix (`list-uploads.ts`). */
  listUploads(options: ListUploadsOptions): Promise<ListUploadsResult> {
    return listUploads(this.#core, options);
  }
}
