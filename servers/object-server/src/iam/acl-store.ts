/**
 * Where ACLs are kept. A bucket's ACL is a field of its access-settings record (bucket-access-settings.ts: one
 * record per bucket under the reserved prefix, loaded before the first request, removed with the bucket), so the
 * authorizer reads it synchronously. An object's ACL travels with the object as one tag under a reserved name:
 * tags are written atomically with a put, copy or multipart completion, change without rewriting the bytes
 * (PutObjectAcl keeps the ETag and Last-Modified, as in S3), belong to one version, and go when the object goes.
 * The reserved tag is never shown (GetObjectTagging, `x-amz-tagging-count`) nor accepted from clients (tags.ts).
 *
 * No ACL stored means the default ACL: the owner's FULL_CONTROL ("Access control list (ACL) overview",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html: "When you create a bucket or an
 * object, Amazon S3 creates a default ACL that grants the resource owner full control"); that ACL is stored as
 * nothing, so objects and buckets that never had another carry no extra state.
 */
import type { Owner, ServerState } from '../context.ts';
import { GROUPS, isOwnerOnly, ownerGrant } from './acl-document.ts';
import type { AclPermission, Grant } from './acl-document.ts';
import type { BucketAccessSettings } from './bucket-access-settings.ts';
import { iamOf } from './iam-state.ts';
import { S3Error } from '../s3-errors.ts';

/** The storage contract's tag limits, which the stored ACL tag counts against. */
const STORED_TAGS_MAX = 10;
const STORED_TAG_VALUE_MAX = 256;

/** The tag name an object's ACL is stored under (a name clients cannot use: tags.ts refuses it). */
export const OBJECT_ACL_TAG = 'x-strata-acl';

const PERMISSION_CODES: Readonly<Record<AclPermission, string>> = { FULL_CONTROL: 'F', READ: 'R', WRITE: 'W', READ_ACP: 'r', WRITE_ACP: 'w' };
const GROUP_NAMES = Object.entries(GROUPS) as [keyof typeof GROUPS, string][];

/**
 * The tag value of an ACL: `P:u:<id>` or `P:g:<group>` per grant, space-separated. Compact, and made of the
 * characters S3 allows in tag values, so an S3 backend stores it as a tag too (its values hold 256 characters:
 * about eight user grants).
 */
export function encodeObjectAcl(grants: readonly Grant[]): string {
  return grants
    .map((g) => `${PERMISSION_CODES[g.permission]}:${g.grantee.type === 'Group' ? `g:${GROUP_NAMES.find(([, uri]) => uri === (g.grantee as { uri: string }).uri)?.[0]}` : `u:${g.grantee.id}`}`)
    .join(' ');
}

/** Decodes a stored ACL; a damaged value grants nothing beyond the owner's control (fails closed). */
function decodeObjectAcl(value: string, owner: Owner): Grant[] {
  const grants: Grant[] = [];
  if (value === '') return grants;
  for (const part of value.split(' ')) {
    const [code, kind, name] = part.split(':');
    const permission = (Object.keys(PERMISSION_CODES) as AclPermission[]).find((p) => PERMISSION_CODES[p] === code);
    const uri = kind === 'g' ? GROUPS[name as keyof typeof GROUPS] : undefined;
    if (permission === undefined || name === undefined || (kind === 'g' && uri === undefined) || (kind !== 'g' && kind !== 'u')) return [ownerGrant(owner)];
    grants.push({ grantee: uri !== undefined ? { type: 'Group', uri } : { type: 'CanonicalUser', id: name }, permission });
  }
  return grants;
}

/** An object's grants, from its stored tags (the default ACL when it has none). */
export function objectGrantsOf(tags: Readonly<Record<string, string>>, owner: Owner): Grant[] {
  const value = tags[OBJECT_ACL_TAG];
  return value === undefined ? [ownerGrant(owner)] : decodeObjectAcl(value, owner);
}

/** The tags clients see: the stored tags without the ACL. */
export function visibleTags(tags: Record<string, string>): Record<string, string> {
  if (!(OBJECT_ACL_TAG in tags)) return tags;
  const { [OBJECT_ACL_TAG]: _acl, ...rest } = tags;
  return rest;
}

/**
 * The tags to store: the client's tags plus the ACL, unless it is the default one. Undefined when there is
 * neither (the write then stores no tags, as before ACLs existed).
 */
export function tagsWithAcl(tags: Record<string, string> | undefined, grants: readonly Grant[] | undefined, owner: Owner): Record<string, string> | undefined {
  if (grants === undefined || isOwnerOnly(grants, owner)) return tags;
  const value = encodeObjectAcl(grants);
  // The ACL shares the storage contract's tag limits (10 tags, values of 256 characters): say so in S3 terms
  // rather than let the backend refuse an internal tag by name.
  if (Object.keys(tags ?? {}).length >= STORED_TAGS_MAX) {
    throw new S3Error('InvalidArgument', `This server keeps an object's ACL beside its tags: an object with ${STORED_TAGS_MAX} tags can only have the default ACL.`);
  }
  if (value.length > STORED_TAG_VALUE_MAX) {
    throw new S3Error('InvalidArgument', `This server stores an object's ACL in ${STORED_TAG_VALUE_MAX} characters: too many grants (use fewer, or a bucket policy).`);
  }
  return { ...tags, [OBJECT_ACL_TAG]: value };
}

/**
 * The client's tags for a PutObjectTagging with the object's stored ACL (`acl`, its tag value) kept beside
 * them. The ACL counts against the contract's tag limit, so a full set is refused in S3 terms (`InvalidTag`,
 * as S3 refuses more than 10 tags) rather than by the backend naming the internal tag.
 */
export function clientTagsWithAcl(clientTags: Record<string, string>, acl: string | undefined): Record<string, string> {
  if (acl === undefined) return clientTags;
  if (Object.keys(clientTags).length >= STORED_TAGS_MAX) {
    throw new S3Error('InvalidTag', `Object tags cannot be greater than ${STORED_TAGS_MAX - 1} on an object with an ACL other than the default: this server keeps the ACL beside the tags.`);
  }
  return { ...clientTags, [OBJECT_ACL_TAG]: acl };
}

/** A bucket's grants (the default ACL when it has none). */
export function bucketGrantsOf(state: ServerState, bucket: string): Grant[] {
  return iamOf(state).access.get(bucket).acl ?? [ownerGrant(state.owner)];
}

/**
 * Replaces a bucket's ACL; the default ACL is stored as none. `check` runs against the bucket's settings in the
 * store's serial section (its throw refuses the write), so a concurrent change of Object Ownership cannot slip
 * between the check and the write.
 */
export function setBucketGrants(state: ServerState, bucket: string, grants: readonly Grant[], check?: (current: BucketAccessSettings) => void): Promise<void> {
  return iamOf(state).access.update(bucket, (current) => {
    check?.(current);
    return { acl: isOwnerOnly(grants, state.owner) ? undefined : [...grants] };
  });
}
