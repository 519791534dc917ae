/**
 * Object lock headers on CreateMultipartUpload (`x-amz-object-lock-mode`, `-retain-until-date`,
 * `-legal-hold`: https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html) apply to the
 * object the upload completes into. They are checked when the upload starts, as PutObject checks them
 * (lock-headers.ts), and kept in a small record beside the upload until it completes; the completed version
 * gets them, or — without a mode — the bucket's default retention as it stands at completion, when the
 * version is created (AWS "Using S3 Object Lock", "Bucket configuration":
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html).
 *
 * The record goes with the completion, an AbortMultipartUpload or a lifecycle abort; one a crash leaves
 * behind is never read again, its upload id being gone.
 */
import { hasErrorCode, readText } from '@strata/storage';
import type { Storage, VersionFields, VersionRetention } from '@strata/storage';
import { RESERVED_PREFIX } from '../bucket-registry.ts';
import type { S3Context } from '../context.ts';
import { defaultRetentionAt } from './lock-config.ts';
import { hasLockHeaders, lockFieldsForWrite } from './lock-headers.ts';

const UPLOAD_LOCKS = `${RESERVED_PREFIX}upload-locks/`;

/** The lock settings named when an upload started, with the object they belong to. */
interface UploadLockRecord {
  bucket: string;
  key: string;
  retention?: VersionRetention;
  legalHold?: true;
}

/**
 * Checks the lock headers of a CreateMultipartUpload (InvalidRequest in a bucket without object lock,
 * InvalidArgument for a bad mode, date or hold, as PutObject) and answers the settings they name — without
 * the bucket's default, which applies at completion. No Content-MD5 is asked for: the request has no body.
 */
export async function lockFieldsForUpload(ctx: S3Context, bucket: string): Promise<VersionFields> {
  if (!hasLockHeaders(ctx)) return {};
  const fields = await lockFieldsForWrite(ctx, bucket, await ctx.state.versioning.mode(bucket), { requireIntegrity: false });
  const named: VersionFields = {};
  if (ctx.headers['x-amz-object-lock-mode'] !== undefined && fields.retention) named.retention = fields.retention;
  if (fields.legalHold) named.legalHold = true;
  return named;
}

/** Keeps the settings of upload `uploadId` until its completion (nothing when there are none). */
export async function rememberUploadLock(ctx: S3Context, bucket: string, key: string, uploadId: string, fields: VersionFields): Promise<void> {
  if (!fields.retention && !fields.legalHold) return;
  const record: UploadLockRecord = { bucket, key, ...fields };
  await ctx.state.storage.put(UPLOAD_LOCKS + uploadId, JSON.stringify(record), { contentType: 'application/json', signal: ctx.signal });
}

async function readUploadLock(ctx: S3Context, uploadId: string): Promise<UploadLockRecord | undefined> {
  try {
    return JSON.parse(await readText(await ctx.state.storage.get(UPLOAD_LOCKS + uploadId, { signal: ctx.signal }))) as UploadLockRecord;
  } catch (e) {
    if (hasErrorCode(e, 'NotFound')) return undefined;
    throw e;
  }
}

/**
 * The lock settings of the version upload `uploadId` of `key` completes into: those named at its start, the
 * bucket's default retention (at this moment) when no mode was named.
 */
export async function lockFieldsForCompletion(ctx: S3Context, bucket: string, key: string, uploadId: string): Promise<VersionFields> {
  const found = await readUploadLock(ctx, uploadId);
  const named = found && found.bucket === bucket && found.key === key ? found : undefined;
  const config = await ctx.state.versioning.locks.get(bucket);
  const fields: VersionFields = {};
  if (named?.retention) fields.retention = named.retention;
  else if (config?.rule) fields.retention = defaultRetentionAt(config.rule, ctx.state.versioning.now());
  if (named?.legalHold) fields.legalHold = true;
  return fields;
}

/** Removes the record of a completed (or aborted) upload from `storage`. */
export async function forgetUploadLock(storage: Storage, uploadId: string): Promise<void> {
  await storage.delete(UPLOAD_LOCKS + uploadId);
}
