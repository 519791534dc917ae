/**
 * Translates what `@aws-sdk/client-s3` throws — service exceptions, HTTP statuses without a body (HEAD),
 * network failures and aborts — into the contract's {@link StorageError}, keeping the original as `cause`.
 *
 * Codes come from the AWS S3 "Error responses" table
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html) and the conditional-write guide
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html). Retryability follows the
 * AWS SDK retry guidance: throttling, 5xx and connection resets are transient; 4xx are not, except 409
 * `ConditionalRequestConflict` ("retry the request") and 400 `RequestTimeout`.
 */
import { StorageError, isStorageError } from '@strata/storage';
import type { StorageErrorCode, StorageErrorReason } from '@strata/storage';

/** How one S3 error code maps to the contract. */
interface Mapping {
  code: StorageErrorCode;
  reason?: StorageErrorReason;
  /** Overrides the registry's retryable flag for this S3 code. */
  retryable?: boolean;
}

/** S3 error codes (the `<Code>` of the error XML, or the SDK exception name) → contract codes. */
export const S3_ERROR_TABLE: Readonly<Record<string, Mapping>> = {
  NoSuchKey: { code: 'NotFound' },
  NotFound: { code: 'NotFound' },
  NoSuchVersion: { code: 'NotFound' },
  NoSuchBucket: { code: 'NotFound' },
  NoSuchUpload: { code: 'NotFound', reason: 'NoSuchUpload' },
  PreconditionFailed: { code: 'PreconditionFailed' },
  // Two conditional writes raced on the same key; AWS says to retry (conditional-writes guide).
  ConditionalRequestConflict: { code: 'PreconditionFailed', retryable: true },
  NotModified: { code: 'NotModified' },
  InvalidRange: { code: 'InvalidRange' },
  AccessDenied: { code: 'PermissionDenied' },
  AllAccessDisabled: { code: 'PermissionDenied' },
  InvalidAccessKeyId: { code: 'PermissionDenied' },
  SignatureDoesNotMatch: { code: 'PermissionDenied' },
  ExpiredToken: { code: 'PermissionDenied' },
  InvalidToken: { code: 'PermissionDenied' },
  // The client clock is off: a retry after re-signing can pass (the SDK corrects skew on retry).
  RequestTimeTooSkewed: { code: 'PermissionDenied', retryable: true },
  InvalidPart: { code: 'InvalidArgument', reason: 'InvalidPart' },
  InvalidPartOrder: { code: 'InvalidArgument', reason: 'InvalidPartOrder' },
  EntityTooSmall: { code: 'InvalidArgument', reason: 'EntityTooSmall' },
  EntityTooLarge: { code: 'InvalidArgument', reason: 'EntityTooLarge' },
  BadDigest: { code: 'InvalidArgument', reason: 'BadDigest' },
  XAmzContentSHA256Mismatch: { code: 'InvalidArgument', reason: 'BadDigest' },
  XAmzContentChecksumMismatch: { code: 'InvalidArgument', reason: 'BadDigest' },
  InvalidDigest: { code: 'InvalidArgument', reason: 'BadDigest' },
  IncompleteBody: { code: 'InvalidArgument', reason: 'IncompleteBody' },
  InvalidArgument: { code: 'InvalidArgument' },
  InvalidRequest: { code: 'InvalidArgument' },
  InvalidTag: { code: 'InvalidArgument' },
  MalformedXML: { code: 'InvalidArgument' },
  MetadataTooLarge: { code: 'InvalidArgument' },
  MissingContentLength: { code: 'InvalidArgument' },
  TooManyParts: { code: 'InvalidArgument' },
  KeyTooLongError: { code: 'InvalidKey' },
  InvalidObjectName: { code: 'InvalidKey' },
  NotImplemented: { code: 'Unsupported' },
  MethodNotAllowed: { code: 'Unsupported' },
  SlowDown: { code: 'RateLimited' },
  Throttling: { code: 'RateLimited' },
  ThrottlingException: { code: 'RateLimited' },
  TooManyRequestsException: { code: 'RateLimited' },
  RequestLimitExceeded: { code: 'RateLimited' },
  ServiceUnavailable: { code: 'RateLimited' },
  InternalError: { code: 'Unavailable' },
  RequestTimeout: { code: 'Unavailable' },
  InsufficientStorage: { code: 'NoSpace' },
  QuotaExceeded: { code: 'NoSpace' },
};

/** The contract operations that address a multipart upload by its id. */
const UPLOAD_OPS: ReadonlySet<string> = new Set(['uploadPart', 'listParts', 'completeMultipart', 'abortMultipart']);

/** Mapping by HTTP status, for errors without a recognised code (HEAD responses carry no body). */
function byStatus(status: number): Mapping | undefined {
  if (status === 304) return { code: 'NotModified' };
  if (status === 404) return { code: 'NotFound' };
  if (status === 412) return { code: 'PreconditionFailed' };
  if (status === 416) return { code: 'InvalidRange' };
  if (status === 401 || status === 403) return { code: 'PermissionDenied' };
  if (status === 429 || status === 503) return { code: 'RateLimited' };
  if (status === 501) return { code: 'Unsupported' };
  if (status === 507) return { code: 'NoSpace' };
  if (status >= 500) return { code: 'Unavailable' };
  if (status === 409) return { code: 'PreconditionFailed', retryable: true };
  if (status >= 400) return { code: 'InvalidArgument' };
  return undefined;
}

/** errno codes and error names of a connection that failed or dropped: transient. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'NetworkingError']);

/** Context of a translation: which operation, which key, and what the request asked for. */
export interface ErrorContext {
  op: string;
  key?: string;
  signal?: AbortSignal;
  /** The request was create-only (`If-None-Match: *`): S3's 412 then means `AlreadyExists`. */
  createOnly?: boolean;
}

interface SdkErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
  $retryable?: { throttling?: boolean };
}

/** True when `e` looks like a dropped or refused connection (retryable, and resumable mid-read). */
export function isNetworkError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const err = e as SdkErrorShape;
  if (err.code !== undefined && NETWORK_CODES.has(err.code)) return true;
  if (err.name !== undefined && NETWORK_NAMES.has(err.name)) return true;
  const msg = err.message ?? '';
  return msg === 'socket hang up' || msg === 'aborted' || msg === 'Premature close' || msg.includes('ECONNRESET');
}

function isAbort(e: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted) return true;
  const name = (e as SdkErrorShape | undefined)?.name;
  return name === 'AbortError';
}

/** The HTTP status of an SDK error, when it came from a response. */
export function httpStatusOf(e: unknown): number | undefined {
  const err = e as SdkErrorShape | undefined;
  return err?.$metadata?.httpStatusCode ?? err?.$response?.statusCode;
}

/** The S3 error code of an SDK error (`NoSuchKey`, `SlowDown`, …), or its exception name. */
export function s3CodeOf(e: unknown): string | undefined {
  const err = e as SdkErrorShape | undefined;
  return err?.Code ?? err?.name;
}

/**
 * Translates any error from the SDK into a {@link StorageError} (returned, not thrown). Storage errors pass
 * through unchanged; unknown failures become a non-retryable `Unavailable`.
 */
export function toStorageError(e: unknown, ctx: ErrorContext): StorageError {
  if (isStorageError(e)) return e;
  const { op, key } = ctx;
  const message = (e as SdkErrorShape | undefined)?.message ?? String(e);
  if (isAbort(e, ctx.signal)) return new StorageError('Aborted', 'The operation was aborted', { op, key, cause: e });
  if (isNetworkError(e)) {
    return new StorageError('Unavailable', `S3 connection failed: ${message}`, { op, key, cause: e });
  }
  // The SDK's response-checksum validation (ChecksumMode ENABLED) fails with a plain Error.
  if (/checksum mismatch/i.test(message)) return new StorageError('Corrupted', message, { op, key, cause: e });
  const code = s3CodeOf(e);
  const status = httpStatusOf(e);
  let mapping = code !== undefined ? S3_ERROR_TABLE[code] : undefined;
  if (mapping === undefined && status !== undefined) mapping = byStatus(status);
  if (mapping === undefined) {
    const throttled = (e as SdkErrorShape | undefined)?.$retryable?.throttling === true;
    if (throttled) mapping = { code: 'RateLimited' };
  }
  if (mapping === undefined) {
    return new StorageError('Unavailable', `S3 request failed: ${message}`, { op, key, cause: e, retryable: false });
  }
  // An operation on an upload id told "no such key" was told the upload is gone: Ceph RGW 16 answers NoSuchKey
  // to ListParts and UploadPart of an unknown or finished upload, where S3 answers NoSuchUpload.
  if (code === 'NoSuchKey' && UPLOAD_OPS.has(op)) mapping = S3_ERROR_TABLE.NoSuchUpload ?? mapping;
  if (mapping.code === 'PreconditionFailed' && ctx.createOnly && status !== 409) {
    // If-None-Match: * failed because an object exists (AWS PutObject, "Conditional requests").
    return new StorageError('AlreadyExists', 'An object already exists at this key', { op, key, cause: e });
  }
  // Error documents without a <Message> (Ceph RGW writes none) leave the SDK's placeholder, which says nothing.
  const detail = message === 'UnknownError' ? '' : `: ${message}`;
  const text = code !== undefined && code !== 'Unknown' ? `${code}${detail}` : `HTTP ${status ?? '?'}${detail}`;
  return new StorageError(mapping.code, text, { op, key, cause: e, reason: mapping.reason, retryable: mapping.retryable });
}
