/**
 * Bucket sub-resources clients read even when they do not use them, answered with S3's defaults:
 * GetBucketLocation — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html
 * GetBucketVersioning — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html
 * GetBucketAcl / GetObjectAcl — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketAcl.html
 */
import type { Handler } from '../context.ts';
import { ownerXml } from './owner.ts';

/** The bucket's region; us-east-1 is written as an empty LocationConstraint, as S3 does. */
export const getBucketLocation: Handler = async (ctx) => ({
  xml: { root: 'LocationConstraint', body: ctx.state.region === 'us-east-1' ? '' : ctx.state.region },
});

/** Versioning has never been enabled: an empty VersioningConfiguration. */
export const getBucketVersioning: Handler = async () => ({ xml: { root: 'VersioningConfiguration', body: {} } });

/** The canned private ACL: the owner has FULL_CONTROL. */
export const getAcl: Handler = async (ctx) => {
  const owner = ownerXml(ctx.state.owner);
  return {
    xml: {
      root: 'AccessControlPolicy',
      body: {
        Owner: owner,
        AccessControlList: {
          // S3 writes the grantee's kind as an xsi:type attribute; s3cmd's `info` reads it and fails without
          // it (KeyError on '{http://www.w3.org/2001/XMLSchema-instance}type'). Example response:
          // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAcl.html#API_GetObjectAcl_Examples
          Grant: {
            Grantee: { '@xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', '@xsi:type': 'CanonicalUser', ...owner },
            Permission: 'FULL_CONTROL',
          },
        },
      },
    },
  };
};
