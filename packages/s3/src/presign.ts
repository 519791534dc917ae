/**
 * Presigned URLs (AWS SigV4 query signing, https://docs.aws.amazon.com/AmazonS3/latest/userguide/ShareObjectPreSignedURL.html)
 * for a key of an S3 adapter or storage: a browser or another service can then GET or PUT that one object
 * without credentials until the URL expires. The key gets the adapter's prefix, as every operation does.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { StorageError, assertValidKey } from '@strata/storage';
import type { StandardHeaders, Storage } from '@strata/storage';
import type { S3Core } from './core.ts';
import { encodeMetadata } from './metadata-codec.ts';
import { standardFields } from './object-info.ts';
import { S3Adapter } from './s3-adapter.ts';

/** Options of {@link presignGet} and {@link presignPut}. */
export interface PresignOptions {
  /** Seconds the URL stays valid (SigV4 allows up to 7 days). @default 900 */
  expiresIn?: number;
}

/** Options of {@link presignPut}: headers the uploader must send are signed into the URL. */
export interface PresignPutOptions extends PresignOptions, StandardHeaders {
  userMetadata?: Record<string, string>;
}

/** Storages made by `createS3Storage`, mapped to their adapter so a Storage can be presigned. */
const adapters = new WeakMap<object, S3Adapter>();

/** Records that `storage` is backed by `adapter` (called by `createS3Storage`). */
export function registerS3Storage(storage: Storage, adapter: S3Adapter): void {
  adapters.set(storage, adapter);
}

/** Something presignable: an S3 adapter, a storage created by `createS3Storage`, or an `S3Core`. */
export type PresignTarget = S3Adapter | Storage | S3Core;

function coreOf(target: PresignTarget): S3Core {
  if (target instanceof S3Adapter) return target.core;
  const adapter = adapters.get(target);
  if (adapter !== undefined) return adapter.core;
  if ('client' in target && 'bucket' in target) return target;
  throw new StorageError('Unsupported', 'presign needs an S3 adapter or a storage made by createS3Storage');
}

function expiry(options: PresignOptions): number {
  const expiresIn = options.expiresIn ?? 900;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 604_800) {
    throw new StorageError('InvalidArgument', `expiresIn must be an integer from 1 to 604800 seconds, got ${expiresIn}`);
  }
  return expiresIn;
}

/** A URL that GETs `key` until it expires. */
export async function presignGet(target: PresignTarget, key: string, options: PresignOptions = {}): Promise<string> {
  assertValidKey(key, 'presignGet');
  const core = coreOf(target);
  return getSignedUrl(core.client, new GetObjectCommand({ Bucket: core.bucket, Key: core.s3Key(key) }), { expiresIn: expiry(options) });
}

/**
 * A URL that PUTs `key` until it expires. Content-Type and user metadata given here are signed, so the
 * uploader must send the same headers.
 */
export async function presignPut(target: PresignTarget, key: string, options: PresignPutOptions = {}): Promise<string> {
  assertValidKey(key, 'presignPut');
  const core = coreOf(target);
  const cmd = new PutObjectCommand({
    Bucket: core.bucket,
    Key: core.s3Key(key),
    ...standardFields(options),
    Metadata: encodeMetadata(options.userMetadata),
  });
  return getSignedUrl(core.client, cmd, { expiresIn: expiry(options) });
}
