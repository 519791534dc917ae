/**
 * The encryption record of an object: how its stored bytes were sealed (segment-cipher.ts) and its data key,
 * wrapped (key-wrap.ts). It travels in the object's metadata under one reserved name, so it is written
 * atomically with the bytes and copied, versioned and deleted with them; readers strip it from answers.
 *
 * For SSE-C only a salted HMAC of the customer's key is kept, never the key ("Using server-side encryption with
 * customer-provided keys (SSE-C)", https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html:
 * "Amazon S3 does not store the encryption key you provide. Instead, it stores a randomly salted HMAC value of
 * the encryption key").
 */
import type { ObjectInfo } from '@strata/storage';
import { S3Error } from '../s3-errors.ts';

/** The user-metadata name the record is stored under (`x-amz-meta-x-strata-sse` on the wire, never shown). */
export const SSE_RECORD_NAME = 'x-strata-sse';

/** The response header a handler's answer carries when the object it read has a record. */
export const SSE_RECORD_HEADER = `x-amz-meta-${SSE_RECORD_NAME}`;

/**
 * How an object is encrypted. `multipart` marks an object assembled from separately sealed parts
 * (part-cipher.ts); without it the stored bytes are one sealed stream (segment-cipher.ts).
 */
export type SseRecord =
  | { v: 1; mode: 'S3'; nonce: string; key: string; multipart?: true }
  | { v: 1; mode: 'C'; nonce: string; key: string; salt: string; hmac: string; multipart?: true };

/** The metadata value of a record. */
export function encodeRecord(record: SseRecord): string {
  return Buffer.from(JSON.stringify(record)).toString('base64url');
}

/** The record of an object, or undefined for an object stored in plaintext. */
export function recordOf(info: Pick<ObjectInfo, 'userMetadata'>): SseRecord | undefined {
  const value = info.userMetadata[SSE_RECORD_NAME];
  if (value === undefined) return undefined;
  try {
    const r = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as SseRecord;
    if (r.v === 1 && (r.mode === 'S3' || r.mode === 'C') && typeof r.nonce === 'string' && typeof r.key === 'string') return r;
  } catch {
    // falls through to the error below
  }
  throw new S3Error('InternalError', 'The encryption record of the object is damaged.');
}

/** The user metadata without the record, as clients see it. */
export function visibleMetadata(userMetadata: Record<string, string>): Record<string, string> {
  if (!(SSE_RECORD_NAME in userMetadata)) return userMetadata;
  const { [SSE_RECORD_NAME]: _record, ...rest } = userMetadata;
  return rest;
}
