/**
 * The `s3:ExistingObjectTag/<tag-key>` condition key: the tags of the object a request acts on, as "Tagging
 * and access control policies" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-and-policies.html)
 * defines it. It needs the stored object's tags — a storage read before authorization — so it is supplied
 * only when a policy that applies to the request mentions it in a condition: a request under policies that
 * never do (every GET of the root identity, most requests of most users) pays nothing. Whether a policy
 * mentions it is computed once per parsed policy and kept beside it.
 *
 * The key is supported for the operations that read or re-label an existing object; "When granting
 * permissions for the PUT Object and DELETE Object operations, this condition key is not supported", so
 * PutObject, DeleteObject and DeleteObjects never read tags, nor does a copy for its destination. A copy's
 * source is read with s3:GetObject ("CopyObject", https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html,
 * "Permissions"), so the source's tags are supplied to that read alone, under the same rule (authorizer.ts). A
 * request naming `versionId` (a copy source's `?versionId=`) reads that version's tags; one without reads the
 * current version's.
 */
import { hasErrorCode } from '@strata/storage';
import { storageKey } from '../context.ts';
import type { ServerState } from '../context.ts';
import type { Principal } from './identity-store.ts';
import type { Policy } from './policy-document.ts';

/** The condition key's prefix, lower-cased as condition keys are compared. */
const KEY_PREFIX = 's3:existingobjecttag/';

/** Operations (routes.ts `op`) for which S3 evaluates `s3:ExistingObjectTag/<key>`. */
export const EXISTING_TAG_OPS: ReadonlySet<string> = new Set([
  'GetObject',
  'HeadObject',
  'GetObjectAcl',
  'PutObjectAcl',
  'GetObjectTagging',
  'PutObjectTagging',
  'DeleteObjectTagging',
  'GetObjectRetention',
  'PutObjectRetention',
  'GetObjectLegalHold',
  'PutObjectLegalHold',
]);

/** Reads the tags of `bucket`/`key` (of `versionId`, else the current version); `{}` for no such object. */
export type ObjectTagReader = (bucket: string, key: string, versionId: string | undefined) => Promise<Record<string, string>>;

const mentions = new WeakMap<Policy, boolean>();

/** Whether a condition of `policy` tests `s3:ExistingObjectTag/<key>` (computed once per policy). */
export function mentionsExistingObjectTag(policy: Policy): boolean {
  let found = mentions.get(policy);
  if (found === undefined) {
    found = policy.statements.some((s) => s.conditions.some((c) => c.key.startsWith(KEY_PREFIX)));
    mentions.set(policy, found);
  }
  return found;
}

/** Whether the bucket policy or one of the caller's identity policies tests the key. */
export function policiesNeedObjectTags(bucketPolicy: Policy | undefined, principal: Principal | undefined): boolean {
  if (bucketPolicy !== undefined && mentionsExistingObjectTag(bucketPolicy)) return true;
  return principal?.kind === 'user' && principal.user.compiled.some(mentionsExistingObjectTag);
}

/** Adds the object's tags to a request's condition keys. */
export function addExistingObjectTags(values: Map<string, string[]>, tags: Readonly<Record<string, string>>): void {
  for (const [k, v] of Object.entries(tags)) values.set(KEY_PREFIX + k.toLowerCase(), [v]);
}

/**
 * The tag reader over a server's storage: the plain object in an unversioned bucket, else the version the
 * version store resolves (a delete marker or a missing object has no tags; the handler answers its error).
 */
export function createObjectTagReader(state: ServerState): ObjectTagReader {
  return async (bucket, key, versionId) => {
    try {
      let at = storageKey(bucket, key);
      if (versionId !== undefined || (await state.versioning.mode(bucket)) !== null) {
        const found = await state.versioning.store(bucket).resolve(key, versionId);
        if (found.kind !== 'object') return {};
        at = found.storageKey;
      }
      return (await state.storage.head(at)).tags;
    } catch (e) {
      if (hasErrorCode(e, 'NotFound')) return {};
      throw e;
    }
  };
}
