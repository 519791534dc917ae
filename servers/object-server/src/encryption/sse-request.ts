/**
 * The server-side encryption a request asks for, from its headers, and the headers an answer reports
 * ("Specifying server-side encryption with Amazon S3 managed keys (SSE-S3)",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-s3-encryption.html, and "Specifying
 * server-side encryption with customer-provided keys (SSE-C)",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html):
 *
 * - `x-amz-server-side-encryption: AES256` asks for SSE-S3; `aws:kms` and `aws:kms:dsse` are not built here
 *   (NotImplemented), anything else is InvalidArgument;
 * - SSE-C takes all three of `…-customer-algorithm` (`AES256`), `…-customer-key` (base64 of 32 bytes) and
 *   `…-customer-key-MD5` (base64 MD5 of the key); a missing one, a key of another length or an MD5 that does
 *   not match is InvalidArgument, another algorithm InvalidEncryptionAlgorithmError. CopyObject names the
 *   source's key with `x-amz-copy-source-server-side-encryption-customer-*`.
 */
import { createHash } from 'node:crypto';
import { header } from '../context.ts';
import type { S3Context } from '../context.ts';
import { S3Error } from '../s3-errors.ts';
import { KEY_BYTES } from './key-wrap.ts';

/** A customer-provided key, checked. */
export interface CustomerKey {
  key: Buffer;
  /** The base64 MD5 of the key, as the client sent it and answers echo it. */
  keyMd5: string;
}

/** The encryption asked for: SSE-S3, or SSE-C with its key. */
export type SseRequest = { mode: 'S3' } | ({ mode: 'C' } & CustomerKey);

const SSE = 'x-amz-server-side-encryption';
const CUSTOMER = 'x-amz-server-side-encryption-customer-';
// Whole names as constants: the tests below run on every GET and PUT, where a template literal would build
// a new string per call.
const CUSTOMER_ALGORITHM = `${CUSTOMER}algorithm`;
const CUSTOMER_KEY = `${CUSTOMER}key`;
const CUSTOMER_KEY_MD5 = `${CUSTOMER}key-md5`;

const argument = (message: string, name: string, value?: string) =>
  new S3Error('InvalidArgument', message, { extra: { ArgumentName: name, ...(value !== undefined ? { ArgumentValue: value } : {}) } });

/**
 * The customer key the request names, if any: for the object, or with `copySource` for a copy's source
 * (`x-amz-copy-source-server-side-encryption-customer-*`).
 */
export function customerKeyFrom(ctx: Pick<S3Context, 'headers'>, copySource = false): CustomerKey | undefined {
  const prefix = copySource ? 'x-amz-copy-source-server-side-encryption-customer-' : CUSTOMER;
  const algorithm = header(ctx, `${prefix}algorithm`);
  const key = header(ctx, `${prefix}key`);
  const md5 = header(ctx, `${prefix}key-md5`);
  if (algorithm === undefined && key === undefined && md5 === undefined) return undefined;
  if (algorithm === undefined) {
    throw argument('Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.', `${prefix}algorithm`);
  }
  if (algorithm !== 'AES256') {
    throw new S3Error('InvalidEncryptionAlgorithmError', 'The encryption algorithm specified is not valid.', { extra: { ArgumentName: `${prefix}algorithm`, ArgumentValue: algorithm } });
  }
  if (key === undefined) throw argument('Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.', `${prefix}key`);
  const bytes = Buffer.from(key, 'base64');
  if (bytes.length !== KEY_BYTES) throw argument('The secret key was invalid for the specified algorithm.', `${prefix}key`);
  if (md5 === undefined) throw argument('Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.', `${prefix}key-MD5`);
  if (createHash('md5').update(bytes).digest('base64') !== md5) {
    throw argument('The calculated MD5 hash of the key did not match the hash that was provided.', `${prefix}key-MD5`);
  }
  return { key: bytes, keyMd5: md5 };
}

/** The encryption a write asks for in its headers, or undefined when it names none. */
export function sseRequestFrom(ctx: Pick<S3Context, 'headers'>): SseRequest | undefined {
  const sse = header(ctx, SSE);
  const customer = customerKeyFrom(ctx);
  if (customer !== undefined) {
    if (sse !== undefined) throw argument('Server Side Encryption with Customer provided key is incompatible with the encryption method specified', SSE, sse);
    return { mode: 'C', ...customer };
  }
  if (sse === undefined) return undefined;
  if (sse === 'AES256') return { mode: 'S3' };
  if (sse === 'aws:kms' || sse === 'aws:kms:dsse') throw new S3Error('NotImplemented', `Server-side encryption with ${sse} is not implemented by this server.`);
  throw argument('The encryption method specified is not supported', SSE, sse);
}

/** Whether a request carries an SSE-C header (a cheap test before parsing, on every read). */
export function hasCustomerKey(headers: S3Context['headers']): boolean {
  return headers[CUSTOMER_ALGORITHM] !== undefined || headers[CUSTOMER_KEY] !== undefined;
}

/** Whether a request carries any encryption header (a cheap test before parsing). */
export function hasSseHeaders(headers: S3Context['headers']): boolean {
  return headers[SSE] !== undefined || headers[CUSTOMER_ALGORITHM] !== undefined || headers[CUSTOMER_KEY] !== undefined || headers[CUSTOMER_KEY_MD5] !== undefined;
}

/** The headers an answer about an object encrypted so reports. */
export function sseResponseHeaders(mode: 'S3' | 'C', customerKeyMd5?: string): Record<string, string> {
  return mode === 'S3'
    ? { [SSE]: 'AES256' }
    : { [`${CUSTOMER}algorithm`]: 'AES256', [`${CUSTOMER}key-MD5`]: customerKeyMd5 ?? '' };
}
