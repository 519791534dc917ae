/**
 * PutObjectRetention — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectRetention.html
 * GetObjectRetention — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectRetention.html
 *
 * AWS "Using S3 Object Lock" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html): a
 * retention may always be extended; a GOVERNANCE retention in force may be shortened, removed or its mode
 * changed only with `x-amz-bypass-governance-retention: true`; a COMPLIANCE retention in force can be neither
 * shortened, removed nor changed to GOVERNANCE, by anyone. A refusal is 403 AccessDenied. An empty
 * `<Retention/>` removes the retention.
 */
import type { VersionEntry, VersionRetention } from '@strata/storage';
import type { Handler } from '../context.ts';
import { readXmlBody } from '../request-body.ts';
import { S3Error } from '../s3-errors.ts';
import { childText, parseXml } from '../xml.ts';
import { isLockMode, retentionActive } from '../object-lock/lock-config.ts';
import { bypassesGovernance, LOCKED_MESSAGE } from '../object-lock/lock-guard.ts';
import { parseRetainUntil } from '../object-lock/lock-headers.ts';
import { lockTarget, updateLockTarget } from '../object-lock/lock-target.ts';

/** Parses a Retention body: the new retention, or undefined to remove it. */
function parseRetention(body: string, now: number): VersionRetention | undefined {
  const doc = parseXml(body, 'Retention');
  const mode = childText(doc, 'Mode');
  const until = childText(doc, 'RetainUntilDate');
  if (mode === undefined && until === undefined) return undefined;
  if (!isLockMode(mode) || until === undefined) throw new S3Error('MalformedXML');
  const at = parseRetainUntil(until, 'RetainUntilDate');
  if (at <= now) throw new S3Error('InvalidArgument', 'The retain until date must be in the future!', { extra: { ArgumentName: 'RetainUntilDate', ArgumentValue: until } });
  return { mode, until: new Date(at).toISOString() };
}

/** Whether `next` keeps at least the protection of `current` (same mode or stricter, and no earlier end). */
function isExtension(current: VersionRetention, next: VersionRetention | undefined): boolean {
  if (next === undefined) return false;
  if (current.mode === 'COMPLIANCE' && next.mode !== 'COMPLIANCE') return false;
  return Date.parse(next.until) >= Date.parse(current.until);
}

/** Sets or removes an object version's retention. */
export const putObjectRetention: Handler = async (ctx) => {
  const now = ctx.state.versioning.now();
  const next = parseRetention(await readXmlBody(ctx), now);
  const bypass = bypassesGovernance(ctx);
  const versionId = await updateLockTarget(ctx, (entry): VersionEntry => {
    const current = entry.retention;
    if (current && retentionActive(current, now) && !isExtension(current, next)) {
      if (current.mode === 'COMPLIANCE' || !bypass) throw new S3Error('AccessDenied', LOCKED_MESSAGE);
    }
    const { retention: _old, ...rest } = entry;
    return next ? { ...rest, retention: next } : rest;
  });
  return { headers: { 'x-amz-version-id': versionId } };
};

/** Reads an object version's retention. */
export const getObjectRetention: Handler = async (ctx) => {
  const entry = await lockTarget(ctx);
  if (!entry.retention) throw new S3Error('NoSuchObjectLockConfiguration');
  return { xml: { root: 'Retention', body: { Mode: entry.retention.mode, RetainUntilDate: entry.retention.until } } };
};
