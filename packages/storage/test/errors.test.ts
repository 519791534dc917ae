import { describe, expect, it } from 'vitest';
import { STORAGE_ERROR_CODES, StorageError, abortedError, hasErrorCode, isStorageError, storageErrorCodes, throwIfAborted } from '../src/index.ts';

describe('storage errors', () => {
  it('every code is documented with a retryable flag', () => {
    expect(storageErrorCodes.length).toBe(14);
    for (const code of storageErrorCodes) {
      const entry = STORAGE_ERROR_CODES[code];
      expect(entry.description.length, code).toBeGreaterThan(10);
      expect(typeof entry.retryable).toBe('boolean');
    }
    expect(storageErrorCodes.filter((c) => STORAGE_ERROR_CODES[c].retryable).sort()).toEqual(['RateLimited', 'Unavailable']);
  });

  it('builds an error for every code with the registry flag (the server and the S3 adapter tables: test/quality)', () => {
    for (const code of storageErrorCodes) {
      const e = new StorageError(code, 'x');
      expect(isStorageError(e), code).toBe(true);
      expect(e.retryable, code).toBe(STORAGE_ERROR_CODES[code].retryable);
    }
  });

  it('carries code, retryable, op, key, reason and cause', () => {
    const cause = new Error('EIO');
    const e = new StorageError('Unavailable', 'down', { op: 'get', key: 'k', cause, reason: 'BadDigest' });
    expect(e).toMatchObject({ name: 'StorageError', code: 'Unavailable', retryable: true, op: 'get', key: 'k', reason: 'BadDigest' });
    expect(e.cause).toBe(cause);
    expect(new StorageError('Unavailable', 'x', { retryable: false }).retryable).toBe(false);
    expect(e).toBeInstanceOf(Error);
  });

  it('is recognised by its Symbol.for brand, also from another copy of the package', () => {
    const e = new StorageError('NotFound', 'x');
    expect(isStorageError(e)).toBe(true);
    expect(hasErrorCode(e, 'NotFound')).toBe(true);
    expect(hasErrorCode(e, 'Aborted')).toBe(false);
    // A structurally foreign error carrying the same global brand (as a duplicated install would).
    const foreign = Object.assign(new Error('x'), { code: 'NotFound', [Symbol.for('strata.storage.error')]: true });
    expect(isStorageError(foreign)).toBe(true);
    expect(isStorageError(new Error('x'))).toBe(false);
    expect(isStorageError(null)).toBe(false);
  });

  it('abort helpers produce Aborted with the signal reason as cause', () => {
    const ac = new AbortController();
    throwIfAborted(ac.signal);
    ac.abort(new Error('stop'));
    expect(() => throwIfAborted(ac.signal, 'put', 'k')).toThrow(expect.objectContaining({ code: 'Aborted', op: 'put', key: 'k' }));
    expect((abortedError(ac.signal).cause as Error).message).toBe('stop');
  });
});
