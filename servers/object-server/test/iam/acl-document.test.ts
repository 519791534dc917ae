/**
 * The ACL document parts on their own: `x-amz-grant-*` values (quoted or not, several grantees, the refused
 * forms), canned ACLs, and the compact form an object's ACL is stored in (acl-store.ts), which must read back
 * what was written and fail closed on a damaged value.
 */
import { describe, expect, it } from 'vitest';
import { GROUPS, cannedGrants, isOwnerOnly, isPublicAcl, parseGrantHeader } from '../../src/iam/acl-document.ts';
import { OBJECT_ACL_TAG, encodeObjectAcl, objectGrantsOf, tagsWithAcl, visibleTags } from '../../src/iam/acl-store.ts';

const owner = { id: 'strata', displayName: 'strata' };
const known = (id: string) => id === 'strata' || id === 'AIDAUSER';

describe('x-amz-grant-* values', () => {
  it('reads quoted and bare values, several grantees, any spacing', () => {
    expect(parseGrantHeader('READ', `id="AIDAUSER", uri="${GROUPS.AllUsers}",id=strata`, known)).toEqual([
      { grantee: { type: 'CanonicalUser', id: 'AIDAUSER' }, permission: 'READ' },
      { grantee: { type: 'Group', uri: GROUPS.AllUsers }, permission: 'READ' },
      { grantee: { type: 'CanonicalUser', id: 'strata' }, permission: 'READ' },
    ]);
  });
  it.each([
    ['', 'InvalidArgument'],
    ['id', 'InvalidArgument'],
    ['id="nobody"', 'InvalidArgument'],
    ['uri="http://example.com/group"', 'InvalidArgument'],
    ['emailAddress="a@example.com"', 'UnresolvableGrantByEmailAddress'],
    ['arn="x"', 'InvalidArgument'],
  ])('%j is refused with %s', (value, code) => {
    expect(() => parseGrantHeader('WRITE', value, known)).toThrow(expect.objectContaining({ code }));
  });
});

describe('canned ACLs', () => {
  it('expand to the documented grants; only public ones are public; the owner-only ones are the default', () => {
    expect(isOwnerOnly(cannedGrants('private', owner), owner)).toBe(true);
    expect(isOwnerOnly(cannedGrants('bucket-owner-full-control', owner), owner)).toBe(true);
    expect(isPublicAcl(cannedGrants('public-read-write', owner))).toBe(true);
    expect(isPublicAcl(cannedGrants('authenticated-read', owner))).toBe(true);
    expect(isPublicAcl(cannedGrants('log-delivery-write', owner))).toBe(false);
    expect(cannedGrants('log-delivery-write', owner).map((g) => g.permission)).toEqual(['FULL_CONTROL', 'WRITE', 'READ_ACP']);
  });
});

describe('the stored form of an object ACL', () => {
  it('round-trips every permission and grantee kind, and is hidden from the client tags', () => {
    const grants = [...cannedGrants('public-read-write', owner), { grantee: { type: 'CanonicalUser' as const, id: 'AIDAUSER' }, permission: 'WRITE_ACP' as const }, { grantee: { type: 'Group' as const, uri: GROUPS.LogDelivery }, permission: 'READ_ACP' as const }];
    const tags = tagsWithAcl({ team: 'storage' }, grants, owner) as Record<string, string>;
    expect(objectGrantsOf(tags, owner)).toEqual(grants);
    expect(visibleTags(tags)).toEqual({ team: 'storage' });
    expect((tags[OBJECT_ACL_TAG] as string).length).toBeLessThanOrEqual(256);
  });
  it('stores nothing for the default ACL; an empty ACL stays empty', () => {
    expect(tagsWithAcl(undefined, cannedGrants('private', owner), owner)).toBeUndefined();
    expect(objectGrantsOf({ [OBJECT_ACL_TAG]: encodeObjectAcl([]) }, owner)).toEqual([]);
  });
  it('a damaged value grants only the owner', () => {
    for (const damaged of ['R:g:Nobody', 'X:u:strata', 'R:q:strata', 'R']) {
      expect(objectGrantsOf({ [OBJECT_ACL_TAG]: damaged }, owner)).toEqual([{ grantee: { type: 'CanonicalUser', id: 'strata' }, permission: 'FULL_CONTROL' }]);
    }
  });
});
