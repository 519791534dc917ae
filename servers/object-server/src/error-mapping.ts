/**
 * The one table from the storage contract's errors to S3's error codes
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
 *
 * Both tables are keyed by the closed unions from `@strata/storage` (`Record<StorageErrorCode, …>`,
 * `Record<StorageErrorReason, …>`), so a code added to the contract fails to compile here until it is mapped.
 */
import { isStorageError } from '@strata/storage';
import type { StorageError, StorageErrorCode, StorageErrorReason } from '@strata/storage';
import { S3Error, isS3Error } from './s3-errors.ts';
import type { S3ErrorCode } from './s3-errors.ts';

/** S3's code for a storage error code (a reason, when present, takes precedence: see {@link REASON_TO_S3}). */
export const CODE_TO_S3: Record<StorageErrorCode, S3ErrorCode> = {
  NotFound: 'NoSuchKey',
  // S3 answers a failed create-only write (If-None-Match: *) with 412 PreconditionFailed
  // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
  AlreadyExists: 'PreconditionFailed',
  PreconditionFailed: 'PreconditionFailed',
  NotModified: 'NotModified',
  InvalidKey: 'InvalidObjectName',
  InvalidRange: 'InvalidRange',
  InvalidArgument: 'InvalidArgument',
  Unsupported: 'NotImplemented',
  PermissionDenied: 'AccessDenied',
  NoSpace: 'InsufficientStorage',
  Corrupted: 'InternalError',
  // The client went away or the request was cancelled; the answer rarely reaches anyone.
  Aborted: 'RequestTimeout',
  RateLimited: 'SlowDown',
  Unavailable: 'ServiceUnavailable',
};

/** S3's code for a storage error reason. */
export const REASON_TO_S3: Record<StorageErrorReason, S3ErrorCode> = {
  BadDigest: 'BadDigest',
  EntityTooSmall: 'EntityTooSmall',
  EntityTooLarge: 'EntityTooLarge',
  InvalidPart: 'InvalidPart',
  InvalidPartOrder: 'InvalidPartOrder',
  NoSuchUpload: 'NoSuchUpload',
  IncompleteBody: 'IncompleteBody',
  InvalidCursor: 'InvalidArgument',
  KeyLimit: 'InsufficientStorage',
  KeyTooLong: 'KeyTooLongError',
};

/** Translates a storage error into the S3 error the client sees, keeping it as the cause. */
export function fromStorageError(err: StorageError): S3Error {
  const code = err.reason !== undefined ? REASON_TO_S3[err.reason] : CODE_TO_S3[err.code];
  // Internal details (paths, adapter names) stay in the log; validation messages are safe and useful to show.
  // `detail` is the description alone: the operation and key the message adds are the request's own.
  const safe = err.code === 'InvalidArgument' || err.code === 'InvalidKey' || err.code === 'InvalidRange';
  return new S3Error(code, safe && err.reason === undefined ? err.detail : undefined, { cause: err });
}

/** Fastify's own errors (bad URL, bad headers, closed connections) that are the client's fault. */
function fromFrameworkError(err: { code?: string; statusCode?: number; message: string }): S3Error | undefined {
  if (err.code === 'FST_ERR_BAD_URL' || err.code === 'ERR_INVALID_URL') return new S3Error('InvalidURI', undefined, { cause: err });
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new S3Error('MaxMessageLengthExceeded', undefined, { cause: err });
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new S3Error('InvalidRequest', err.message, { cause: err });
  }
  return undefined;
}

/**
 * The S3 error a request body stream failed with, when storage reports it as the cause of its own error.
 * The payload decoder fails the body with SignatureDoesNotMatch (a tampered aws-chunked chunk),
 * XAmzContentSHA256Mismatch, BadDigest (a trailer checksum), IncompleteBody…; storage wraps a failed body as
 * `InvalidArgument`/`IncompleteBody` with the stream's error as `cause`, and the client must see the real one.
 */
function bodyVerdict(err: StorageError): S3Error | undefined {
  let cause: unknown = err.cause;
  for (let depth = 0; depth < 4 && cause !== undefined && cause !== null; depth++) {
    if (isS3Error(cause)) return cause;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Any thrown value as the S3 error to answer with; unknown failures become `InternalError`. */
export function toS3Error(err: unknown): S3Error {
  if (isS3Error(err)) return err;
  if (isStorageError(err)) return bodyVerdict(err) ?? fromStorageError(err);
  if (typeof err === 'object' && err !== null && 'message' in err) {
    const mapped = fromFrameworkError(err as { code?: string; statusCode?: number; message: string });
    if (mapped) return mapped;
  }
  return new S3Error('InternalError', undefined, { cause: err });
}
