/** SDK exceptions → StorageError, with the real exception classes of @aws-sdk/client-s3 (not look-alike objects). */
import { describe, expect, it } from 'vitest';
import { NoSuchKey, NoSuchUpload, NotFound, S3ServiceException } from '@aws-sdk/client-s3';
import { StorageError } from '@strata/storage';
import type { StorageErrorCode, StorageErrorReason } from '@strata/storage';
import { toStorageError } from '../src/to-storage-error.ts';

const meta = (status: number) => ({ httpStatusCode: status, attempts: 1, totalRetryDelay: 0 });

/** A service exception as the SDK builds it for an error code it has no class for. */
function service(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: meta(status), message: `${name} happened` });
}

/** Node's errno error of a dropped connection. */
function errno(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

const cases: [string, unknown, StorageErrorCode, boolean, StorageErrorReason?][] = [
  ['NoSuchKey class', new NoSuchKey({ $metadata: meta(404), message: 'no such key' }), 'NotFound', false],
  ['NotFound class (HEAD 404)', new NotFound({ $metadata: meta(404), message: 'UnknownError' }), 'NotFound', false],
  ['NoSuchUpload class', new NoSuchUpload({ $metadata: meta(404), message: 'no upload' }), 'NotFound', false, 'NoSuchUpload'],
  ['PreconditionFailed 412', service('PreconditionFailed', 412), 'PreconditionFailed', false],
  ['HEAD 412 without a body', service('Unknown', 412), 'PreconditionFailed', false],
  ['304 on a conditional GET', service('Unknown', 304), 'NotModified', false],
  ['416 InvalidRange', service('InvalidRange', 416), 'InvalidRange', false],
  ['AccessDenied', service('AccessDenied', 403), 'PermissionDenied', false],
  ['HEAD 403 without a body', service('Unknown', 403), 'PermissionDenied', false],
  ['InvalidPart', service('InvalidPart', 400), 'InvalidArgument', false, 'InvalidPart'],
  ['InvalidPartOrder', service('InvalidPartOrder', 400), 'InvalidArgument', false, 'InvalidPartOrder'],
  ['EntityTooSmall', service('EntityTooSmall', 400), 'InvalidArgument', false, 'EntityTooSmall'],
  ['BadDigest', service('BadDigest', 400), 'InvalidArgument', false, 'BadDigest'],
  ['ConditionalRequestConflict 409 (retry, says AWS)', service('ConditionalRequestConflict', 409), 'PreconditionFailed', true],
  ['SlowDown 503', service('SlowDown', 503), 'RateLimited', true],
  ['ServiceUnavailable 503', service('ServiceUnavailable', 503), 'RateLimited', true],
  ['InternalError 500', service('InternalError', 500), 'Unavailable', true],
  ['unknown 502', service('Unknown', 502), 'Unavailable', true],
  ['429 throttling', service('Unknown', 429), 'RateLimited', true],
  ['ThrottlingException', service('ThrottlingException', 400), 'RateLimited', true],
  ['NotImplemented 501', service('NotImplemented', 501), 'Unsupported', false],
  ['KeyTooLongError', service('KeyTooLongError', 400), 'InvalidKey', false],
  ['ECONNRESET', errno('ECONNRESET', 'read ECONNRESET'), 'Unavailable', true],
  ['socket hang up', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'Unavailable', true],
  ['ECONNREFUSED', errno('ECONNREFUSED'), 'Unavailable', true],
  ['SDK TimeoutError', Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' }), 'Unavailable', true],
  ['AbortError', Object.assign(new Error('Request aborted'), { name: 'AbortError' }), 'Aborted', false],
  ['checksum mismatch on a read', new Error('Checksum mismatch: expected "abc" but received "def" in response header'), 'Corrupted', false],
  ['anything else', new Error('what'), 'Unavailable', false],
];

describe('toStorageError', () => {
  it.each(cases)('%s → %s', (_name, native, code, retryable, reason) => {
    const e = toStorageError(native, { op: 'get', key: 'k' });
    expect(e).toBeInstanceOf(StorageError);
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(retryable);
    expect(e.reason).toBe(reason);
    expect(e.cause).toBe(native);
    expect(e.op).toBe('get');
    expect(e.key).toBe('k');
  });

  it('a 412 on a create-only write is AlreadyExists', () => {
    expect(toStorageError(service('PreconditionFailed', 412), { op: 'put', createOnly: true }).code).toBe('AlreadyExists');
    // A 409 race on a create-only write stays a retryable PreconditionFailed: the winner is not known yet.
    const conflict = toStorageError(service('ConditionalRequestConflict', 409), { op: 'put', createOnly: true });
    expect([conflict.code, conflict.retryable]).toEqual(['PreconditionFailed', true]);
  });

  it('an aborted signal wins over the error the SDK reports', () => {
    const ac = new AbortController();
    ac.abort();
    expect(toStorageError(errno('ECONNRESET'), { op: 'get', signal: ac.signal }).code).toBe('Aborted');
  });

  it('storage errors pass through unchanged', () => {
    const e = new StorageError('NoSpace', 'full');
    expect(toStorageError(e, { op: 'put' })).toBe(e);
  });
});
