/**
 * Conditional request headers to the contract's conditions: If-Match, If-None-Match, If-Modified-Since,
 * If-Unmodified-Since on GET/HEAD (RFC 9110 §13; precedence is applied by storage), their
 * `x-amz-copy-source-if-*` twins on CopyObject/UploadPartCopy, and If-None-Match: * / If-Match on writes
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
 */
import type { ReadConditions } from '@strata/storage';
import { header } from './context.ts';
import type { S3Context } from './context.ts';
import { S3Error } from './s3-errors.ts';

/** An HTTP date, or undefined when absent or unparsable (an invalid date is ignored, RFC 9110 §13.1.3). */
function httpDateHeader(ctx: Pick<S3Context, 'headers'>, name: string): Date | undefined {
  const v = header(ctx, name);
  if (v === undefined) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Read conditions from `if-*` headers, or from `x-amz-copy-source-if-*` with `prefix`. */
export function readConditionsFrom(ctx: Pick<S3Context, 'headers'>, prefix = ''): ReadConditions {
  const out: ReadConditions = {};
  const ifMatch = header(ctx, `${prefix}if-match`);
  const ifNoneMatch = header(ctx, `${prefix}if-none-match`);
  const ifModifiedSince = httpDateHeader(ctx, `${prefix}if-modified-since`);
  const ifUnmodifiedSince = httpDateHeader(ctx, `${prefix}if-unmodified-since`);
  if (ifMatch !== undefined) out.ifMatch = ifMatch;
  if (ifNoneMatch !== undefined) out.ifNoneMatch = ifNoneMatch;
  if (ifModifiedSince !== undefined) out.ifModifiedSince = ifModifiedSince;
  if (ifUnmodifiedSince !== undefined) out.ifUnmodifiedSince = ifUnmodifiedSince;
  return out;
}

/** Write conditions: S3 accepts only `If-None-Match: *` and `If-Match: <etag>` on writes. */
export function writeConditionsFrom(ctx: Pick<S3Context, 'headers'>): { ifNoneMatch?: '*'; ifMatch?: string } {
  const out: { ifNoneMatch?: '*'; ifMatch?: string } = {};
  const ifNoneMatch = header(ctx, 'if-none-match');
  const ifMatch = header(ctx, 'if-match');
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') throw new S3Error('NotImplemented', 'If-None-Match on writes only supports *');
    out.ifNoneMatch = '*';
  }
  if (ifMatch !== undefined) out.ifMatch = ifMatch;
  return out;
}
