/**
 * The POST policy of a browser-based upload: its parsing and the check of a form against it, as "Creating a
 * POST Policy" (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html) defines:
 *
 * - the document is base64 JSON with `expiration` (ISO 8601) and `conditions`;
 * - a condition is `{ "field": "value" }` (exact match), `["eq", "$field", "value"]`,
 *   `["starts-with", "$field", "prefix"]` (for Content-Type, every comma-separated type must match) or
 *   `["content-length-range", min, max]`;
 * - field names compare case-insensitively; `$bucket` is the bucket the form was posted to;
 * - every form field except `x-amz-signature`, `file`, `policy` and `x-ignore-*` names must be covered by a
 *   condition ("Each form field that you specify in a form … must appear in the list of conditions").
 *
 * Failures are S3's: `InvalidPolicyDocument` for a document that does not parse, `AccessDenied` with "Invalid
 * according to Policy: …" for an expired policy, a failed condition or an uncovered field.
 */
import { S3Error } from '../s3-errors.ts';

/** One condition of a policy, normalized. */
export type PolicyCondition =
  | { op: 'eq' | 'starts-with'; field: string; value: string; source: string }
  | { op: 'content-length-range'; min: number; max: number; source: string };

/** A parsed POST policy. */
export interface PostPolicy {
  /** Expiration, epoch milliseconds. */
  expiresAt: number;
  conditions: PolicyCondition[];
}

/** Fields the policy need not mention (the V2 form's `awsaccesskeyid` and `signature` included). */
const EXEMPT_FIELDS = new Set(['x-amz-signature', 'file', 'policy', 'signature', 'awsaccesskeyid']);

const invalid = (message: string) => new S3Error('InvalidPolicyDocument', `Invalid Policy: ${message}`);

/** Parses a base64 policy document; throws InvalidPolicyDocument when it is not one. */
export function parsePostPolicy(base64: string): PostPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch (cause) {
    throw new S3Error('InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.', { cause });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalid('Invalid JSON.');
  const { expiration, conditions } = doc as { expiration?: unknown; conditions?: unknown };
  if (typeof expiration !== 'string') throw invalid('Policy missing expiration.');
  const expiresAt = Date.parse(expiration);
  if (Number.isNaN(expiresAt)) throw invalid('Invalid expiration.');
  if (!Array.isArray(conditions)) throw invalid('Policy missing conditions.');
  return { expiresAt, conditions: conditions.flatMap(parseCondition) };
}

const fieldName = (ref: unknown): string => {
  if (typeof ref !== 'string' || !ref.startsWith('$')) throw invalid(`Invalid field reference ${JSON.stringify(ref)}.`);
  return ref.slice(1).toLowerCase();
};

function parseCondition(c: unknown): PolicyCondition[] {
  const source = JSON.stringify(c);
  if (Array.isArray(c)) {
    const [op, a, b] = c as unknown[];
    const opName = typeof op === 'string' ? op.toLowerCase() : op;
    if (c.length !== 3) throw invalid(`Invalid condition ${source}.`);
    if (opName === 'eq' || opName === 'starts-with') {
      if (typeof b !== 'string') throw invalid(`Invalid condition ${source}.`);
      return [{ op: opName, field: fieldName(a), value: b, source }];
    }
    if (opName === 'content-length-range') {
      const min = Number(a);
      const max = Number(b);
      if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || max < min) throw invalid(`Invalid content-length-range ${source}.`);
      return [{ op: 'content-length-range', min, max, source }];
    }
    throw invalid(`Unknown condition operator ${JSON.stringify(op)}.`);
  }
  if (typeof c === 'object' && c !== null) {
    return Object.entries(c).map(([name, value]) => {
      if (typeof value !== 'string') throw invalid(`Invalid condition ${source}.`);
      return { op: 'eq' as const, field: name.toLowerCase(), value, source: JSON.stringify(['eq', `$${name}`, value]) };
    });
  }
  throw invalid(`Invalid condition ${source}.`);
}

const denied = (why: string) => new S3Error('AccessDenied', `Invalid according to Policy: ${why}`);

/**
 * Checks the form's fields (names lower-cased, before the file) against the policy: expiry, every `eq` and
 * `starts-with` condition, and that no field is left uncovered. The content-length-range is checked as the file
 * streams ({@link lengthRange}).
 */
export function checkPostPolicy(policy: PostPolicy, fields: ReadonlyMap<string, string>, bucket: string, now: number): void {
  if (now > policy.expiresAt) throw denied('Policy expired.');
  const valueOf = (field: string): string => (field === 'bucket' ? bucket : (fields.get(field) ?? ''));
  const covered = new Set<string>();
  for (const c of policy.conditions) {
    if (c.op === 'content-length-range') continue;
    covered.add(c.field);
    const value = valueOf(c.field);
    const ok = c.op === 'eq'
      ? value === c.value
      : c.field === 'content-type'
        ? value.split(',').every((v) => v.trim().startsWith(c.value))
        : value.startsWith(c.value);
    if (!ok) throw denied(`Policy Condition failed: ${c.source}`);
  }
  const extra = [...fields.keys()].filter((f) => !EXEMPT_FIELDS.has(f) && !f.startsWith('x-ignore-') && !covered.has(f));
  if (extra.length > 0) throw denied(`Extra input fields: ${extra.join(', ')}`);
}

/** The allowed file size of the policy (the tightest of its content-length-range conditions), if any. */
export function lengthRange(policy: PostPolicy): { min: number; max: number } | undefined {
  let range: { min: number; max: number } | undefined;
  for (const c of policy.conditions) {
    if (c.op !== 'content-length-range') continue;
    range = range === undefined ? { min: c.min, max: c.max } : { min: Math.max(range.min, c.min), max: Math.min(range.max, c.max) };
  }
  return range;
}
