/**
 * The signature of a browser-based upload form. With Signature Version 4 the string to sign is the base64 policy
 * itself, signed with the SigV4 signing key of the `x-amz-credential` scope ("Browser-Based Uploads Using POST
 * (AWS Signature Version 4)", https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-UsingHTTPPOST.html, and
 * "POST Policy calculation", https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-post-example.html). The legacy
 * Signature Version 2 form (`AWSAccessKeyId`, `signature` = base64 HMAC-SHA1 of the policy) is accepted too.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { deriveSigningKey, hmacHex, signaturesEqual } from '../auth/signing.ts';
import { ALGORITHM } from '../auth/types.ts';
import { S3Error } from '../s3-errors.ts';

/** The secret of an active access key, or undefined. */
export type SecretOf = (accessKeyId: string) => string | undefined;

const CREDENTIAL = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;

/**
 * Verifies the form's signature over its policy and answers the access key that signed it. Throws
 * InvalidArgument for missing or malformed fields, InvalidAccessKeyId for an unknown key and
 * SignatureDoesNotMatch for a wrong signature, as S3 does.
 */
export function verifyPostSignature(fields: ReadonlyMap<string, string>, policyBase64: string, secretOf: SecretOf): string {
  if (fields.has('awsaccesskeyid')) return verifyV2(fields, policyBase64, secretOf);
  const need = (name: string): string => {
    const v = fields.get(name);
    if (v === undefined || v === '') throw new S3Error('InvalidArgument', `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, { extra: { ArgumentName: name } });
    return v;
  };
  const algorithm = need('x-amz-algorithm');
  if (algorithm !== ALGORITHM) throw new S3Error('InvalidArgument', 'Only AWS4-HMAC-SHA256 is supported', { extra: { ArgumentName: 'x-amz-algorithm', ArgumentValue: algorithm } });
  const credential = need('x-amz-credential');
  const amzDate = need('x-amz-date');
  const signature = need('x-amz-signature');
  const m = CREDENTIAL.exec(credential);
  if (m === null) throw new S3Error('InvalidArgument', 'Invalid x-amz-credential', { extra: { ArgumentName: 'x-amz-credential', ArgumentValue: credential } });
  const [, accessKeyId, date, region, service] = m as unknown as [string, string, string, string, string];
  if (!amzDate.startsWith(date)) throw new S3Error('InvalidArgument', 'x-amz-date does not match the date of x-amz-credential', { extra: { ArgumentName: 'x-amz-date', ArgumentValue: amzDate } });
  const secret = secretOf(accessKeyId);
  if (secret === undefined) throw new S3Error('InvalidAccessKeyId', undefined, { extra: { AWSAccessKeyId: accessKeyId } });
  const expected = hmacHex(deriveSigningKey(secret, date, region, service), policyBase64);
  if (!signaturesEqual(expected, signature)) throw new S3Error('SignatureDoesNotMatch', undefined, { extra: { AWSAccessKeyId: accessKeyId, StringToSign: policyBase64 } });
  return accessKeyId;
}

function verifyV2(fields: ReadonlyMap<string, string>, policyBase64: string, secretOf: SecretOf): string {
  const accessKeyId = fields.get('awsaccesskeyid') as string;
  const secret = secretOf(accessKeyId);
  if (secret === undefined) throw new S3Error('InvalidAccessKeyId', undefined, { extra: { AWSAccessKeyId: accessKeyId } });
  const expected = createHmac('sha1', secret).update(policyBase64, 'utf8').digest();
  const provided = Buffer.from(fields.get('signature') ?? '', 'base64');
  const ok = provided.length === expected.length && timingSafeEqual(provided, expected);
  if (!ok) throw new S3Error('SignatureDoesNotMatch', undefined, { extra: { AWSAccessKeyId: accessKeyId, StringToSign: policyBase64 } });
  return accessKeyId;
}
