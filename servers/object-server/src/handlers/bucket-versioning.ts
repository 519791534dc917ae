/**
 * PutBucketVersioning — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html
 * GetBucketVersioning — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html
 *
 * A bucket that never had versioning answers an empty VersioningConfiguration; once enabled it is `Enabled`
 * or `Suspended`, never unversioned again. MFA delete is not supported (NotImplemented when asked for).
 */
import { bucketOf } from '../context.ts';
import type { Handler } from '../context.ts';
import { readXmlBody } from '../request-body.ts';
import { S3Error } from '../s3-errors.ts';
import { childText, parseXml } from '../xml.ts';
import { assertMaySuspend } from '../object-lock/lock-at-creation.ts';

/** Sets a bucket's versioning state. */
export const putBucketVersioning: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const doc = parseXml(await readXmlBody(ctx), 'VersioningConfiguration');
  const status = childText(doc, 'Status');
  const mfa = childText(doc, 'MfaDelete');
  if (mfa === 'Enabled') throw new S3Error('NotImplemented', 'MFA delete is not supported.');
  if (status !== 'Enabled' && status !== 'Suspended') {
    throw new S3Error('MalformedXML');
  }
  if (status === 'Suspended') await assertMaySuspend(ctx, bucket);
  await ctx.state.versioning.set(bucket, status);
  return {};
};

/** Reads a bucket's versioning state. */
export const getBucketVersioning: Handler = async (ctx) => {
  const mode = await ctx.state.versioning.mode(bucketOf(ctx));
  return { xml: { root: 'VersioningConfiguration', body: mode === null ? {} : { Status: mode } } };
};
