/**
 * Parsing of the two places a SigV4 signature can travel: the `Authorization` header
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html) and the
 * `X-Amz-*` query parameters of a presigned URL
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html).
 * Malformed input fails with S3's codes: AuthorizationHeaderMalformed for the header,
 * AuthorizationQueryParametersError for the query; Signature V2 and SigV4a are refused by name.
 */
import { S3Error } from '../s3-errors.ts';
import { ALGORITHM, MAX_PRESIGNED_EXPIRES } from './types.ts';

/** The signature parts common to both forms. */
export interface ParsedSignature {
  accessKeyId: string;
  /** Scope date, `yyyymmdd`. */
  date: string;
  region: string;
  service: string;
  /** Lower-case header names in the order the client listed (and sorted) them. */
  signedHeaders: string[];
  signature: string;
}

/** A presigned URL's parameters: the signature plus its own timestamp and lifetime. */
export interface ParsedPresigned extends ParsedSignature {
  amzDate: string;
  /** Seconds the URL stays valid after `amzDate`. */
  expires: number;
}

/** S3's answer to Signature Version 2 (header `AWS key:sig` or query `AWSAccessKeyId`/`Signature`). */
export function sigV2Unsupported(): S3Error {
  return new S3Error(
    'InvalidRequest',
    'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256. (Signature Version 2 is not supported.)',
  );
}

/** The services a credential scope may name: `s3`, or `iam` for the IAM query API served on the same endpoint. */
export type SignedService = 's3' | 'iam';

/** Splits `AKID/yyyymmdd/region/service/aws4_request`; the access key is what precedes the last four parts. */
function parseCredential(value: string, fail: (detail: string) => S3Error, expected: SignedService = 's3'): Omit<ParsedSignature, 'signedHeaders' | 'signature'> {
  const parts = value.split('/');
  if (parts.length < 5) {
    throw fail('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  const [date, region, service, terminal] = parts.slice(-4) as [string, string, string, string];
  const accessKeyId = parts.slice(0, -4).join('/');
  if (accessKeyId === '' || region === '') {
    throw fail('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  if (!/^\d{8}$/.test(date)) throw fail(`incorrect date format "${date}". This date in the credential must be in the format "yyyyMMdd".`);
  if (service !== expected) throw fail(`incorrect service "${service}". This endpoint belongs to "${expected}".`);
  if (terminal !== 'aws4_request') throw fail(`incorrect terminal "${terminal}". This endpoint uses "aws4_request".`);
  return { accessKeyId, date, region, service };
}

function parseSignedHeaders(value: string, fail: (detail: string) => S3Error): string[] {
  const names = value.split(';').map((n) => n.trim().toLowerCase());
  if (names.length === 0 || names.some((n) => n === '')) throw fail('the SignedHeaders are mal-formed.');
  return names;
}

/** Parses an `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header. */
export function parseAuthorizationHeader(header: string, service: SignedService = 's3'): ParsedSignature {
  const fail = (detail: string): S3Error =>
    new S3Error('AuthorizationHeaderMalformed', `The authorization header is malformed; ${detail}`);
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  const algorithm = space === -1 ? trimmed : trimmed.slice(0, space);
  if (algorithm === 'AWS') throw sigV2Unsupported();
  if (algorithm === 'AWS4-ECDSA-P256-SHA256') {
    throw new S3Error('NotImplemented', 'Signature Version 4A (AWS4-ECDSA-P256-SHA256) is not supported; use AWS4-HMAC-SHA256.');
  }
  if (algorithm !== ALGORITHM) {
    throw new S3Error('InvalidArgument', 'Unsupported Authorization Type', { extra: { ArgumentName: 'Authorization', ArgumentValue: header } });
  }
  const fields = new Map<string, string>();
  for (const piece of trimmed.slice(space + 1).split(',')) {
    const p = piece.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq === -1) throw fail(`the component "${p}" is not a key=value pair.`);
    fields.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    throw fail('the authorization header requires three components: Credential, SignedHeaders, and Signature.');
  }
  return {
    ...parseCredential(credential, fail, service),
    signedHeaders: parseSignedHeaders(signedHeaders, fail),
    signature,
  };
}

/** The query parameters of SigV4 query-string authentication. */
export const PRESIGN_PARAMS = {
  algorithm: 'X-Amz-Algorithm',
  credential: 'X-Amz-Credential',
  date: 'X-Amz-Date',
  expires: 'X-Amz-Expires',
  signedHeaders: 'X-Amz-SignedHeaders',
  signature: 'X-Amz-Signature',
} as const;

/** Parses the `X-Amz-*` parameters of a presigned URL (`query` holds decoded names and values). */
export function parsePresignedQuery(query: Map<string, string>): ParsedPresigned {
  const fail = (detail: string): S3Error =>
    new S3Error('AuthorizationQueryParametersError', `Error parsing the X-Amz-Credential parameter; ${detail}`);
  const get = (name: string): string | undefined => query.get(name);
  const algorithm = get(PRESIGN_PARAMS.algorithm);
  const credential = get(PRESIGN_PARAMS.credential);
  const amzDate = get(PRESIGN_PARAMS.date);
  const expires = get(PRESIGN_PARAMS.expires);
  const signedHeaders = get(PRESIGN_PARAMS.signedHeaders);
  const signature = get(PRESIGN_PARAMS.signature);
  if ([algorithm, credential, amzDate, expires, signedHeaders, signature].some((v) => v === undefined)) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  if (algorithm !== ALGORITHM) {
    throw new S3Error('AuthorizationQueryParametersError', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  }
  if (!/^\d{1,10}$/.test(expires as string)) {
    throw new S3Error('AuthorizationQueryParametersError', 'X-Amz-Expires should be a number');
  }
  const seconds = Number(expires);
  if (seconds > MAX_PRESIGNED_EXPIRES) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGNED_EXPIRES}`,
    );
  }
  return {
    ...parseCredential(credential as string, fail),
    signedHeaders: parseSignedHeaders(signedHeaders as string, (d) => new S3Error('AuthorizationQueryParametersError', d)),
    signature: signature as string,
    amzDate: amzDate as string,
    expires: seconds,
  };
}
