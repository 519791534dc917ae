/**
 * A bucket's lifecycle rules (PutBucketLifecycleConfiguration, GetBucketLifecycleConfiguration,
 * DeleteBucketLifecycle: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html,
 * the rule at https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRule.html) and the form's model:
 * a prefix filter, expiration after N days, expiration of noncurrent versions after N days, and the abort of
 * multipart uploads left incomplete after N days.
 *
 * A PUT replaces the whole configuration, so what the form does not edit (a tag or size filter, an expiration
 * date, the delete-marker clean-up) is carried over from the rule as it was read, never dropped.
 */
import { DeleteBucketLifecycleCommand, GetBucketLifecycleConfigurationCommand, PutBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import type { LifecycleRule, S3Client } from '@aws-sdk/client-s3';
import { absentAs, wholeNumberProblem } from './settings-common.ts';

/** One rule as the form edits it (day counts as text, empty for "no such action"). */
export interface LifecycleRuleDraft {
  id: string;
  enabled: boolean;
  prefix: string;
  expirationDays: string;
  noncurrentDays: string;
  abortDays: string;
  /** The rule as read from the server, whose other members a save keeps. */
  original?: LifecycleRule;
}

/** A new rule: enabled, for the whole bucket, with no action chosen yet. */
export const newLifecycleRule = (): LifecycleRuleDraft => ({ id: '', enabled: true, prefix: '', expirationDays: '', noncurrentDays: '', abortDays: '' });

/** Whether a rule's filter holds more than a prefix (tags, sizes, an And), which the form shows but does not edit. */
export const hasOtherConditions = (rule: LifecycleRule | undefined): boolean => {
  const f = rule?.Filter;
  return f !== undefined && (f.Tag !== undefined || f.And !== undefined || f.ObjectSizeGreaterThan !== undefined || f.ObjectSizeLessThan !== undefined);
};

const text = (n: number | undefined) => (n === undefined ? '' : String(n));

/** The drafts of the rules a bucket has. */
export function lifecycleDrafts(rules: readonly LifecycleRule[]): LifecycleRuleDraft[] {
  return rules.map((r) => ({
    id: r.ID ?? '',
    enabled: r.Status === 'Enabled',
    prefix: r.Filter?.Prefix ?? r.Prefix ?? '',
    expirationDays: text(r.Expiration?.Days),
    noncurrentDays: text(r.NoncurrentVersionExpiration?.NoncurrentDays),
    abortDays: text(r.AbortIncompleteMultipartUpload?.DaysAfterInitiation),
    original: r,
  }));
}

/** The rule of one valid draft. */
function ruleOf(d: LifecycleRuleDraft): LifecycleRule {
  const { original } = d;
  const days = (t: string) => (t.trim() === '' ? undefined : Number(t.trim()));
  const expiration = days(d.expirationDays);
  const noncurrent = days(d.noncurrentDays);
  const abort = days(d.abortDays);
  // An expiration by date or the delete-marker clean-up is kept while the form's day count is empty.
  const keptExpiration = original?.Expiration && original.Expiration.Days === undefined ? original.Expiration : undefined;
  const { Prefix: _legacyPrefix, ...rest } = original ?? {};
  return {
    ...rest,
    ...(d.id.trim() ? { ID: d.id.trim() } : { ID: undefined }),
    Status: d.enabled ? 'Enabled' : 'Disabled',
    Filter: hasOtherConditions(original) ? original?.Filter : { Prefix: d.prefix },
    Expiration: expiration !== undefined ? { Days: expiration } : keptExpiration,
    NoncurrentVersionExpiration: noncurrent !== undefined ? { ...original?.NoncurrentVersionExpiration, NoncurrentDays: noncurrent } : undefined,
    AbortIncompleteMultipartUpload: abort !== undefined ? { DaysAfterInitiation: abort } : undefined,
  };
}

/** The SDK's rules for the drafts, or the first problem that keeps them from being sent. */
export function lifecycleRules(drafts: readonly LifecycleRuleDraft[]): { rules: LifecycleRule[] } | { problem: string } {
  if (drafts.length === 0) return { problem: 'Add a rule, or delete the configuration.' };
  const rules: LifecycleRule[] = [];
  for (const [i, d] of drafts.entries()) {
    const where = `Rule ${i + 1}`;
    const problem =
      wholeNumberProblem(d.expirationDays, 'Expiration days', 1) ??
      wholeNumberProblem(d.noncurrentDays, 'Noncurrent expiration days', 1) ??
      wholeNumberProblem(d.abortDays, 'Abort incomplete uploads days', 1);
    if (problem) return { problem: `${where}: ${problem}` };
    const rule = ruleOf(d);
    // S3 refuses a rule without an action (MalformedXML); saying which rule is kinder.
    if (!rule.Expiration && !rule.NoncurrentVersionExpiration && !rule.AbortIncompleteMultipartUpload && !rule.Transitions && !rule.NoncurrentVersionTransitions) {
      return { problem: `${where}: choose at least one action (a number of days).` };
    }
    rules.push(rule);
  }
  return { rules };
}

/** The PutBucketLifecycleConfiguration command of the rules. */
export const putLifecycleCommand = (bucket: string, rules: LifecycleRule[]) =>
  new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: rules } });

/** A bucket's lifecycle rules; none (NoSuchLifecycleConfiguration) is an empty list. */
export async function getLifecycle(client: S3Client, bucket: string): Promise<LifecycleRule[]> {
  return absentAs(client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })).then((o) => o.Rules ?? []), 'NoSuchLifecycleConfiguration', []);
}

/** Replaces a bucket's lifecycle configuration. */
export async function putLifecycle(client: S3Client, bucket: string, rules: LifecycleRule[]): Promise<void> {
  await client.send(putLifecycleCommand(bucket, rules));
}

/** Removes a bucket's lifecycle configuration. */
export async function deleteLifecycle(client: S3Client, bucket: string): Promise<void> {
  await client.send(new DeleteBucketLifecycleCommand({ Bucket: bucket }));
}
