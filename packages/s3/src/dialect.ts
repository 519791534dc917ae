/**
 * Where an S3 endpoint departs from AWS in ways a request alone cannot reveal, and the adapter must work around:
 * each of these fails silently (a condition ignored, a write applied) or refuses a correct request, so it is
 * found once by {@link probeS3Capabilities} and passed to the adapter as `dialect`. Departures that show in the
 * answer itself (an odd error code, a 304 where S3 answers 412) are absorbed where they appear, on every
 * endpoint, and need no entry here.
 *
 * Ceph RGW 16 (Pacific), measured: `If-Match` on PutObject compares the header's raw text with the unquoted
 * ETag (a quoted ETag, as RFC 9110 §8.8.3 writes it and AWS takes it, never matches), and CompleteMultipartUpload
 * and CopyObject ignore `If-None-Match` and `If-Match` — the write happens whatever the destination holds.
 */
import { StorageError, normalizeEtag } from '@strata/storage';
import { quoteEtag } from './object-info.ts';

/** An endpoint's departures from AWS S3 (see the module doc). */
export interface S3Dialect {
  /**
   * How a write's `If-Match` carries the ETag: `quoted` (RFC 9110 entity-tag, AWS) or `bare` (Ceph RGW 16).
   * @default 'quoted'
   */
  writeIfMatch: 'quoted' | 'bare';
  /**
   * CompleteMultipartUpload honours `If-None-Match: *` and `If-Match` (AWS "Conditional writes"). When it does
   * not, a conditional write that needs a multipart upload is refused with `Unsupported` rather than applied
   * unconditionally. @default true
   */
  conditionalComplete: boolean;
  /**
   * CopyObject honours `If-None-Match: *` and `If-Match` on the destination. When it does not, a conditional
   * copy reads the source and writes it with a conditional PutObject (bytes pass through this process).
   * @default true
   */
  conditionalCopy: boolean;
}

/** AWS S3's behaviour: what the adapter assumes unless told otherwise. */
export const AWS_DIALECT: Readonly<S3Dialect> = Object.freeze({ writeIfMatch: 'quoted', conditionalComplete: true, conditionalCopy: true });

/** The `If-Match` value of a write (PutObject, CompleteMultipartUpload, CopyObject) in the endpoint's form. */
export function writeIfMatch(etag: string, dialect: S3Dialect): string {
  return dialect.writeIfMatch === 'bare' && etag !== '*' ? normalizeEtag(etag) : quoteEtag(etag);
}

/**
 * Throws `Unsupported` when a conditional write would go through CompleteMultipartUpload on an endpoint that
 * ignores conditions there: applying it unconditionally could overwrite what the caller meant to protect.
 */
export function requireConditionalComplete(conditions: { ifNoneMatch?: string; ifMatch?: string }, dialect: S3Dialect, op: string, key: string): void {
  if (dialect.conditionalComplete || (conditions.ifNoneMatch === undefined && conditions.ifMatch === undefined)) return;
  throw new StorageError(
    'Unsupported',
    'This endpoint ignores conditions on CompleteMultipartUpload, so a conditional multipart write cannot be atomic; ' +
      'send the body with a known length (one PutObject up to 5 GiB) or raise partSize above its length',
    { op, key },
  );
}
