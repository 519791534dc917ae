/**
 * S3 access control lists as documents: the grant model, the canned ACLs, the `x-amz-grant-*` headers and the
 * AccessControlPolicy XML body, parsed into grants (GetBucketAcl / GetObjectAcl render them: handlers/bucket-config.ts) ("Access control list (ACL) overview",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html; "PutObjectAcl",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectAcl.html).
 *
 * The server has one account, so every bucket and object has one owner (the root identity). Canonical user ids
 * are the owner's id and the ids of IAM users; a grant naming any other id is refused ("Invalid id"), as S3
 * refuses an id of no account. Email grantees resolve to no one here: the server keeps no e-mail addresses,
 * so they answer UnresolvableGrantByEmailAddress ("Grantee", https://docs.aws.amazon.com/AmazonS3/latest/API/API_Grantee.html,
 * and "Error responses", https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 */
import type { Owner } from '../context.ts';
import { S3Error } from '../s3-errors.ts';
import { childText, children, parseXml } from '../xml.ts';
import type { ParsedXml } from '../xml.ts';

/** The permissions an ACL grants. */
export const ACL_PERMISSIONS = ['FULL_CONTROL', 'READ', 'WRITE', 'READ_ACP', 'WRITE_ACP'] as const;
export type AclPermission = (typeof ACL_PERMISSIONS)[number];

/** The predefined groups ("Amazon S3 predefined groups" in the ACL overview). */
export const GROUPS = {
  AllUsers: 'http://acs.amazonaws.com/groups/global/AllUsers',
  AuthenticatedUsers: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
  LogDelivery: 'http://acs.amazonaws.com/groups/s3/LogDelivery',
} as const;

/** Who a grant names: a canonical user id, or a predefined group's URI. */
export type Grantee = { type: 'CanonicalUser'; id: string } | { type: 'Group'; uri: string };

/** One grant. */
export interface Grant {
  grantee: Grantee;
  permission: AclPermission;
}

/** The canned ACLs S3 accepts in `x-amz-acl` ("Canned ACL" in the ACL overview). */
export const CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'log-delivery-write',
] as const;
export type CannedAcl = (typeof CANNED_ACLS)[number];

const group = (uri: string, permission: AclPermission): Grant => ({ grantee: { type: 'Group', uri }, permission });

/** The owner's FULL_CONTROL grant, which every canned ACL starts with. */
export function ownerGrant(owner: Owner): Grant {
  return { grantee: { type: 'CanonicalUser', id: owner.id }, permission: 'FULL_CONTROL' };
}

/**
 * The grants of a canned ACL. The bucket owner is the object owner here (one account), so bucket-owner-read and
 * bucket-owner-full-control come down to the owner's FULL_CONTROL, as S3 shows them when both owners are one.
 */
export function cannedGrants(canned: CannedAcl, owner: Owner): Grant[] {
  const grants = [ownerGrant(owner)];
  if (canned === 'public-read' || canned === 'public-read-write') grants.push(group(GROUPS.AllUsers, 'READ'));
  if (canned === 'public-read-write') grants.push(group(GROUPS.AllUsers, 'WRITE'));
  if (canned === 'authenticated-read') grants.push(group(GROUPS.AuthenticatedUsers, 'READ'));
  if (canned === 'log-delivery-write') grants.push(group(GROUPS.LogDelivery, 'WRITE'), group(GROUPS.LogDelivery, 'READ_ACP'));
  return grants;
}

/** Whether the grants are the default ACL: the owner's FULL_CONTROL and nothing else. */
export function isOwnerOnly(grants: readonly Grant[], owner: Owner): boolean {
  return grants.length > 0 && grants.every((g) => g.grantee.type === 'CanonicalUser' && g.grantee.id === owner.id && g.permission === 'FULL_CONTROL');
}

/**
 * Whether the grants make the resource public: a grant to AllUsers or AuthenticatedUsers ("The meaning of
 * 'public'", https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status).
 */
export function isPublicAcl(grants: readonly Grant[]): boolean {
  return grants.some((g) => g.grantee.type === 'Group' && (g.grantee.uri === GROUPS.AllUsers || g.grantee.uri === GROUPS.AuthenticatedUsers));
}

/** Checks grantees: known canonical ids and group URIs only; e-mail addresses resolve to no one. */
export type KnownId = (id: string) => boolean;

function granteeOf(kind: string, value: string, knownId: KnownId): Grantee {
  switch (kind.toLowerCase()) {
    case 'id':
      if (!knownId(value)) throw new S3Error('InvalidArgument', 'Invalid id', { extra: { ArgumentName: 'CanonicalUser/ID', ArgumentValue: value } });
      return { type: 'CanonicalUser', id: value };
    case 'uri':
      if (!Object.values(GROUPS).includes(value as never)) throw new S3Error('InvalidArgument', 'Invalid group uri', { extra: { ArgumentName: 'Group/URI', ArgumentValue: value } });
      return { type: 'Group', uri: value };
    case 'emailaddress':
      throw new S3Error('UnresolvableGrantByEmailAddress', undefined, { extra: { EmailAddress: value } });
    default:
      throw new S3Error('InvalidArgument', `Unknown grantee type ${kind}`, { extra: { ArgumentName: 'x-amz-grant', ArgumentValue: kind } });
  }
}

/** The header of each permission (`x-amz-grant-read`, …). */
export const GRANT_HEADERS: Readonly<Record<AclPermission, string>> = {
  FULL_CONTROL: 'x-amz-grant-full-control',
  READ: 'x-amz-grant-read',
  WRITE: 'x-amz-grant-write',
  READ_ACP: 'x-amz-grant-read-acp',
  WRITE_ACP: 'x-amz-grant-write-acp',
};

/** Parses one `x-amz-grant-*` value: `id="…", uri="…", emailAddress="…"`, comma-separated. */
export function parseGrantHeader(permission: AclPermission, value: string, knownId: KnownId): Grant[] {
  const grants: Grant[] = [];
  const entry = /\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([^,\s"]+))\s*(?:,|$)/y;
  let at = 0;
  while (at < value.length) {
    entry.lastIndex = at;
    const m = entry.exec(value);
    if (m === null || m[0] === '') throw new S3Error('InvalidArgument', `Invalid grant header ${GRANT_HEADERS[permission]}`, { extra: { ArgumentName: GRANT_HEADERS[permission], ArgumentValue: value } });
    grants.push({ grantee: granteeOf(m[1] as string, m[2] ?? m[3] ?? '', knownId), permission });
    at = entry.lastIndex;
  }
  if (grants.length === 0) throw new S3Error('InvalidArgument', `Invalid grant header ${GRANT_HEADERS[permission]}`, { extra: { ArgumentName: GRANT_HEADERS[permission], ArgumentValue: value } });
  return grants;
}

const malformed = (): S3Error => new S3Error('MalformedACLError');

/**
 * Parses an AccessControlPolicy body. The XML parser drops attributes, so the grantee's kind is read from the
 * element it carries (ID, URI or EmailAddress), which is what its xsi:type names. The Owner, when given, must be
 * the owner: an ACL cannot give a resource away.
 */
export function parseAccessControlPolicy(body: string, owner: Owner, knownId: KnownId): Grant[] {
  let root: Record<string, ParsedXml | ParsedXml[]>;
  try {
    root = parseXml(body, 'AccessControlPolicy');
  } catch (cause) {
    throw new S3Error('MalformedACLError', undefined, { cause });
  }
  const ownerId = childText(children(root, 'Owner')[0], 'ID');
  if (ownerId !== undefined && ownerId.trim() !== owner.id) throw new S3Error('InvalidArgument', 'Invalid id', { extra: { ArgumentName: 'Owner/ID', ArgumentValue: ownerId } });
  const lists = children(root, 'AccessControlList');
  if (lists.length !== 1) throw malformed();
  const grants: Grant[] = [];
  for (const grant of children(lists[0], 'Grant')) {
    const permission = childText(grant, 'Permission')?.trim();
    const [grantee] = children(grant, 'Grantee');
    if (grantee === undefined || !ACL_PERMISSIONS.includes(permission as AclPermission)) throw malformed();
    const kinds = (['ID', 'URI', 'EmailAddress'] as const).filter((k) => childText(grantee, k) !== undefined);
    if (kinds.length !== 1) throw malformed();
    const kind = kinds[0] as string;
    grants.push({ grantee: granteeOf(kind, (childText(grantee, kind) as string).trim(), knownId), permission: permission as AclPermission });
  }
  return grants;
}
