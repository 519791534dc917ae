/**
 * A bucket's lifecycle configuration as the server keeps it, and what a rule decides about one version
 * (AWS "Managing the lifecycle of objects", https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html;
 * "Lifecycle configuration elements", https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html).
 *
 * Days are counted as S3 counts them: "Amazon S3 calculates the time by adding the number of days specified in
 * the rule to the object creation time and rounding the resulting time up to the next day midnight UTC"; a
 * noncurrent version's days start when it became noncurrent.
 */

/** Which objects a rule applies to: all conditions must hold (a Filter with And, or one condition). */
export interface LifecycleFilter {
  prefix?: string;
  tags?: Record<string, string>;
  /** Objects strictly larger than this many bytes. */
  sizeGreaterThan?: number;
  /** Objects strictly smaller than this many bytes. */
  sizeLessThan?: number;
}

/** One lifecycle rule. */
export interface LifecycleRule {
  id: string;
  enabled: boolean;
  filter: LifecycleFilter;
  /** Expiration of current versions by age or date, or removal of expired object delete markers. */
  expiration?: { days?: number; date?: string; expiredObjectDeleteMarker?: boolean };
  /** Removal of noncurrent versions `noncurrentDays` after they became noncurrent, keeping the newest few. */
  noncurrentExpiration?: { noncurrentDays: number; newerNoncurrentVersions?: number };
  /** Aborting multipart uploads this many days after they started. */
  abortIncompleteDays?: number;
}

/** A bucket's lifecycle configuration as stored. */
export interface LifecycleConfig {
  rules: LifecycleRule[];
}

/** What a rule's filter looks at. */
export interface FilterSubject {
  key: string;
  size?: number;
  tags?: Record<string, string>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** `start` plus `days`, rounded up to the next midnight UTC, as S3 computes expiry. */
export function afterDays(start: Date | number, days: number): number {
  const at = new Date(start).getTime() + days * DAY_MS;
  return Math.ceil(at / DAY_MS) * DAY_MS;
}

/** Whether `rule` applies to `subject` (tags and size are checked only when the filter names them). */
export function ruleMatches(rule: LifecycleRule, subject: FilterSubject): boolean {
  const f = rule.filter;
  if (!rule.enabled) return false;
  if (f.prefix !== undefined && !subject.key.startsWith(f.prefix)) return false;
  if (f.sizeGreaterThan !== undefined && !(subject.size !== undefined && subject.size > f.sizeGreaterThan)) return false;
  if (f.sizeLessThan !== undefined && !(subject.size !== undefined && subject.size < f.sizeLessThan)) return false;
  if (f.tags) {
    for (const [k, v] of Object.entries(f.tags)) if (subject.tags?.[k] !== v) return false;
  }
  return true;
}

/** Whether a filter needs the object's tags (which cost a read). */
export function needsTags(config: LifecycleConfig): boolean {
  return config.rules.some((r) => r.filter.tags !== undefined);
}

/** When a current version written at `lastModified` expires under `rule`, or undefined when the rule never expires it. */
export function currentExpiry(rule: LifecycleRule, lastModified: Date): number | undefined {
  const e = rule.expiration;
  if (e?.date !== undefined) return Date.parse(e.date);
  if (e?.days !== undefined) return afterDays(lastModified, e.days);
  return undefined;
}

/**
 * The earliest expiry of a current version among the rules that apply, with the rule's id — what
 * `x-amz-expiration` reports (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html,
 * "x-amz-expiration": `expiry-date="…", rule-id="…"`).
 */
export function earliestExpiry(config: LifecycleConfig, subject: FilterSubject, lastModified: Date): { at: number; ruleId: string } | undefined {
  let best: { at: number; ruleId: string } | undefined;
  for (const rule of config.rules) {
    if (!ruleMatches(rule, subject)) continue;
    const at = currentExpiry(rule, lastModified);
    if (at !== undefined && (best === undefined || at < best.at)) best = { at, ruleId: rule.id };
  }
  return best;
}

/** The `x-amz-expiration` header value for an expiry. */
export function expirationHeader(expiry: { at: number; ruleId: string }): string {
  // A header carries printable ASCII only: other characters of a rule id are percent-encoded.
  const escapedId = expiry.ruleId.replace(/[^\x20-\x7e]/gu, (c) => encodeURIComponent(c)).replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return `expiry-date="${new Date(expiry.at).toUTCString()}", rule-id="${escapedId}"`;
}
