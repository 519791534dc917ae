/**
 * The storage contract. Services import {@link Storage}; adapters implement {@link StorageAdapter} and are
 * wrapped by `createStorage(adapter)`, which validates keys and options once, checks capabilities before any
 * I/O, hashes bodies, fills error context and derives the optional operations an adapter lacks.
 *
 * Semantics every adapter honours are written on each method (the conformance suite is their executable form).
 * Missing keys throw `NotFound`; no method returns `null` for "absent".
 */
import type { Readable } from 'node:stream';
import type { Capabilities } from './capabilities.ts';

/** The checksum algorithms of S3's flexible checksums. Values are base64 of the big-endian digest. */
export type ChecksumAlgorithm = 'crc32' | 'crc32c' | 'crc64nvme' | 'sha1' | 'sha256';

/** Checksums by algorithm, each the base64 of the big-endian digest (as S3's `x-amz-checksum-*` headers). */
export type Checksums = Partial<Record<ChecksumAlgorithm, string>>;

/**
 * A body accepted by `put` and `uploadPart`. Strings are UTF-8 encoded. Streams and iterables are consumed
 * once, with bounded memory; they are never buffered whole by the contract.
 */
export type Body =
  | Uint8Array
  | string
  | Readable
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array>;

/** The standard HTTP representation headers S3 stores with an object. Values are stored and returned verbatim. */
export interface StandardHeaders {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  /** The `Expires` header, verbatim (an HTTP-date string, RFC 9111 §5.3). */
  expires?: string;
}

/** Everything stored about an object besides its bytes. Metadata written is metadata read back. */
export interface ObjectInfo extends StandardHeaders {
  key: string;
  /** Length in bytes of the whole object. */
  size: number;
  /**
   * A strong validator without quotes: hex MD5 of the content for a single put, `md5(concat(part md5s))-N` for
   * a multipart object (N parts). S3 clients compare it with their own MD5.
   */
  etag: string;
  /** When the object was written (millisecond precision; HTTP dates truncate it to seconds). */
  lastModified: Date;
  /** User metadata: names lower-cased, values strings (any Unicode). */
  userMetadata: Record<string, string>;
  /** Checksums stored with the object, when any were requested or supplied at write time. */
  checksums?: Checksums;
  /** For multipart objects: `composite` checksums are checksums of part checksums (`…-N`), as in S3. */
  checksumType?: 'FULL_OBJECT' | 'COMPOSITE';
  /** Object tags (S3 allows up to 10). */
  tags: Record<string, string>;
  /** Number of parts for a multipart object; absent for single puts. */
  partCount?: number;
}

/** One item of a listing: the fields S3's ListObjectsV2 returns for `Contents`. */
export interface ListItem {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
}

/** Conditions on a read, evaluated with S3's precedence (RFC 9110 §13.2.2). */
export interface ReadConditions {
  /** Fails with `PreconditionFailed` unless the ETag matches (`*` matches any existing object). */
  ifMatch?: string;
  /** Fails with `NotModified` when the ETag matches (`*` matches any existing object). */
  ifNoneMatch?: string;
  /** Fails with `NotModified` unless the object changed after this instant (second precision). */
  ifModifiedSince?: Date;
  /** Fails with `PreconditionFailed` when the object changed after this instant (second precision). */
  ifUnmodifiedSince?: Date;
}

/** Options every operation takes. */
export interface OperationOptions {
  /** Aborts the operation; it then throws `Aborted` and leaves no partial effect. */
  signal?: AbortSignal;
}

/** A byte range: `{ start, end }` (inclusive end), `{ start }` (to the end), or `{ suffix }` (the last n bytes). */
export type ByteRange = { start: number; end?: number } | { suffix: number };

/** Options of {@link Storage.put}. */
export interface PutOptions extends OperationOptions, StandardHeaders {
  userMetadata?: Record<string, string>;
  tags?: Record<string, string>;
  /** `'*'`: create-only; fails with `AlreadyExists` if any object exists, atomically with the write. */
  ifNoneMatch?: '*';
  /** Write only if the current ETag equals this one, atomically; else `PreconditionFailed` (also if absent). */
  ifMatch?: string;
  /** Checksums to compute over the body and store (returned in `ObjectInfo.checksums`). */
  checksumAlgorithms?: ChecksumAlgorithm[];
  /**
   * Checksums the body must have. A function is called once the body has been read whole (for values that
   * arrive in an HTTP trailer); its algorithms must also be named in `checksumAlgorithms`, as S3's
   * `x-amz-trailer` announces a trailing checksum before the body, so it is computed as the bytes flow. A mismatch fails the put with `InvalidArgument` (reason `BadDigest`) and stores
   * nothing. Expected algorithms are also stored.
   */
  expectedChecksums?: Checksums | (() => Checksums | undefined);
  /** Base64 MD5 the body must have (`Content-MD5`); a mismatch fails like a checksum mismatch. */
  contentMd5?: string;
  /** The body's exact length, when known; a body of another length fails with `InvalidArgument` (`IncompleteBody`). */
  contentLength?: number;
}

/** Options of {@link Storage.get}. */
export interface GetOptions extends OperationOptions, ReadConditions {
  range?: ByteRange;
}

/** Options of {@link Storage.head}. */
export interface HeadOptions extends OperationOptions, ReadConditions {}

/** The result of {@link Storage.get}. */
export interface GetResult {
  info: ObjectInfo;
  /** The requested bytes. Consume or destroy it: an unconsumed stream holds a file handle or a page pin. */
  body: Readable;
  /** The inclusive byte range returned, when a range was asked for. */
  range?: { start: number; end: number };
}

/** Options of {@link Storage.list}. */
export interface ListOptions extends OperationOptions {
  /** Only keys starting with this string. */
  prefix?: string;
  /** Groups keys sharing `prefix + … + delimiter` into one common prefix. */
  delimiter?: string;
  /** Only keys (and common prefixes) strictly after this key in UTF-8 byte order. */
  startAfter?: string;
  /** At most this many entries (keys plus common prefixes) per page. @default 1000 */
  limit?: number;
  /** A cursor from a previous page of the same listing. */
  cursor?: string;
}

/** One page of a listing. */
export interface ListResult {
  /** Objects, in strict UTF-8 byte order of their keys. */
  items: ListItem[];
  /** Common prefixes (with a delimiter), in the same order, merged with `items` in that order. */
  prefixes: string[];
  /** Opaque: pass as `cursor` to get the next page. Absent on the last page. */
  cursor?: string;
}

/** Options of {@link Storage.copy}. */
export interface CopyOptions extends OperationOptions, StandardHeaders {
  /**
   * `'copy'` keeps the source's metadata and tags; `'replace'` uses the headers, `userMetadata` and `tags` of
   * these options instead. @default 'copy'
   */
  metadataDirective?: 'copy' | 'replace';
  userMetadata?: Record<string, string>;
  tags?: Record<string, string>;
  /**
   * Conditions on the source (S3's `x-amz-copy-source-if-*`), evaluated with read precedence; any unmet one
   * fails the copy with `PreconditionFailed` (a copy has no "not modified" answer, as in S3's CopyObject).
   */
  source?: ReadConditions;
  /** Create-only / compare-and-swap on the destination, as for put. */
  ifNoneMatch?: '*';
  ifMatch?: string;
  /** Copy only this range of the source (used by UploadPartCopy through the generic path). */
  range?: ByteRange;
}

/**
 * Options of {@link Storage.move}: those of {@link CopyOptions} but a range (moving part of an object would
 * delete the rest). `ifNoneMatch` / `ifMatch` apply to the destination, `source` conditions to the source.
 */
export type MoveOptions = Omit<CopyOptions, 'range'>;

/** Options of {@link Storage.listAll}. */
export interface ListAllOptions extends OperationOptions {
  /** Only keys starting with this string. */
  prefix?: string;
  /** Only keys strictly after this key in UTF-8 byte order. */
  startAfter?: string;
  /**
   * At most this many objects in all, across pages; the iteration ends after the last one. Unlike
   * `ListOptions.limit` this is not a page size (see `pageSize`). @default no limit
   */
  limit?: number;
  /** Objects asked for per `list` call (1..1000): a smaller page holds less in memory, a larger one needs fewer calls. @default 1000 */
  pageSize?: number;
}

/** The result of one key of {@link Storage.deleteMany}. */
export type DeleteResult = { key: string; ok: true } | { key: string; ok: false; error: Error };

/** Options of {@link Storage.startMultipart}. */
export type StartMultipartOptions = Omit<PutOptions, 'expectedChecksums' | 'contentMd5' | 'contentLength'> & {
  /** For checksums: a full-object checksum (crc kinds only) or a composite of part checksums. @default 'COMPOSITE' */
  checksumType?: 'FULL_OBJECT' | 'COMPOSITE';
};

/** An in-progress multipart upload. */
export interface MultipartUpload {
  key: string;
  uploadId: string;
  initiated: Date;
}

/** Options of {@link Storage.uploadPart}. */
export interface UploadPartOptions extends OperationOptions {
  /**
   * Checksums to compute over this part, besides those named at `startMultipart`. S3 clients send a part
   * checksum (e.g. CRC32) on every UploadPart even when the upload was started without one.
   */
  checksumAlgorithms?: ChecksumAlgorithm[];
  expectedChecksums?: Checksums | (() => Checksums | undefined);
  contentMd5?: string;
  contentLength?: number;
}

/** A stored part. */
export interface PartInfo {
  partNumber: number;
  size: number;
  /** Hex MD5 of the part, without quotes. */
  etag: string;
  lastModified: Date;
  checksums?: Checksums;
}

/** A part named in a complete request. */
export interface CompletedPart {
  partNumber: number;
  /** The part's ETag as returned by uploadPart (quotes are ignored). */
  etag: string;
  /** Optional checksums to verify against the stored part. */
  checksums?: Checksums;
}

/** Options of {@link Storage.completeMultipart}. */
export interface CompleteMultipartOptions extends OperationOptions {
  ifNoneMatch?: '*';
  ifMatch?: string;
  /** Expected full-object or composite checksums of the result. */
  expectedChecksums?: Checksums;
}

/** Options of {@link Storage.listParts}. */
export interface ListPartsOptions extends OperationOptions {
  /** Only parts with a number greater than this. */
  partNumberMarker?: number;
  /** @default 1000 */
  limit?: number;
}

/** A page of parts. */
export interface ListPartsResult {
  parts: PartInfo[];
  /** Set when more parts follow: pass as `partNumberMarker`. */
  nextPartNumberMarker?: number;
}

/** Options of {@link Storage.listMultipartUploads}. */
export interface ListUploadsOptions extends OperationOptions {
  prefix?: string;
  delimiter?: string;
  keyMarker?: string;
  uploadIdMarker?: string;
  /** @default 1000 */
  limit?: number;
}

/** A page of in-progress uploads, ordered by key (UTF-8 bytes) then initiation time. */
export interface ListUploadsResult {
  uploads: MultipartUpload[];
  prefixes: string[];
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
}

/** The multipart rules S3 enforces, which the contract shares. */
export const MULTIPART_LIMITS = {
  /** Every part but the last must be at least this long (S3: 5 MiB). Adapters may declare a smaller minimum. */
  minPartSize: 5 * 1024 * 1024,
  maxPartNumber: 10_000,
} as const;

/**
 * The storage contract, as services use it.
 *
 * Keys are UTF-8 strings of 1..2048 bytes without NUL; invalid keys throw `InvalidKey` before any I/O. Every
 * operation takes an AbortSignal and throws only {@link StorageError}s.
 */
export interface Storage {
  /** What this storage honours; operations and options beyond it throw `Unsupported` before any I/O. */
  readonly capabilities: Capabilities;

  /**
   * Stores `body` at `key` with its metadata. Atomic: a reader sees the old object or the new one, never a
   * partial one, also after a crash of the process (or device) mid-write; a failed, aborted or short body
   * leaves the old object in place. Conditions (`ifNoneMatch: '*'`, `ifMatch`) are evaluated atomically with
   * the write against concurrent writers. Returns the stored object's info (etag = hex MD5 of the body).
   */
  put(key: string, body: Body, options?: PutOptions): Promise<ObjectInfo>;

  /**
   * Reads an object: its info and a stream of its bytes (or of `range`). Throws `NotFound` when absent,
   * `InvalidRange` when a range starts beyond the end of a non-empty object (a suffix longer than the object
   * returns it whole), and `PreconditionFailed`/`NotModified` per the conditions with S3's precedence:
   * If-Match, then If-Unmodified-Since (ignored when If-Match is given), then If-None-Match, then
   * If-Modified-Since (ignored when If-None-Match is given).
   */
  get(key: string, options?: GetOptions): Promise<GetResult>;

  /** The object's info, with the same conditions as `get`. Throws `NotFound` when absent. */
  head(key: string, options?: HeadOptions): Promise<ObjectInfo>;

  /** Deletes the object. Idempotent: deleting an absent key succeeds. */
  delete(key: string, options?: OperationOptions): Promise<void>;

  /** Deletes many keys; one result per key in input order, never throwing for a single key's failure. */
  deleteMany(keys: string[], options?: OperationOptions): Promise<DeleteResult[]>;

  /**
   * Lists keys in strict UTF-8 byte order (not UTF-16 code-unit order), with prefix, delimiter (common
   * prefixes), startAfter, limit and an opaque resumable cursor. Same input, same pages, on every adapter.
   */
  list(options?: ListOptions): Promise<ListResult>;

  /**
   * Every object of a listing, page after page: `for await (const item of storage.listAll({ prefix }))`.
   * Items come in strict UTF-8 byte order, as from `list` (each page is one `list` call of `pageSize`
   * items; no delimiter: every key under the prefix is yielded, folder markers included). Stops after `limit`
   * items; leaving the loop early (`break`) fetches no further page. The signal is checked before each page
   * and each item: once it fires the iteration throws `Aborted`. Errors are those of `list`, with `op`
   * `listAll`. A listing is not a snapshot: keys written or deleted while iterating may or may not appear.
   */
  listAll(options?: ListAllOptions): AsyncIterable<ListItem>;

  /**
   * Whether an object exists at `key`: `head` that answers `false` for `NotFound`. Every other error —
   * `InvalidKey`, `PermissionDenied`, `Unavailable`, `Aborted` — is thrown, so `false` always means "absent".
   */
  exists(key: string, options?: OperationOptions): Promise<boolean>;

  /**
   * Moves an object: copies `source` to `destination`, then deletes `source`. Returns the destination's info.
   * Never loses data: the source is deleted only after the copy is committed (durably, on a `durable`
   * storage), and only if it still holds the version that was copied.
   *
   * Steps (each a contract call, so layers, retries and traces see them): `head(source)` with the `source`
   * conditions (an unmet one fails with `PreconditionFailed`, as for copy); `copy` pinned to that version
   * (source `ifMatch` its ETag) with the destination conditions (`ifNoneMatch: '*'` → `AlreadyExists`,
   * `ifMatch` → `PreconditionFailed`) and metadata per `metadataDirective`; `head(source)` again; `delete`.
   *
   * On failure: before the copy commits nothing has changed; after it, the destination holds the copy and the
   * source is still there (a failed or aborted delete). If the source was overwritten meanwhile, it is kept
   * and the move fails with `PreconditionFailed`; if it was deleted meanwhile, the move succeeds. The contract
   * has no conditional delete (S3's `If-Match` on DeleteObject), so a write landing between that last check
   * and the delete is lost. `source === destination` fails with `InvalidArgument` before any I/O (a copy onto
   * itself followed by the delete would destroy the object). Not atomic (S3 itself moves by CopyObject then
   * DeleteObject: AWS S3 User Guide, "Copying, moving, and renaming objects"): between the copy and the delete
   * a reader sees both keys, and a crash there leaves both — never neither, never a partial object. Errors
   * carry `op` `move` and the key of the step that failed.
   */
  move(source: string, destination: string, options?: MoveOptions): Promise<ObjectInfo>;

  /**
   * Copies `source` to `destination` (the same key replaces its own metadata). Metadata is kept or replaced per
   * `metadataDirective`; conditions on the source as for `get`. Atomic like put. Returns the new object's info.
   */
  copy(source: string, destination: string, options?: CopyOptions): Promise<ObjectInfo>;

  /**
   * Replaces the object's tags without rewriting its bytes; the ETag is unchanged. `ifMatch` as for put.
   * Throws `NotFound` when absent.
   */
  setTags(key: string, tags: Record<string, string>, options?: OperationOptions & { ifMatch?: string }): Promise<ObjectInfo>;

  /** Starts a multipart upload; metadata and conditions given here apply to the completed object. */
  startMultipart(key: string, options?: StartMultipartOptions): Promise<MultipartUpload>;

  /**
   * Stores one part (1..10000), in any order; uploading a number again replaces that part. Throws `NotFound`
   * (reason `NoSuchUpload`) for an unknown upload.
   */
  uploadPart(key: string, uploadId: string, partNumber: number, body: Body, options?: UploadPartOptions): Promise<PartInfo>;

  /**
   * Assembles the listed parts (ascending numbers, a subset of those uploaded) into the object, atomically.
   * Every part but the last must be at least `capabilities.minPartSize` bytes (`InvalidArgument`, reason
   * `EntityTooSmall`); unknown parts or ETags fail with reason `InvalidPart`, unordered lists with
   * `InvalidPartOrder`. The ETag is `md5(concat(part md5s))-N`. The upload is gone afterwards.
   */
  completeMultipart(key: string, uploadId: string, parts: CompletedPart[], options?: CompleteMultipartOptions): Promise<ObjectInfo>;

  /** Abandons an upload and frees its parts. Throws `NotFound` (reason `NoSuchUpload`) if unknown. */
  abortMultipart(key: string, uploadId: string, options?: OperationOptions): Promise<void>;

  /** The parts of an upload in ascending part number. */
  listParts(key: string, uploadId: string, options?: ListPartsOptions): Promise<ListPartsResult>;

  /** In-progress uploads, by key then initiation. */
  listMultipartUploads(options?: ListUploadsOptions): Promise<ListUploadsResult>;

  /** Releases resources (file locks, device handles). Further calls throw `Unavailable`. */
  close(): Promise<void>;
}
