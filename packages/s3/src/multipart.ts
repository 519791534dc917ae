/**
 * The contract's multipart methods mapped one to one onto S3's: CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload, AbortMultipartUpload, ListParts, ListMultipartUploads
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html). S3 enforces the part rules
 * (EntityTooSmall, InvalidPart, InvalidPartOrder), which `toStorageError` maps to reasons.
 *
 * Limitations: conditions and the checksum algorithm given to `startMultipart` are remembered in this
 * process (S3 takes conditions only on CompleteMultipartUpload); an upload completed by another process
 * needs them on `completeMultipart`. A part of unknown length is held in memory to send its Content-Length.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type {
  CompleteMultipartUploadCommandOutput,
  CreateMultipartUploadCommandOutput,
  ListMultipartUploadsCommandOutput,
  ListPartsCommandOutput,
  UploadPartCommandOutput,
} from '@aws-sdk/client-s3';
import { StorageError, normalizeEtag } from '@strata/storage';
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
import { decodeListedKey } from './metadata-codec.ts';
import { CHECKSUM_FIELDS, checksumFields, quoteEtag, rawHeaders, readChecksums } from './object-info.ts';
import { objectFields } from './put.ts';
import { toStorageError } from './to-storage-error.ts';

/** What `startMultipart` was told that S3 only takes later. */
interface UploadState {
  ifNoneMatch?: '*';
  ifMatch?: string;
  algorithm?: ChecksumAlgorithm;
}

/** Native multipart over one {@link S3Core}. */
export class S3Multipart {
  readonly #core: S3Core;
  readonly #uploads = new Map<string, UploadState>();

  constructor(core: S3Core) {
    this.#core = core;
  }

  /** CreateMultipartUpload with the object's metadata, tags and checksum algorithm. */
  async start(key: string, options: StartMultipartOptions): Promise<MultipartUpload> {
    const core = this.#core;
    const algorithm = options.checksumAlgorithms?.[0];
    const { IfNoneMatch: _n, IfMatch: _m, ...fields } = objectFields(options);
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
    this.#uploads.set(out.UploadId, { ifNoneMatch: options.ifNoneMatch, ifMatch: options.ifMatch, algorithm });
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

  /** CompleteMultipartUpload with the conditions given here or at start; returns the new object's ETag. */
  async complete(key: string, uploadId: string, parts: CompletedPart[], options: CompleteMultipartOptions): Promise<{ etag: string }> {
    const core = this.#core;
    if (parts.length === 0) {
      throw new StorageError('InvalidArgument', 'You must specify at least one part', { op: 'completeMultipart', key, reason: 'InvalidPart' });
    }
    const state = this.#uploads.get(uploadId) ?? {};
    const ifNoneMatch = options.ifNoneMatch ?? state.ifNoneMatch;
    const ifMatch = options.ifMatch ?? state.ifMatch;
    const out = await core.send<CompleteMultipartUploadCommandOutput>(
      new CompleteMultipartUploadCommand({
        Bucket: core.bucket,
        Key: core.s3Key(key),
        UploadId: uploadId,
        MultipartUpload: {
          Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: quoteEtag(p.etag), ...checksumFields(p.checksums) })),
        },
        ...checksumFields(options.expectedChecksums),
        IfNoneMatch: ifNoneMatch,
        IfMatch: ifMatch === undefined ? undefined : quoteEtag(ifMatch),
      }),
      { op: 'completeMultipart', key, signal: options.signal, createOnly: ifNoneMatch === '*' },
    );
    this.#uploads.delete(uploadId);
    return { etag: normalizeEtag(out.ETag ?? '') };
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

  /** ListMultipartUploads, one page, keys under the adapter's prefix. */
  async listUploads(options: ListUploadsOptions): Promise<ListUploadsResult> {
    const core = this.#core;
    const out = await core.send<ListMultipartUploadsCommandOutput>(
      new ListMultipartUploadsCommand({
        Bucket: core.bucket,
        Prefix: core.prefix + (options.prefix ?? ''),
        Delimiter: options.delimiter === '' ? undefined : options.delimiter,
        KeyMarker: options.keyMarker === undefined ? undefined : core.s3Key(options.keyMarker),
        UploadIdMarker: options.uploadIdMarker,
        MaxUploads: options.limit,
        EncodingType: 'url',
      }),
      { op: 'listMultipartUploads', signal: options.signal },
    );
    const enc = out.EncodingType === 'url';
    const result: ListUploadsResult = {
      uploads: (out.Uploads ?? []).map((u) => ({
        key: core.contractKey(decodeListedKey(u.Key ?? '', enc)),
        uploadId: u.UploadId ?? '',
        initiated: u.Initiated ?? new Date(0),
      })),
      prefixes: (out.CommonPrefixes ?? []).map((p) => core.contractKey(decodeListedKey(p.Prefix ?? '', enc))),
    };
    if (out.IsTruncated === true) {
      if (out.NextKeyMarker !== undefined) result.nextKeyMarker = core.contractKey(decodeListedKey(out.NextKeyMarker, enc));
      if (out.NextUploadIdMarker !== undefined) result.nextUploadIdMarker = out.NextUploadIdMarker;
    }
    return result;
  }
}
