/**
 * Authorization of S3 requests, following "Policy evaluation logic"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html) for requests
 * within one account, and S3's "How Amazon S3 authorizes a request"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-s3-evaluates-access-control.html):
 *
 * 1. An explicit Deny in any applicable policy (the user's inline policies, the bucket's policy) refuses.
 * 2. Else an Allow in either the identity policies or the bucket policy grants (same account: either suffices);
 *    so does, failing those, a grant of the bucket's or the object's ACL (acl-grants.ts).
 * 3. Else the implicit deny refuses — 403 AccessDenied.
 *
 * The root identity holds every permission, so only a bucket policy's explicit Deny can refuse it; and, as in
 * S3, it may always read, replace and delete a bucket policy, so a policy that denies everyone cannot lock the
 * bucket for good. Anonymous requests have no identity policies: only a bucket policy can allow them.
 *
 * Cost: the root identity on a bucket without a policy takes one property read and one map lookup, with no
 * allocation (the GET hot path); condition keys are built only when a policy is evaluated.
 */
import type { IncomingMessage } from 'node:http';
import type { AuthResult } from '../auth/index.ts';
import type { AclAuthority } from './acl-grants.ts';
import type { QueryParams } from '../query-params.ts';
import { S3Error } from '../s3-errors.ts';
import { ACTIONS, UNAUTHORIZED_OPS, VERSION_ACTIONS, resourceArn } from './action-table.ts';
import type { BucketAccessStore } from './bucket-access-settings.ts';
import { isPublicPolicy, type BucketPolicyStore } from './bucket-policy-store.ts';
import type { ConditionValues } from './condition-operators.ts';
import { addExistingObjectTags, EXISTING_TAG_OPS, policiesNeedObjectTags, type ObjectTagReader } from './existing-object-tags.ts';
import { ROOT_ARN, type IdentityStore, type Principal } from './identity-store.ts';
import type { Policy } from './policy-document.ts';
import { evaluatePolicy, type EvaluationRequest, type Verdict } from './policy-eval.ts';
import { requestKeys } from './request-keys.ts';

/** Operations the root identity may always perform on a bucket policy (S3's guard against lock-out). */
const ROOT_POLICY_OPS = new Set(['GetBucketPolicy', 'PutBucketPolicy', 'DeleteBucketPolicy']);

/** Options of {@link Authorizer}. */
export interface AuthorizerOptions {
  /** Grant anonymous requests everything (the server's `allowAnonymous` mode, for tests). @default false */
  anonymousFullAccess?: boolean;
  /** The clock for aws:CurrentTime. @default Date.now */
  now?: () => number;
  /** Reads an object's tags for `s3:ExistingObjectTag/<key>` (existing-object-tags.ts); without it the key is absent. */
  objectTags?: ObjectTagReader | undefined;
  /** Answers whether ACL grants allow a request no policy allowed (acl-grants.ts); without it ACLs grant nothing. */
  acls?: AclAuthority | undefined;
}

/** Decides whether an authenticated (or anonymous) request may run; see the module comment. */
export class Authorizer {
  readonly #identities: IdentityStore;
  readonly #policies: BucketPolicyStore;
  readonly #access: BucketAccessStore;
  readonly #anonymousFullAccess: boolean;
  readonly #now: () => number;
  readonly #objectTags: ObjectTagReader | undefined;
  readonly #acls: AclAuthority | undefined;

  constructor(identities: IdentityStore, policies: BucketPolicyStore, access: BucketAccessStore, options: AuthorizerOptions = {}) {
    this.#identities = identities;
    this.#policies = policies;
    this.#access = access;
    this.#anonymousFullAccess = options.anonymousFullAccess ?? false;
    this.#now = options.now ?? Date.now;
    this.#objectTags = options.objectTags;
    this.#acls = options.acls;
  }

  /**
   * Returns when the request is allowed; throws S3's AccessDenied when it is not. Answers a promise only when
   * an applicable policy tests `s3:ExistingObjectTag/<key>` and the object's tags must be read first.
   */
  authorize(op: string, auth: AuthResult, bucket: string | undefined, key: string | undefined, raw: IncomingMessage, query: QueryParams): void | Promise<void> {
    const accessKeyId = auth.accessKeyId;
    // The hot path: the root identity, and no bucket policy anywhere or on this bucket (a copy also reads its
    // source, whose bucket may have one).
    if (
      accessKeyId !== null &&
      (this.#policies.size === 0 || bucket === undefined || (this.#policies.peek(bucket) === undefined && !COPY_OPS.has(op))) &&
      this.#identities.isRoot(accessKeyId)
    ) {
      return;
    }
    if (UNAUTHORIZED_OPS.has(op)) return;
    // DeleteObjects is authorized key by key in its handler (delete-authorization.ts); an anonymous caller on a
    // bucket without a policy could delete nothing, so is refused here as before.
    if (op === 'DeleteObjects' && (accessKeyId !== null || (bucket !== undefined && this.#policies.peek(bucket) !== undefined))) return;
    if (accessKeyId === null && this.#anonymousFullAccess) return;
    if (bucket !== undefined && key !== undefined && this.#objectTags !== undefined && EXISTING_TAG_OPS.has(op)) {
      const principal = accessKeyId === null ? undefined : this.#identities.principalOf(accessKeyId);
      if (policiesNeedObjectTags(this.#policies.peek(bucket), principal)) {
        return this.#objectTags(bucket, key, query.get('versionId') ?? undefined).then((tags) => this.#settle(this.decide(op, auth, bucket, key, raw, query, tags), op, auth, bucket, key, raw, query));
      }
    }
    // A copy reads its source with s3:GetObject, and tag conditions apply to that read as to any GetObject: the
    // source's tags are read when a policy that applies to the source mentions the key (its bucket's policy or
    // the caller's own). The destination is a PutObject, for which S3 does not support the key.
    if (this.#objectTags !== undefined && COPY_OPS.has(op)) {
      const source = copySourceOf(raw.headers['x-amz-copy-source']);
      const principal = accessKeyId === null ? undefined : this.#identities.principalOf(accessKeyId);
      if (source !== undefined && policiesNeedObjectTags(this.#policies.peek(source.bucket), principal)) {
        return this.#objectTags(source.bucket, source.key, source.versionId).then((tags) =>
          this.#settle(this.decide(op, auth, bucket, key, raw, query, undefined, tags), op, auth, bucket, key, raw, query),
        );
      }
    }
    return this.#settle(this.decide(op, auth, bucket, key, raw, query), op, auth, bucket, key, raw, query);
  }

  /**
   * Allows on 'Allow'. On the implicit deny an ACL grant may still allow (an ACL grant is an Allow; an explicit
   * Deny beats it): copies and GOVERNANCE bypasses excepted, which ACLs cannot grant (acl-grants.ts).
   */
  #settle(verdict: Verdict, op: string, auth: AuthResult, bucket: string | undefined, key: string | undefined, raw: IncomingMessage, query: QueryParams): void | Promise<void> {
    if (verdict === 'Allow') return;
    const principal = auth.accessKeyId === null ? undefined : this.#identities.principalOf(auth.accessKeyId);
    const known = auth.accessKeyId === null || principal !== undefined;
    if (verdict === undefined && known && this.#acls !== undefined && !COPY_OPS.has(op) && !bypassRequested(raw.headers['x-amz-bypass-governance-retention'])) {
      const granted = this.#acls.permits(op, principal, bucket, key, query);
      if (granted === true) return;
      if (granted !== false) {
        return granted.then((ok) => {
          if (!ok) throw new S3Error('AccessDenied', 'Access Denied');
        });
      }
    }
    throw new S3Error('AccessDenied', 'Access Denied');
  }

  /**
   * The combined verdict: 'Deny' (explicit), 'Allow', or undefined (the implicit deny). `existingTags` are the
   * tags of the object the request acts on; `sourceTags` those of a copy's source, seen only by the source read.
   */
  decide(
    op: string,
    auth: AuthResult,
    bucket: string | undefined,
    key: string | undefined,
    raw: IncomingMessage,
    query: QueryParams,
    existingTags?: Readonly<Record<string, string>>,
    sourceTags?: Readonly<Record<string, string>>,
  ): Verdict {
    const principal = auth.accessKeyId === null ? undefined : this.#identities.principalOf(auth.accessKeyId);
    if (auth.accessKeyId !== null && principal === undefined) return undefined;
    const row = ACTIONS[op];
    // An operation without a row fails closed: only the root identity may run it.
    if (row === undefined) return principal?.kind === 'root' ? 'Allow' : undefined;
    if (principal?.kind === 'root' && ROOT_POLICY_OPS.has(op)) return 'Allow';
    const values = requestKeys(raw, query, principal, auth.presigned, new Date(this.#now()));
    if (existingTags !== undefined) addExistingObjectTags(values, existingTags);
    const action = (query.has('versionId') ? VERSION_ACTIONS[row.action] : undefined) ?? row.action;
    const resource = resourceArn(row.level, bucket, key);
    const verdict = this.#evaluate(principal, action, resource, bucket, values);
    if (verdict !== 'Allow') return verdict;
    // Shortening or removing GOVERNANCE retention takes the header *and* s3:BypassGovernanceRetention
    // ("Object Lock retention modes", https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html#object-lock-retention-modes).
    if (bypassRequested(raw.headers['x-amz-bypass-governance-retention'])) {
      const bypass = this.#evaluate(principal, 's3:BypassGovernanceRetention', resource, bucket, values);
      if (bypass !== 'Allow') return bypass;
    }
    if (!COPY_OPS.has(op)) return verdict;
    // A copy reads its source: s3:GetObject (or s3:GetObjectVersion) on it, under the source bucket's policy
    // ("CopyObject", https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html, "Permissions").
    const source = copySourceOf(raw.headers['x-amz-copy-source']);
    if (source === undefined) return verdict; // malformed: the handler answers InvalidArgument
    let sourceValues = values;
    if (sourceTags !== undefined) {
      sourceValues = new Map(values);
      addExistingObjectTags(sourceValues, sourceTags);
    }
    return this.#evaluate(principal, source.versionId !== undefined ? 's3:GetObjectVersion' : 's3:GetObject', `arn:aws:s3:::${source.bucket}/${source.key}`, source.bucket, sourceValues);
  }

  /** Explicit deny in any policy, else an allow in the identity or bucket policy, else undefined. */
  #evaluate(principal: Principal | undefined, action: string, resource: string, bucket: string | undefined, values: ConditionValues): Verdict {
    const req: EvaluationRequest = {
      action,
      resource,
      principalArn: principal === undefined ? undefined : principal.kind === 'root' ? ROOT_ARN : principal.user.arn,
      accountArn: ROOT_ARN,
      values,
    };
    const bucketPolicy = bucket === undefined ? undefined : this.#policies.peek(bucket);
    let resourceVerdict = bucketPolicy === undefined ? undefined : evaluatePolicy(bucketPolicy, req);
    if (resourceVerdict === 'Deny') return 'Deny';
    // RestrictPublicBuckets: a public policy grants only principals of the account, never anonymous callers.
    if (resourceVerdict === 'Allow' && principal === undefined && bucket !== undefined && this.#access.get(bucket).publicAccessBlock?.RestrictPublicBuckets === true && isPublicPolicy(bucketPolicy as Policy)) {
      resourceVerdict = undefined;
    }
    let identityVerdict: Verdict = principal?.kind === 'root' ? 'Allow' : undefined;
    if (principal?.kind === 'user') {
      for (const policy of principal.user.compiled) {
        const v = evaluatePolicy(policy, req);
        if (v === 'Deny') return 'Deny';
        identityVerdict ??= v;
      }
    }
    return identityVerdict === 'Allow' || resourceVerdict === 'Allow' ? 'Allow' : undefined;
  }
}

/** Whether a request asks to bypass GOVERNANCE retention (the header's value `true`, any case). */
function bypassRequested(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && value.trim().toLowerCase() === 'true';
}

/** Operations that read another object as their source (x-amz-copy-source). */
const COPY_OPS = new Set(['CopyObject', 'UploadPartCopy']);

/** The bucket, key and version of an `x-amz-copy-source` header (`[/]bucket/key[?versionId=…]`, URL-encoded), or undefined. */
function copySourceOf(header: string | string[] | undefined): { bucket: string; key: string; versionId: string | undefined } | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const q = value.indexOf('?');
  let path: string;
  try {
    path = decodeURIComponent((q === -1 ? value : value.slice(0, q)).replace(/^\//, ''));
  } catch {
    return undefined;
  }
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) return undefined;
  const versionId = q === -1 ? undefined : (new URLSearchParams(value.slice(q + 1)).get('versionId') ?? undefined);
  // An empty versionId still names a version (s3:GetObjectVersion); the handler refuses it.
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1), versionId };
}
