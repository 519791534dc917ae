/**
 * Presigned GET links, signed in the browser by `@aws-sdk/s3-request-presigner` (SigV4 query-string
 * authentication, https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html). Anyone holding
 * the link can read the object until it expires; SigV4 caps the expiry at 7 days (604,800 seconds).
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** SigV4's longest presigned-URL lifetime: 7 days, in seconds. */
export const MAX_EXPIRY_SECONDS = 7 * 24 * 3600;

/** The expiries the share dialog offers, in seconds. */
export const EXPIRY_CHOICES: readonly { label: string; seconds: number }[] = [
  { label: '15 minutes', seconds: 15 * 60 },
  { label: '1 hour', seconds: 3600 },
  { label: '12 hours', seconds: 12 * 3600 },
  { label: '1 day', seconds: 24 * 3600 },
  { label: '3 days', seconds: 3 * 24 * 3600 },
  { label: '7 days', seconds: MAX_EXPIRY_SECONDS },
];

/** A presigned GET URL for `key`, valid for `seconds` (1..7 days; anything else is a RangeError). */
export async function shareLink(client: S3Client, bucket: string, key: string, seconds: number): Promise<string> {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_EXPIRY_SECONDS) {
    throw new RangeError(`a link expires after 1 second to 7 days (${MAX_EXPIRY_SECONDS} seconds)`);
  }
  return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: seconds });
}

/**
 * The `Content-Disposition` of a download of `key`: its last segment as the file name, in RFC 6266's
 * `filename*` form (UTF-8, percent-encoded) with an ASCII fallback.
 */
export function attachmentDisposition(key: string): string {
  const name = key.replace(/\/+$/, '').split('/').pop() || 'download';
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
