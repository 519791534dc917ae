/**
 * A bucket's object lock configuration (AWS "Using S3 Object Lock",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html; PutObjectLockConfiguration,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectLockConfiguration.html): whether lock is
 * enabled, and the default retention new versions get when their PUT names none.
 */
import type { VersionRetention } from '@strata/storage';
import { S3Error } from '../s3-errors.ts';

/** Object lock retention modes. */
export type LockMode = VersionRetention['mode'];

/** A bucket's default retention: a mode and a period in days or years (exactly one). */
export interface DefaultRetention {
  mode: LockMode;
  days?: number;
  years?: number;
}

/** A bucket's object lock configuration as stored. */
export interface ObjectLockConfig {
  enabled: true;
  rule?: DefaultRetention;
}

/** Whether `value` is a retention mode. */
export function isLockMode(value: string | undefined): value is LockMode {
  return value === 'GOVERNANCE' || value === 'COMPLIANCE';
}

/** The retention a new version gets from the bucket's default at `now`. */
export function defaultRetentionAt(rule: DefaultRetention, now: number): VersionRetention {
  const until = new Date(now);
  if (rule.years !== undefined) until.setUTCFullYear(until.getUTCFullYear() + rule.years);
  else until.setUTCDate(until.getUTCDate() + (rule.days ?? 0));
  return { mode: rule.mode, until: until.toISOString() };
}

/** Parses a positive whole number of days or years; S3 answers a bad one with InvalidArgument. */
export function periodValue(name: 'Days' | 'Years', text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new S3Error('InvalidArgument', 'Default retention period must be a positive integer value.', { extra: { ArgumentName: name, ArgumentValue: text } });
  }
  return n;
}

/** Whether a retention is in force at `now`. */
export function retentionActive(retention: VersionRetention | undefined, now: number): boolean {
  return retention !== undefined && Date.parse(retention.until) > now;
}
