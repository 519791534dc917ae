/**
 * The ACL a write asks for — `x-amz-acl`, the `x-amz-grant-*` headers, or (PutBucketAcl / PutObjectAcl) an
 * AccessControlPolicy body — and the bucket settings that may refuse it:
 *
 * - Object Ownership BucketOwnerEnforced, the default of a bucket without ownership controls, disables ACLs:
 *   a write naming any ACL but the owner's full control (private, bucket-owner-full-control, or the same as
 *   explicit grants) answers 400 AccessControlListNotSupported ("Controlling ownership of objects and disabling
 *   ACLs for your bucket", https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html).
 * - BlockPublicAcls refuses a write that names a public ACL with 403 AccessDenied ("Blocking public access to
 *   your Amazon S3 storage", https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html).
 *
 * Only one way of naming an ACL per request: a canned ACL with grant headers, or either with a body, is 400
 * InvalidArgument ("PutBucketAcl", https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketAcl.html:
 * "You can use either a canned ACL or specify access permissions explicitly. You cannot do both.").
 */
import { header } from '../context.ts';
import type { Owner, S3Context, ServerState } from '../context.ts';
import { tagsFrom } from '../object-headers.ts';
import { S3Error } from '../s3-errors.ts';
import { ACL_PERMISSIONS, CANNED_ACLS, GRANT_HEADERS, cannedGrants, isOwnerOnly, isPublicAcl, parseAccessControlPolicy, parseGrantHeader } from './acl-document.ts';
import type { CannedAcl, Grant, KnownId } from './acl-document.ts';
import { tagsWithAcl } from './acl-store.ts';
import { OBJECT_OWNERSHIP } from './bucket-access-settings.ts';
import type { BucketAccessSettings } from './bucket-access-settings.ts';
import { iamOf } from './iam-state.ts';

/** The bucket's Object Ownership, BucketOwnerEnforced when none is set (S3's default for new buckets). */
export function objectOwnershipOf(settings: BucketAccessSettings): NonNullable<BucketAccessSettings['objectOwnership']> {
  return settings.objectOwnership ?? 'BucketOwnerEnforced';
}

/** The canonical ids grants may name: the owner's and every IAM user's. */
export function knownIdOf(state: ServerState): KnownId {
  return (id) => id === state.owner.id || iamOf(state).identities.users().some((u) => u.id === id);
}

/** Whether the request carries `x-amz-acl` or an `x-amz-grant-*` header. */
export function hasAclHeaders(ctx: Pick<S3Context, 'headers'>): boolean {
  if (ctx.headers['x-amz-acl'] !== undefined) return true;
  for (const p of ACL_PERMISSIONS) if (ctx.headers[GRANT_HEADERS[p]] !== undefined) return true;
  return false;
}

/**
 * The grants the request's headers (and `body`, for the ACL sub-resource) name, or undefined when it names
 * none. Throws InvalidArgument for an unknown canned ACL or a mix of ways.
 */
export function requestedGrants(ctx: Pick<S3Context, 'headers' | 'state'>, body?: string): Grant[] | undefined {
  const canned = header(ctx, 'x-amz-acl');
  const explicit = ACL_PERMISSIONS.filter((p) => ctx.headers[GRANT_HEADERS[p]] !== undefined);
  const hasBody = body !== undefined && body.trim() !== '';
  if ((canned !== undefined ? 1 : 0) + (explicit.length > 0 ? 1 : 0) + (hasBody ? 1 : 0) > 1) {
    throw new S3Error('InvalidArgument', 'Specifying both Canned ACLs and Header Grants is not allowed');
  }
  const { owner } = ctx.state;
  if (canned !== undefined) {
    const name = canned.trim();
    if (!CANNED_ACLS.includes(name as CannedAcl)) throw new S3Error('InvalidArgument', undefined, { extra: { ArgumentName: 'x-amz-acl', ArgumentValue: canned } });
    return cannedGrants(name as CannedAcl, owner);
  }
  const knownId = knownIdOf(ctx.state);
  if (explicit.length > 0) return explicit.flatMap((p) => parseGrantHeader(p, header(ctx, GRANT_HEADERS[p]) as string, knownId));
  return hasBody ? parseAccessControlPolicy(body, owner, knownId) : undefined;
}

/**
 * Throws unless the bucket's settings let `grants` be written on it or on one of its objects; see the module
 * comment. `creating` is CreateBucket's check, whose refusal S3 names InvalidBucketAclWithObjectOwnership.
 */
export function assertAclWritable(state: ServerState, bucket: string, grants: readonly Grant[], creating = false): void {
  const settings = iamOf(state).access.get(bucket);
  if (objectOwnershipOf(settings) === 'BucketOwnerEnforced' && !isOwnerOnly(grants, state.owner)) {
    if (creating) throw new S3Error('InvalidBucketAclWithObjectOwnership');
    throw new S3Error('AccessControlListNotSupported');
  }
  if (settings.publicAccessBlock?.BlockPublicAcls === true && isPublicAcl(grants)) throw new S3Error('AccessDenied', 'Access Denied');
}

/**
 * Throws InvalidBucketAclWithObjectOwnership unless the bucket's ACL is the owner's FULL_CONTROL alone: Object
 * Ownership BucketOwnerEnforced may be applied only then ("Prerequisites for disabling ACLs",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-migrating-acls-prerequisites.html, and
 * "Troubleshooting", https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html:
 * a PutBucketOwnershipControls that enforces bucket-owner ownership on a bucket whose ACL grants others fails).
 * Object ACLs are not checked: S3 applies the setting over them, and they stop granting.
 */
export function assertBucketAclOwnerOnly(settings: BucketAccessSettings, owner: Owner): void {
  if (settings.acl !== undefined && !isOwnerOnly(settings.acl, owner)) throw new S3Error('InvalidBucketAclWithObjectOwnership');
}

/** The grants a write's headers name, checked against the bucket's settings; undefined when it names none. */
export function writeGrants(ctx: Pick<S3Context, 'headers' | 'state'>, bucket: string): Grant[] | undefined {
  if (!hasAclHeaders(ctx)) return undefined;
  const grants = requestedGrants(ctx);
  if (grants !== undefined) assertAclWritable(ctx.state, bucket, grants);
  return grants;
}

/**
 * The tags a write stores: the client's `x-amz-tagging` plus the ACL its headers name (PutObject, CopyObject
 * with REPLACE tags, CreateMultipartUpload, whose tags apply at completion). Undefined when there is neither.
 */
export function writeTagsFrom(ctx: Pick<S3Context, 'headers' | 'state'>, bucket: string): Record<string, string> | undefined {
  return tagsWithAcl(tagsFrom(ctx), writeGrants(ctx, bucket), ctx.state.owner);
}

/**
 * CreateBucket's access settings: `x-amz-object-ownership` and the ACL headers, checked before the bucket is
 * made (an ACL other than the owner's on a bucket that will enforce bucket-owner ownership is
 * InvalidBucketAclWithObjectOwnership, "CreateBucket", https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html).
 * Returns what to store once the bucket exists.
 */
export function creationSettings(ctx: Pick<S3Context, 'headers' | 'state'>): Pick<BucketAccessSettings, 'objectOwnership' | 'acl'> {
  const value = header(ctx, 'x-amz-object-ownership');
  const ownership = value === undefined ? undefined : OBJECT_OWNERSHIP.find((o) => o === value.trim());
  if (value !== undefined && ownership === undefined) throw new S3Error('InvalidArgument', 'Invalid x-amz-object-ownership header', { extra: { ArgumentName: 'x-amz-object-ownership', ArgumentValue: value } });
  const grants = hasAclHeaders(ctx) ? requestedGrants(ctx) : undefined;
  const ownerOnly = grants === undefined || isOwnerOnly(grants, ctx.state.owner);
  if (!ownerOnly && (ownership ?? 'BucketOwnerEnforced') === 'BucketOwnerEnforced') throw new S3Error('InvalidBucketAclWithObjectOwnership');
  // New buckets are created with BucketOwnerEnforced set, not merely implied: since April 2023 S3 stores it and
  // GetBucketOwnershipControls answers it for a bucket created without the header
  // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html, "Object Ownership settings").
  return { objectOwnership: ownership ?? 'BucketOwnerEnforced', ...(ownerOnly ? {} : { acl: grants }) };
}
