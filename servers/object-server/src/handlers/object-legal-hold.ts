/**
 * PutObjectLegalHold — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectLegalHold.html
 * GetObjectLegalHold — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectLegalHold.html
 *
 * A legal hold is ON or OFF, independent of any retention period; while ON the version cannot be deleted
 * (AWS "Using S3 Object Lock", "Legal holds"). A version whose hold was never set reads as OFF.
 */
import type { VersionEntry } from '@strata/storage';
import type { Handler } from '../context.ts';
import { readXmlBody } from '../request-body.ts';
import { S3Error } from '../s3-errors.ts';
import { childText, parseXml } from '../xml.ts';
import { lockTarget, updateLockTarget } from '../object-lock/lock-target.ts';

/** Sets or clears an object version's legal hold. */
export const putObjectLegalHold: Handler = async (ctx) => {
  const status = childText(parseXml(await readXmlBody(ctx), 'LegalHold'), 'Status');
  if (status !== 'ON' && status !== 'OFF') throw new S3Error('MalformedXML');
  const versionId = await updateLockTarget(ctx, (entry): VersionEntry => {
    const { legalHold: _old, ...rest } = entry;
    return status === 'ON' ? { ...rest, legalHold: true } : rest;
  });
  return { headers: { 'x-amz-version-id': versionId } };
};

/** Reads an object version's legal hold. */
export const getObjectLegalHold: Handler = async (ctx) => {
  const entry = await lockTarget(ctx);
  return { xml: { root: 'LegalHold', body: { Status: entry.legalHold ? 'ON' : 'OFF' } } };
};
