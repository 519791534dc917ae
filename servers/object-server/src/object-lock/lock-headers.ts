/**
 * Object lock on the object write and read paths (AWS "Using S3 Object Lock",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html; PutObject, "Object Lock" headers,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html):
 *
 * - a write may name `x-amz-object-lock-mode` with `x-amz-object-lock-retain-until-date` (both or neither, the
 *   date in the future) and `x-amz-object-lock-legal-hold: ON|OFF`; without a mode the bucket's default
 *   retention applies;
 * - these headers in a bucket without object lock are InvalidRequest;
 * - a write that sets a retention must carry Content-MD5 or a checksum ("The Content-MD5 or
 *   x-amz-sdk-checksum-algorithm header is required for any request to upload an object with a retention
 *   period configured using Amazon S3 Object Lock");
 * - GET and HEAD answer the version's mode, retain-until date and legal hold in the same headers;
 * - CreateMultipartUpload takes the same headers for the object it completes into (upload-lock.ts).
 */
import type { VersionEntry, VersionFields } from '@strata/storage';
import { header } from '../context.ts';
import type { S3Context } from '../context.ts';
import { S3Error } from '../s3-errors.ts';
import { defaultRetentionAt, isLockMode } from './lock-config.ts';

const MODE = 'x-amz-object-lock-mode';
const UNTIL = 'x-amz-object-lock-retain-until-date';
const HOLD = 'x-amz-object-lock-legal-hold';

/** Whether the request carries any object lock header. */
export function hasLockHeaders(ctx: Pick<S3Context, 'headers'>): boolean {
  return ctx.headers[MODE] !== undefined || ctx.headers[UNTIL] !== undefined || ctx.headers[HOLD] !== undefined;
}

/** Whether the request proves its body's integrity (Content-MD5, a checksum header or a checksum trailer). */
function hasIntegrityHeader(ctx: Pick<S3Context, 'headers'>): boolean {
  return Object.keys(ctx.headers).some((name) => name === 'content-md5' || name === 'x-amz-trailer' || name === 'x-amz-sdk-checksum-algorithm' || name.startsWith('x-amz-checksum-'));
}

/** Parses an ISO 8601 retain-until date; InvalidArgument when it is not one. */
export function parseRetainUntil(text: string, argumentName: string): number {
  const at = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(at)) {
    throw new S3Error('InvalidArgument', 'The retain until date must be provided in ISO 8601 format', { extra: { ArgumentName: argumentName, ArgumentValue: text } });
  }
  return at;
}

/**
 * The object lock fields of a new version written by `ctx` into `bucket` (versioned with `mode`), from its
 * headers or the bucket's default retention; refuses lock headers where lock is not enabled. Writes without a
 * request body (CopyObject, CompleteMultipartUpload) pass `requireIntegrity: false`.
 */
export async function lockFieldsForWrite(ctx: S3Context, bucket: string, mode: unknown, options: { requireIntegrity?: boolean } = {}): Promise<VersionFields> {
  const explicit = hasLockHeaders(ctx);
  if (!explicit && mode === null) return {};
  const config = await ctx.state.versioning.locks.get(bucket);
  if (!config) {
    if (explicit) throw new S3Error('InvalidRequest', 'Bucket is missing Object Lock Configuration');
    return {};
  }
  const now = ctx.state.versioning.now();
  const fields: VersionFields = {};
  const lockMode = header(ctx, MODE);
  const until = header(ctx, UNTIL);
  if ((lockMode === undefined) !== (until === undefined)) {
    throw new S3Error('InvalidArgument', 'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied', { extra: { ArgumentName: lockMode === undefined ? MODE : UNTIL } });
  }
  if (lockMode !== undefined && until !== undefined) {
    if (!isLockMode(lockMode)) throw new S3Error('InvalidArgument', 'Unknown wormMode directive.', { extra: { ArgumentName: MODE, ArgumentValue: lockMode } });
    const at = parseRetainUntil(until, UNTIL);
    if (at <= now) throw new S3Error('InvalidArgument', 'The retain until date must be in the future!', { extra: { ArgumentName: UNTIL, ArgumentValue: until } });
    fields.retention = { mode: lockMode, until: new Date(at).toISOString() };
  } else if (config.rule) {
    fields.retention = defaultRetentionAt(config.rule, now);
  }
  const hold = header(ctx, HOLD);
  if (hold !== undefined) {
    if (hold !== 'ON' && hold !== 'OFF') throw new S3Error('InvalidArgument', 'Legal Hold must be either of ON or OFF', { extra: { ArgumentName: HOLD, ArgumentValue: hold } });
    if (hold === 'ON') fields.legalHold = true;
  }
  if (options.requireIntegrity !== false && (fields.retention || explicit) && !hasIntegrityHeader(ctx)) {
    throw new S3Error('InvalidRequest', 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters');
  }
  return fields;
}

/** The object lock headers GET and HEAD answer for a version (none when it has no lock settings). */
export function lockHeaders(entry: Pick<VersionEntry, 'retention' | 'legalHold'>): Record<string, string> {
  const out: Record<string, string> = {};
  if (entry.retention) {
    out[MODE] = entry.retention.mode;
    out[UNTIL] = entry.retention.until;
  }
  if (entry.legalHold) out[HOLD] = 'ON';
  return out;
}
