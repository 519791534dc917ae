/**
 * Bucket sub-resources clients read even when they do not use them (the first two answered with S3's defaults):
 * GetBucketLocation — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html
 * GetBucketVersioning — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html
 * GetBucketAcl / GetObjectAcl — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketAcl.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAcl.html
 */
import { bucketOf } from '../context.ts';
import type { Handler, Owner } from '../context.ts';
import { ownerGrant } from '../iam/acl-document.ts';
import type { Grant, Grantee } from '../iam/acl-document.ts';
import { bucketGrantsOf, objectGrantsOf } from '../iam/acl-store.ts';
import { objectOwnershipOf } from '../iam/acl-write.ts';
import { iamOf } from '../iam/iam-state.ts';
import { taggingTarget } from '../versioning/tagging-target.ts';
import type { XmlObject } from '../xml.ts';
import { ownerXml } from './owner.ts';

/** The bucket's region; us-east-1 is written as an empty LocationConstraint, as S3 does. */
export const getBucketLocation: Handler = async (ctx) => ({
  xml: { root: 'LocationConstraint', body: ctx.state.region === 'us-east-1' ? '' : ctx.state.region },
});

/** Versioning has never been enabled: an empty VersioningConfiguration. */
export const getBucketVersioning: Handler = async () => ({ xml: { root: 'VersioningConfiguration', body: {} } });

/** The Grantee element of a grant: the grantee's kind in xsi:type, an IAM user's name as its DisplayName. */
function granteeXml(grantee: Grantee, owner: Owner, displayName: (id: string) => string | undefined): XmlObject {
  // S3 writes the grantee's kind as an xsi:type attribute; s3cmd's `info` reads it and fails without it
  // (KeyError on '{http://www.w3.org/2001/XMLSchema-instance}type'). Example response:
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAcl.html#API_GetObjectAcl_Examples
  const xsi = { '@xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', '@xsi:type': grantee.type };
  if (grantee.type === 'Group') return { ...xsi, URI: grantee.uri };
  const name = grantee.id === owner.id ? owner.displayName : displayName(grantee.id);
  return { ...xsi, ID: grantee.id, ...(name !== undefined ? { DisplayName: name } : {}) };
}

/**
 * The ACL of the bucket, or of the object (the version `versionId` names), as stored (iam/acl-store.ts). A
 * bucket that enforces bucket-owner ownership has its ACLs disabled and answers the owner's FULL_CONTROL,
 * whatever was stored before ("Object Ownership",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html: reading ACLs stays
 * supported).
 */
export const getAcl: Handler = async (ctx) => {
  const { owner } = ctx.state;
  const bucket = bucketOf(ctx);
  const iam = iamOf(ctx.state);
  const disabled = objectOwnershipOf(iam.access.get(bucket)) === 'BucketOwnerEnforced';
  let grants: Grant[];
  let versionId: string | undefined;
  if (ctx.key === undefined) grants = disabled ? [ownerGrant(owner)] : bucketGrantsOf(ctx.state, bucket);
  else {
    const target = await taggingTarget(ctx);
    const info = await ctx.state.storage.head(target.storageKey, { signal: ctx.signal });
    grants = disabled ? [ownerGrant(owner)] : objectGrantsOf(info.tags, owner);
    versionId = target.versionId;
  }
  const users = iam.identities.users();
  const displayName = (id: string): string | undefined => users.find((u) => u.id === id)?.name;
  return {
    headers: { 'x-amz-version-id': versionId },
    xml: {
      root: 'AccessControlPolicy',
      body: {
        Owner: ownerXml(owner),
        AccessControlList: { Grant: grants.map((g) => ({ Grantee: granteeXml(g.grantee, owner, displayName), Permission: g.permission })) },
      },
    },
  };
};
