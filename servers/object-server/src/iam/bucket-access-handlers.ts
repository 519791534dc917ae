/**
 * PutPublicAccessBlock — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html
 * GetPublicAccessBlock — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html
 * DeletePublicAccessBlock — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeletePublicAccessBlock.html
 * PutBucketOwnershipControls — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketOwnershipControls.html
 * GetBucketOwnershipControls — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketOwnershipControls.html
 * DeleteBucketOwnershipControls — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketOwnershipControls.html
 *
 * What the settings do is described in bucket-access-settings.ts.
 */
import { bucketOf } from '../context.ts';
import type { Handler } from '../context.ts';
import { readXmlBody } from '../request-body.ts';
import { S3Error } from '../s3-errors.ts';
import { childText, children, parseXml } from '../xml.ts';
import { assertBucketAclOwnerOnly } from './acl-write.ts';
import { OBJECT_OWNERSHIP, type PublicAccessBlock } from './bucket-access-settings.ts';
import { iamOf } from './iam-state.ts';

const SWITCHES = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

/** Sets the bucket's Block Public Access configuration (absent switches are false). */
export const putPublicAccessBlock: Handler = async (ctx) => {
  const root = parseXml(await readXmlBody(ctx), 'PublicAccessBlockConfiguration');
  const config = {} as PublicAccessBlock;
  for (const name of SWITCHES) {
    const value = childText(root, name)?.trim() ?? 'false';
    if (value !== 'true' && value !== 'false') throw new S3Error('MalformedXML', `${name} must be true or false`);
    config[name] = value === 'true';
  }
  await iamOf(ctx.state).access.update(bucketOf(ctx), { publicAccessBlock: config });
  return {};
};

/** Returns the configuration; NoSuchPublicAccessBlockConfiguration when none is set. */
export const getPublicAccessBlock: Handler = (ctx) => {
  const config = iamOf(ctx.state).access.get(bucketOf(ctx)).publicAccessBlock;
  if (config === undefined) throw new S3Error('NoSuchPublicAccessBlockConfiguration', undefined, { extra: { BucketName: bucketOf(ctx) } });
  return { xml: { root: 'PublicAccessBlockConfiguration', body: { ...config } } };
};

/** Removes the configuration (204). */
export const deletePublicAccessBlock: Handler = async (ctx) => {
  await iamOf(ctx.state).access.update(bucketOf(ctx), { publicAccessBlock: undefined });
  return { status: 204 };
};

/**
 * Sets the bucket's Object Ownership. BucketOwnerEnforced is refused with InvalidBucketAclWithObjectOwnership
 * while the bucket's ACL grants anyone but the owner (acl-write.ts), checked where the setting is written.
 */
export const putBucketOwnershipControls: Handler = async (ctx) => {
  const rules = children(parseXml(await readXmlBody(ctx), 'OwnershipControls'), 'Rule');
  if (rules.length !== 1) throw new S3Error('MalformedXML', 'OwnershipControls holds exactly one Rule');
  const value = childText(rules[0], 'ObjectOwnership')?.trim();
  const ownership = OBJECT_OWNERSHIP.find((o) => o === value);
  if (ownership === undefined) throw new S3Error('MalformedXML', `ObjectOwnership must be one of ${OBJECT_OWNERSHIP.join(', ')}`);
  const { owner } = ctx.state;
  await iamOf(ctx.state).access.update(bucketOf(ctx), (current) => {
    if (ownership === 'BucketOwnerEnforced') assertBucketAclOwnerOnly(current, owner);
    return { objectOwnership: ownership };
  });
  return {};
};

/** Returns the Object Ownership; OwnershipControlsNotFoundError when none is set. */
export const getBucketOwnershipControls: Handler = (ctx) => {
  const ownership = iamOf(ctx.state).access.get(bucketOf(ctx)).objectOwnership;
  if (ownership === undefined) throw new S3Error('OwnershipControlsNotFoundError', undefined, { extra: { BucketName: bucketOf(ctx) } });
  return { xml: { root: 'OwnershipControls', body: { Rule: { ObjectOwnership: ownership } } } };
};

/**
 * Removes the Object Ownership setting (204). A bucket without one enforces bucket-owner ownership here
 * (acl-write.ts `objectOwnershipOf`), so the removal takes the same prerequisite as setting BucketOwnerEnforced.
 */
export const deleteBucketOwnershipControls: Handler = async (ctx) => {
  const { owner } = ctx.state;
  await iamOf(ctx.state).access.update(bucketOf(ctx), (current) => {
    assertBucketAclOwnerOnly(current, owner);
    return { objectOwnership: undefined };
  });
  return { status: 204 };
};
