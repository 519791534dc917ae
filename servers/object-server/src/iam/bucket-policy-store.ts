/**
 * Bucket policies ("Bucket policies for Amazon S3",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html): stored as the JSON text the
 * client sent under the server's reserved prefix, compiled once, and all loaded before the first request, so
 * the authorizer asks {@link BucketPolicyStore.peek} synchronously — and a bucket without a policy costs one
 * map lookup. The server is the only writer.
 */
import { hasErrorCode } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { RESERVED_PREFIX } from '../bucket-registry.ts';
import { S3Error } from '../s3-errors.ts';
import { loadAllRecords } from '../bucket-records.ts';
import { parsePolicy, PolicyError } from './policy-document.ts';
import type { Policy } from './policy-document.ts';
import { wildcardRegex } from './wildcard.ts';

const POLICY_PREFIX = `${RESERVED_PREFIX}bucket-policies/`;
/** S3's limit on a bucket policy's size (PutBucketPolicy: "Bucket policies are limited to 20 KB"). */
export const MAX_BUCKET_POLICY_BYTES = 20 * 1024;

/** Parses a bucket policy for `bucket`, answering S3's MalformedPolicy when it is refused. */
export function parseBucketPolicy(bucket: string, text: string): Policy {
  if (Buffer.byteLength(text) > MAX_BUCKET_POLICY_BYTES) throw new S3Error('MalformedPolicy', 'Policies cannot be larger than 20 KB');
  let policy: Policy;
  try {
    policy = parsePolicy(text, 'resource');
  } catch (e) {
    if (e instanceof PolicyError) throw new S3Error('MalformedPolicy', e.message);
    throw e;
  }
  // S3 refuses a statement about other resources than this bucket and its objects ("Policy has invalid resource").
  const own = `arn:aws:s3:::${bucket}`;
  for (const s of policy.statements) {
    for (const r of s.resources ?? s.notResources ?? []) {
      const base = (r.source.split('/')[0] as string).replace(/\$\{[^}]*\}/g, '*');
      if (r.source !== '*' && !wildcardRegex(base, false).test(own)) throw new S3Error('MalformedPolicy', 'Policy has invalid resource');
    }
  }
  return policy;
}

/**
 * Whether the policy makes the bucket public: S3 calls a policy public when it grants to everyone (`*`)
 * without a condition pinning the caller ("The meaning of public",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status).
 * Conditions on aws:SourceIp, aws:SourceArn, aws:SourceVpc(e), aws:PrincipalOrgID and aws:userid count as pinning.
 */
export function isPublicPolicy(policy: Policy): boolean {
  const pinning = new Set(['aws:sourceip', 'aws:sourcearn', 'aws:sourcevpc', 'aws:sourcevpce', 'aws:principalorgid', 'aws:userid', 'aws:sourceaccount', 'aws:principalaccount']);
  return policy.statements.some(
    (s) => s.effect === 'Allow' && (s.principal?.anyone === true || s.notPrincipal !== undefined) && !s.conditions.some((c) => pinning.has(c.key) && !c.values.includes('*')),
  );
}

/** The bucket policies of all buckets. */
export class BucketPolicyStore {
  readonly #storage: Storage;
  readonly #policies = new Map<string, Policy>();
  #writes: Promise<unknown> = Promise.resolve();

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  /** Loads every stored policy (call once, before serving). */
  async load(): Promise<void> {
    await loadAllRecords(this.#storage, POLICY_PREFIX, MAX_BUCKET_POLICY_BYTES * 2, (bucket, text) => this.#policies.set(bucket, parsePolicy(text, 'resource')));
  }

  /** Whether any bucket has a policy (the authorizer's shortcut). */
  get size(): number {
    return this.#policies.size;
  }

  /** The bucket's policy, or undefined. */
  peek(bucket: string): Policy | undefined {
    return this.#policies.get(bucket);
  }

  /** Stores a validated policy. */
  put(bucket: string, policy: Policy): Promise<void> {
    return this.#serial(async () => {
      await this.#storage.put(POLICY_PREFIX + bucket, policy.text, { contentType: 'application/json' });
      this.#policies.set(bucket, policy);
    });
  }

  /** Removes the bucket's policy (nothing when it has none). */
  remove(bucket: string): Promise<void> {
    return this.#serial(async () => {
      if (!this.#policies.has(bucket)) return;
      await this.#storage.delete(POLICY_PREFIX + bucket).catch((e: unknown) => {
        if (!hasErrorCode(e, 'NotFound')) throw e;
      });
      this.#policies.delete(bucket);
    });
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#writes.then(work, work);
    this.#writes = run.catch(() => undefined);
    return run;
  }
}
