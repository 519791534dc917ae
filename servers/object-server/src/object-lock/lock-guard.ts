/**
 * Who may remove a locked version (AWS "Using S3 Object Lock",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html): nobody while a legal hold is on or a
 * COMPLIANCE retention runs; under GOVERNANCE retention only a request with
 * `x-amz-bypass-governance-retention: true`. A delete without a version id only adds a delete marker, which
 * lock allows; the guard applies where a version is removed for good (DeleteObject and DeleteObjects with a
 * version id, lifecycle expiration).
 */
import type { VersionEntry } from '@strata/storage';
import { header } from '../context.ts';
import type { S3Context } from '../context.ts';
import { S3Error } from '../s3-errors.ts';
import { retentionActive } from './lock-config.ts';

/** S3's message for a removal object lock refuses. */
export const LOCKED_MESSAGE = 'Access Denied because object protected by object lock.';

/** Whether `entry` may be removed at `now`, with or without the governance bypass. */
export function mayRemove(entry: VersionEntry, now: number, bypassGovernance: boolean): boolean {
  if (entry.legalHold) return false;
  if (!retentionActive(entry.retention, now)) return true;
  return entry.retention?.mode === 'GOVERNANCE' && bypassGovernance;
}

/** Whether the request asks to bypass governance retention. */
export function bypassesGovernance(ctx: Pick<S3Context, 'headers'>): boolean {
  return header(ctx, 'x-amz-bypass-governance-retention')?.toLowerCase() === 'true';
}

/** The guard a version store's delete runs for `ctx`: AccessDenied for a version lock protects. */
export function deletionGuard(ctx: S3Context): (entry: VersionEntry) => void {
  const bypass = bypassesGovernance(ctx);
  return (entry) => {
    if (!mayRemove(entry, ctx.state.versioning.now(), bypass)) throw new S3Error('AccessDenied', LOCKED_MESSAGE);
  };
}
