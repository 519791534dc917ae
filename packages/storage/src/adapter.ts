/**
 * The adapter SPI: the small core an adapter implements. `createStorage(adapter)` wraps it into a
 * {@link Storage}: it validates keys and options, checks capabilities, turns any {@link Body} into a
 * {@link PreparedBody} that hashes (MD5 + requested checksums) and verifies as it is read, evaluates read
 * conditions on the returned info, pages listings over `scan`, fills `op`/`key` on errors, and derives copy,
 * deleteMany, setTags and multipart where the adapter lacks them.
 *
 * Adapters still own what only they can make atomic: put conditions (`ifNoneMatch`, `ifMatch`), copy's source
 * conditions (use `checkReadConditions`), and multipart assembly.
 */
import type { Readable } from 'node:stream';
import type { Capabilities } from './capabilities.ts';
import type {
  ByteRange,
  ChecksumAlgorithm,
  Checksums,
  CompletedPart,
  CompleteMultipartOptions,
  CopyOptions,
  DeleteResult,
  GetResult,
  HeadOptions,
  ListItem,
  ListOptions,
  ListPartsOptions,
  ListPartsResult,
  ListResult,
  ListUploadsOptions,
  ListUploadsResult,
  MultipartUpload,
  ObjectInfo,
  OperationOptions,
  PartInfo,
  PutOptions,
  ReadConditions,
  StartMultipartOptions,
} from './types.ts';

/**
 * What an adapter may declare about the body MD5 (read by the front wrapper with `adapterWantsMd5`).
 * `'unused'`: the adapter never reads `digests().md5` or `digests().etag` — its medium computes and returns the
 * ETag (S3 answers it to PutObject and UploadPart) — so the front wrapper does not hash the body with MD5 unless
 * the caller passed `contentMd5`, which is still verified before the body ends.
 */
export interface BodyMd5Preference {
  /** @default 'needed' */
  readonly bodyMd5?: 'needed' | 'unused';
}

/** The digests of a body, known once it has been read whole. */
export interface BodyDigests {
  /** Bytes read. */
  size: number;
  /** Raw MD5 of the bytes. */
  md5: Buffer;
  /** Hex MD5, the ETag of a single put. */
  etag: string;
  /** The checksums requested or expected, base64; empty when none. */
  checksums: Checksums;
}

/**
 * A body as adapters receive it: a byte stream that hashes as it is read. When the stream ends, expected
 * checksums, Content-MD5 and length are verified; on a mismatch the stream errors (StorageError
 * `InvalidArgument`, reason `BadDigest`/`IncompleteBody`) *instead of* ending, so an adapter that consumes the
 * stream fully before committing can never commit a body that failed verification. Read it once.
 */
export interface PreparedBody {
  /** The bytes, as Buffers (never strings). Errors with `Aborted` when the operation's signal fires. */
  readonly stream: Readable;
  /**
   * The checksum algorithms `digests().checksums` will report, known before the body is read (the S3 adapter
   * names them on the request so the endpoint stores them too).
   */
  readonly checksumAlgorithms: readonly ChecksumAlgorithm[];
  /** The declared length, if the caller gave one (a hint for preallocation; verified at the end). */
  readonly contentLength: number | undefined;
  /** The digests; throws if called before the stream ended successfully. */
  digests(): BodyDigests;
}

/** Options of {@link StorageAdapter.scan}. */
export interface ScanOptions extends OperationOptions {
  /** Only keys starting with this string ('' for all). */
  prefix: string;
  /** Only keys strictly after this one in UTF-8 byte order. */
  startAfter?: string;
  /**
   * When true, keys that start with `startAfter` are skipped too — the front wrapper uses it to jump past a
   * common prefix without reading the keys beneath it (a whole directory, on the file adapter).
   */
  skipDescendants?: boolean;
}

/** Put options as adapters receive them (verification options are handled by the {@link PreparedBody}). */
export type AdapterPutOptions = Omit<PutOptions, 'expectedChecksums' | 'contentMd5' | 'contentLength' | 'checksumAlgorithms'>;

/** Get options as adapters receive them: conditions may be evaluated natively; the front re-checks the info. */
export interface AdapterGetOptions extends OperationOptions, ReadConditions {
  range?: ByteRange;
}

/**
 * The core an adapter implements. Optional groups: `copy`, `deleteMany`, `setTags`, and the multipart methods
 * (all six or none). `scan` or `list` must exist: `scan` yields keys in UTF-8 byte order and the front wrapper
 * pages it (preferred: identical paging everywhere); `list` is for media that page natively (S3).
 */
export interface StorageAdapter extends BodyMd5Preference {
  /** A short name for messages and metrics (`memory`, `file`, `block`, `s3`). */
  readonly name: string;
  readonly capabilities: Capabilities;

  /** Consumes `body` fully, then commits atomically per `options` (see `Storage.put`). */
  put(key: string, body: PreparedBody, options: AdapterPutOptions): Promise<ObjectInfo>;
  /** Resolves `range` with `resolveRange`; throws `NotFound`. Conditions may be ignored (the front checks). */
  get(key: string, options: AdapterGetOptions): Promise<GetResult>;
  head(key: string, options: HeadOptions): Promise<ObjectInfo>;
  /** Idempotent. */
  delete(key: string, options: OperationOptions): Promise<void>;

  scan?(options: ScanOptions): AsyncIterable<ListItem>;
  list?(options: ListOptions): Promise<ListResult>;

  /** Must evaluate `options.source` with `checkReadConditions` and destination conditions atomically. */
  copy?(source: string, destination: string, options: CopyOptions): Promise<ObjectInfo>;
  deleteMany?(keys: string[], options: OperationOptions): Promise<DeleteResult[]>;
  setTags?(key: string, tags: Record<string, string>, options: OperationOptions & { ifMatch?: string }): Promise<ObjectInfo>;

  startMultipart?(key: string, options: StartMultipartOptions): Promise<MultipartUpload>;
  uploadPart?(key: string, uploadId: string, partNumber: number, body: PreparedBody, options: OperationOptions): Promise<PartInfo>;
  /** Use `selectCompletedParts` for the shared validation and `multipartEtag` for the ETag. */
  completeMultipart?(key: string, uploadId: string, parts: CompletedPart[], options: CompleteMultipartOptions): Promise<ObjectInfo>;
  abortMultipart?(key: string, uploadId: string, options: OperationOptions): Promise<void>;
  listParts?(key: string, uploadId: string, options: ListPartsOptions): Promise<ListPartsResult>;
  listMultipartUploads?(options: ListUploadsOptions): Promise<ListUploadsResult>;

  close?(): Promise<void>;
}
