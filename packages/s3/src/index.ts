/**
 * `@strata/s3`: the storage contract over any S3 endpoint (AWS S3, MinIO, Ceph RGW, Strata's object server),
 * on `@aws-sdk/client-s3` and `@aws-sdk/lib-storage`.
 *
 * ## Semantics
 * - Keys are stored as `prefix + key` in one bucket. Listings are S3's (UTF-8 byte order), cursors are S3
 *   continuation tokens.
 * - put is one PutObject when the body ends within `partSize` bytes or its length is known (≤ 5 GiB; bytes and
 *   strings always are); a longer body of unknown length is a multipart upload through lib-storage's `Upload`.
 * - Bodies are not hashed with MD5 on the client: S3 computes the ETag (the adapter declares `bodyMd5: 'unused'`),
 *   and an in-memory body's SHA-256 is signed (`x-amz-content-sha256`) and verified by S3. A caller's
 *   `contentMd5` is still verified by the front wrapper before the body ends.
 * - get streams the SDK's body and resumes after a dropped connection with a Range request pinned by If-Match.
 * - Read conditions and put conditions are sent as HTTP headers and evaluated by S3, atomically.
 * - User metadata values outside printable ASCII are RFC 2047 encoded-words on the wire (see `metadata-codec.ts`).
 *
 * ## Limitations
 * - Memory: a put holds at most `partSize` bytes before deciding; a multipart put holds up to
 *   `partSize × (queueSize + 1)` bytes (defaults 8 MiB × 5 = 40 MiB).
 * - A put larger than `partSize` with unknown length gets S3's multipart ETag (`md5-of-md5s-N`), not the MD5.
 * - setTags' `ifMatch` is checked by a HEAD first (S3 has no conditional PutObjectTagging).
 * - Endpoints differ: declare or probe what they honour (`capabilities`) and how they depart from AWS
 *   (`dialect`), {@link probeS3Capabilities} finds both.
 *
 * ## Capabilities
 * Default: conditional put, native multipart (5 MiB minimum part), native copy, tags, checksums, durable,
 * objects up to 5 TiB, keys up to 1024 UTF-8 bytes minus the prefix's (`maxKeyBytes`; S3 refuses longer keys
 * with `KeyTooLongError`, AWS "Object key naming guidelines", and the front wrapper now refuses them with
 * `InvalidKey` before any request). Override per endpoint with `capabilities`.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createStorage, defineCapabilities } from '@strata/storage';
import type { Capabilities, Storage } from '@strata/storage';
import { S3Core, createS3Client, requireOption } from './core.ts';
import { AWS_DIALECT } from './dialect.ts';
import type { S3Dialect } from './dialect.ts';
import { S3Adapter } from './s3-adapter.ts';
import { registerS3Storage } from './presign.ts';

export { S3Adapter } from './s3-adapter.ts';
export { S3Core, createS3Client } from './core.ts';
export { toStorageError, S3_ERROR_TABLE } from './to-storage-error.ts';
export { encodeMetadataValue, decodeMetadataValue } from './metadata-codec.ts';
export { encodeCopySource } from './copy.ts';
export { resumableBody } from './resumable-get.ts';
export type { ResumableBodyOptions } from './resumable-get.ts';
export { AWS_DIALECT } from './dialect.ts';
export type { S3Dialect } from './dialect.ts';
export { probeS3Capabilities } from './probe.ts';
export type { S3ProbeResult } from './probe.ts';
export { presignGet, presignPut } from './presign.ts';
export type { PresignOptions, PresignPutOptions, PresignTarget } from './presign.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Options of {@link createS3Adapter}. */
export interface S3AdapterOptions {
  /** Endpoint URL, e.g. `http://127.0.0.1:9000`; omit for AWS. Ignored when `client` is given. */
  endpoint?: string;
  /** The region to sign for (`us-east-1` for most non-AWS endpoints). */
  region: string;
  /** The bucket; it must exist. */
  bucket: string;
  /** Prepended to every key (`tenant-a/`). @default '' */
  prefix?: string;
  /** Static credentials; omit to use the SDK's default chain (env, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Path-style addressing. @default true when `endpoint` is set, else false */
  forcePathStyle?: boolean;
  /** A client to use instead of building one (it is not destroyed on close). */
  client?: S3Client;
  /**
   * Overrides of the declared capabilities (e.g. from {@link probeS3Capabilities}). `maxKeyBytes` here is the
   * endpoint's limit on a stored key, prefix included; the adapter declares it less the prefix's bytes.
   * @default S3_DEFAULT_CAPABILITIES
   */
  capabilities?: Partial<Capabilities>;
  /**
   * How the endpoint departs from AWS where the adapter works around it (e.g. Ceph RGW's bare If-Match ETags);
   * `probeS3Capabilities(...).dialect` finds it. @default AWS_DIALECT
   */
  dialect?: Partial<S3Dialect>;
  /** Part size of multipart puts, and the largest body held to send as one request. @default 8 MiB (min 5 MiB) */
  partSize?: number;
  /** Parts uploaded at once by a multipart put or copy. @default 4 */
  queueSize?: number;
  /** How many times one GET body may resume after a dropped connection. @default 3 */
  maxResumes?: number;
  /** Fetch tags on get/head when the object has some (one more request then). @default true */
  readTags?: boolean;
  /** Sources above this size are copied with UploadPartCopy. @default 5 GiB (S3's CopyObject limit) */
  maxCopySize?: number;
  /** Part size of a multipart copy. @default 512 MiB */
  copyPartSize?: number;
}

/**
 * The longest object key S3 accepts, in UTF-8 bytes (AWS "Object key naming guidelines"; longer keys fail with
 * `KeyTooLongError`). Strata's object server keeps the same limit.
 */
export const S3_MAX_KEY_BYTES = 1024;

/**
 * The capabilities an S3 endpoint is assumed to have unless told otherwise (AWS S3 as of 2024). `maxKeyBytes`
 * is the endpoint's limit; an adapter with a prefix declares that limit less the prefix's bytes.
 */
export const S3_DEFAULT_CAPABILITIES: Readonly<Capabilities> = Object.freeze(
  defineCapabilities({ minPartSize: 5 * MiB, maxObjectSize: 5 * 1024 * GiB, maxKeyBytes: S3_MAX_KEY_BYTES }),
);

/**
 * Creates the S3 adapter. Options are validated at once (a missing `bucket` or `region` throws here, naming
 * the option), no request is made until the first operation.
 */
export function createS3Adapter(options: S3AdapterOptions): S3Adapter {
  requireOption(typeof options === 'object' && options !== null, 'options', 'must be an object');
  requireOption(typeof options.bucket === 'string' && options.bucket.length > 0, 'bucket', 'must be a non-empty string');
  requireOption(options.client !== undefined || (typeof options.region === 'string' && options.region.length > 0), 'region', 'must be a non-empty string');
  requireOption(options.prefix === undefined || typeof options.prefix === 'string', 'prefix', 'must be a string');
  const prefix = options.prefix ?? '';
  const endpointMaxKeyBytes = options.capabilities?.maxKeyBytes ?? S3_MAX_KEY_BYTES;
  const prefixBytes = Buffer.byteLength(prefix, 'utf8');
  requireOption(prefixBytes < endpointMaxKeyBytes, 'prefix', `is ${prefixBytes} UTF-8 bytes; keys under it must stay within ${endpointMaxKeyBytes} bytes`);
  const partSize = options.partSize ?? 8 * MiB;
  requireOption(Number.isSafeInteger(partSize) && partSize >= 5 * MiB && partSize <= 5 * GiB, 'partSize', 'must be an integer from 5 MiB to 5 GiB (S3 part limits)');
  const queueSize = options.queueSize ?? 4;
  requireOption(Number.isSafeInteger(queueSize) && queueSize >= 1, 'queueSize', 'must be a positive integer');
  const maxResumes = options.maxResumes ?? 3;
  requireOption(Number.isSafeInteger(maxResumes) && maxResumes >= 0, 'maxResumes', 'must be a non-negative integer');
  if (options.endpoint !== undefined) {
    requireOption(URL.canParse(options.endpoint), 'endpoint', `is not a URL: ${options.endpoint}`);
  }
  const client =
    options.client ??
    createS3Client({ endpoint: options.endpoint, region: options.region, credentials: options.credentials, forcePathStyle: options.forcePathStyle });
  const core = new S3Core(client, options.bucket, prefix);
  // Keys are stored as prefix + key, so the prefix eats into the endpoint's key limit.
  const capabilities: Capabilities = { ...S3_DEFAULT_CAPABILITIES, ...options.capabilities, maxKeyBytes: endpointMaxKeyBytes - prefixBytes };
  return new S3Adapter(core, capabilities, {
    partSize,
    queueSize,
    maxSinglePut: 5 * GiB,
    checksums: capabilities.checksums,
    readTags: (options.readTags ?? true) && capabilities.tags,
    maxResumes,
    maxCopySize: options.maxCopySize ?? 5 * GiB,
    copyPartSize: Math.max(5 * MiB, options.copyPartSize ?? 512 * MiB),
    ownsClient: options.client === undefined,
    dialect: { ...AWS_DIALECT, ...options.dialect },
  });
}

/** `createStorage(createS3Adapter(options))`: the full {@link Storage} over an S3 bucket. */
export function createS3Storage(options: S3AdapterOptions): Storage {
  const adapter = createS3Adapter(options);
  const storage = createStorage(adapter);
  registerS3Storage(storage, adapter);
  return storage;
}
