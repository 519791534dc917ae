/**
 * PutObjectLockConfiguration — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectLockConfiguration.html
 * GetObjectLockConfiguration — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectLockConfiguration.html
 *
 * Object lock is enabled at CreateBucket (`x-amz-bucket-object-lock-enabled: true`) or, on a bucket whose
 * versioning is Enabled, by this configuration's `ObjectLockEnabled`; it is never disabled. The optional Rule's
 * DefaultRetention needs a Mode and exactly one of Days and Years (AWS "Using S3 Object Lock").
 */
import { bucketOf } from '../context.ts';
import type { Handler } from '../context.ts';
import { readXmlBody } from '../request-body.ts';
import { S3Error } from '../s3-errors.ts';
import { childText, children, parseXml } from '../xml.ts';
import { isLockMode, periodValue } from '../object-lock/lock-config.ts';
import type { DefaultRetention, ObjectLockConfig } from '../object-lock/lock-config.ts';

/** Parses an ObjectLockConfiguration body. */
export function parseLockConfiguration(body: string): ObjectLockConfig {
  const doc = parseXml(body, 'ObjectLockConfiguration');
  if (childText(doc, 'ObjectLockEnabled') !== 'Enabled') throw new S3Error('MalformedXML');
  const [rule] = children(doc, 'Rule');
  if (rule === undefined) return { enabled: true };
  const [retention] = children(rule, 'DefaultRetention');
  if (retention === undefined) throw new S3Error('MalformedXML');
  const mode = childText(retention, 'Mode');
  const days = periodValue('Days', childText(retention, 'Days'));
  const years = periodValue('Years', childText(retention, 'Years'));
  if (!isLockMode(mode) || (days === undefined) === (years === undefined)) throw new S3Error('MalformedXML');
  const parsed: DefaultRetention = { mode, ...(days !== undefined ? { days } : { years }) };
  return { enabled: true, rule: parsed };
}

/** Sets a bucket's object lock configuration. */
export const putObjectLockConfiguration: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const config = parseLockConfiguration(await readXmlBody(ctx));
  const current = await ctx.state.versioning.locks.get(bucket);
  if (!current && (await ctx.state.versioning.mode(bucket)) !== 'Enabled') {
    throw new S3Error('InvalidBucketState', "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration");
  }
  await ctx.state.versioning.locks.set(bucket, config);
  return {};
};

/** Reads a bucket's object lock configuration. */
export const getObjectLockConfiguration: Handler = async (ctx) => {
  const config = await ctx.state.versioning.locks.get(bucketOf(ctx));
  if (!config) throw new S3Error('ObjectLockConfigurationNotFoundError');
  const rule = config.rule;
  const body = {
    ObjectLockEnabled: 'Enabled',
    ...(rule ? { Rule: { DefaultRetention: { Mode: rule.mode, ...(rule.days !== undefined ? { Days: rule.days } : { Years: rule.years }) } } } : {}),
  };
  return { xml: { root: 'ObjectLockConfiguration', body } };
};
