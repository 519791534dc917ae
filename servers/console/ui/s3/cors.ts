/**
 * A bucket's CORS rules (PutBucketCors, GetBucketCors, DeleteBucketCors:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html, the rule's members at
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CORSRule.html) and the form's model of them: lists are
 * edited as text, one entry a line, and turned into the SDK's `CORSRule` only when valid.
 */
import { DeleteBucketCorsCommand, GetBucketCorsCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import type { CORSRule, S3Client } from '@aws-sdk/client-s3';
import { absentAs, linesOf, wholeNumberProblem } from './settings-common.ts';

/** The methods a CORS rule may allow (S3 answers InvalidRequest for any other). */
export const CORS_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'] as const;

/** One rule as the form edits it. */
export interface CorsRuleDraft {
  id: string;
  /** One origin a line; `*` wildcards allowed (at most one per origin). */
  origins: string;
  methods: string[];
  /** Request headers a preflight may name, one a line. */
  allowedHeaders: string;
  /** Response headers the browser may read, one a line. */
  exposeHeaders: string;
  /** Seconds a preflight answer may be cached; empty for none. */
  maxAge: string;
}

/** A new rule: GET from any origin, as most buckets serving a web page want. */
export const newCorsRule = (): CorsRuleDraft => ({ id: '', origins: '*', methods: ['GET'], allowedHeaders: '', exposeHeaders: '', maxAge: '' });

/** The drafts of the rules a bucket has. */
export function corsDrafts(rules: readonly CORSRule[]): CorsRuleDraft[] {
  return rules.map((r) => ({
    id: r.ID ?? '',
    origins: (r.AllowedOrigins ?? []).join('\n'),
    methods: r.AllowedMethods ?? [],
    allowedHeaders: (r.AllowedHeaders ?? []).join('\n'),
    exposeHeaders: (r.ExposeHeaders ?? []).join('\n'),
    maxAge: r.MaxAgeSeconds === undefined ? '' : String(r.MaxAgeSeconds),
  }));
}

/** The SDK's rules for the drafts, or the first problem that keeps them from being sent. */
export function corsRules(drafts: readonly CorsRuleDraft[]): { rules: CORSRule[] } | { problem: string } {
  if (drafts.length === 0) return { problem: 'Add a rule, or delete the configuration.' };
  const rules: CORSRule[] = [];
  for (const [i, d] of drafts.entries()) {
    const where = `Rule ${i + 1}`;
    const origins = linesOf(d.origins);
    if (origins.length === 0) return { problem: `${where}: name at least one origin.` };
    if (d.methods.length === 0) return { problem: `${where}: allow at least one method.` };
    const maxAgeProblem = wholeNumberProblem(d.maxAge, 'Max age');
    if (maxAgeProblem) return { problem: `${where}: ${maxAgeProblem}` };
    const allowedHeaders = linesOf(d.allowedHeaders);
    const exposeHeaders = linesOf(d.exposeHeaders);
    rules.push({
      ...(d.id.trim() ? { ID: d.id.trim() } : {}),
      AllowedOrigins: origins,
      AllowedMethods: CORS_METHODS.filter((m) => d.methods.includes(m)),
      ...(allowedHeaders.length > 0 ? { AllowedHeaders: allowedHeaders } : {}),
      ...(exposeHeaders.length > 0 ? { ExposeHeaders: exposeHeaders } : {}),
      ...(d.maxAge.trim() ? { MaxAgeSeconds: Number(d.maxAge.trim()) } : {}),
    });
  }
  return { rules };
}

/** The PutBucketCors command of the rules. */
export const putCorsCommand = (bucket: string, rules: CORSRule[]) => new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: rules } });

/** A bucket's CORS rules; none (NoSuchCORSConfiguration) is an empty list. */
export async function getCors(client: S3Client, bucket: string): Promise<CORSRule[]> {
  return absentAs(client.send(new GetBucketCorsCommand({ Bucket: bucket })).then((o) => o.CORSRules ?? []), 'NoSuchCORSConfiguration', []);
}

/** Replaces a bucket's CORS rules. */
export async function putCors(client: S3Client, bucket: string, rules: CORSRule[]): Promise<void> {
  await client.send(putCorsCommand(bucket, rules));
}

/** Removes a bucket's CORS configuration. */
export async function deleteCors(client: S3Client, bucket: string): Promise<void> {
  await client.send(new DeleteBucketCorsCommand({ Bucket: bucket }));
}
