/**
 * Each error code is documented, and this test keeps the registry complete: a code added in one place and not
 * the others would reach a client unmapped or with the wrong retryability.
 * The storage registry is one `as const` table; this test holds every table keyed by it to the same set of
 * codes — the TSDoc on each entry, the object server's code and reason tables (storage error → S3 error XML
 * and status), and the S3 adapter's reverse table, so a code survives the trip client → object server →
 * S3 adapter (the path `@strata/s3` takes against this project's server) with its meaning and retryability.
 */
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { STORAGE_ERROR_CODES, StorageError, storageErrorCodes } from '@strata/storage';
import type { StorageErrorCode, StorageErrorReason } from '@strata/storage';
import { CODE_TO_S3, REASON_TO_S3, S3_ERRORS, toS3Error } from '@strata/object-server';
import { S3_ERROR_TABLE, toStorageError } from '@strata/s3';
import { describe, expect, it } from 'vitest';
import { objectLiteralDocs, unionLiterals } from '../src/type-facts.ts';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const errorsFile = join(root, 'packages/storage/src/errors.ts');

/** The closed set named in docs/architecture.md ("Errors"); adding a code means updating the contract's prose too. */
const ARCHITECTURE_CODES = [
  'NotFound',
  'AlreadyExists',
  'PreconditionFailed',
  'NotModified',
  'InvalidKey',
  'InvalidRange',
  'InvalidArgument',
  'Unsupported',
  'PermissionDenied',
  'NoSpace',
  'Corrupted',
  'Aborted',
  'RateLimited',
  'Unavailable',
];

/**
 * What a storage error becomes after the object server answered it and the S3 adapter read the answer.
 * Three codes arrive as another code on purpose: the server does not tell clients about corruption (500
 * InternalError), a cancelled request answers RequestTimeout, and S3's 503 ServiceUnavailable means "reduce
 * your request rate" (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 */
const ROUND_TRIP: Record<StorageErrorCode, StorageErrorCode> = {
  NotFound: 'NotFound',
  AlreadyExists: 'AlreadyExists',
  PreconditionFailed: 'PreconditionFailed',
  NotModified: 'NotModified',
  InvalidKey: 'InvalidKey',
  InvalidRange: 'InvalidRange',
  InvalidArgument: 'InvalidArgument',
  Unsupported: 'Unsupported',
  PermissionDenied: 'PermissionDenied',
  NoSpace: 'NoSpace',
  Corrupted: 'Unavailable',
  Aborted: 'Unavailable',
  RateLimited: 'RateLimited',
  Unavailable: 'RateLimited',
};

/** The code each reason comes with, and what reason (if any) survives the round trip. */
const REASONS: Record<StorageErrorReason, { code: StorageErrorCode; back: StorageErrorCode; reason?: StorageErrorReason }> = {
  BadDigest: { code: 'InvalidArgument', back: 'InvalidArgument', reason: 'BadDigest' },
  EntityTooSmall: { code: 'InvalidArgument', back: 'InvalidArgument', reason: 'EntityTooSmall' },
  EntityTooLarge: { code: 'InvalidArgument', back: 'InvalidArgument', reason: 'EntityTooLarge' },
  InvalidPart: { code: 'InvalidArgument', back: 'InvalidArgument', reason: 'InvalidPart' },
  InvalidPartOrder: { code: 'InvalidArgument', back: 'InvalidArgument', reason: 'InvalidPartOrder' },
  NoSuchUpload: { code: 'NotFound', back: 'NotFound', reason: 'NoSuchUpload' },
  IncompleteBody: { code: 'InvalidArgument', back: 'InvalidArgument', reason: 'IncompleteBody' },
  InvalidCursor: { code: 'InvalidArgument', back: 'InvalidArgument' },
  KeyLimit: { code: 'NoSpace', back: 'NoSpace' },
  KeyTooLong: { code: 'InvalidKey', back: 'InvalidKey' },
};

/** The error the AWS SDK raises for an S3 error response: the XML Code as name, the status in $metadata. */
function sdkError(code: string, status: number): Error {
  return Object.assign(new Error(`${code} from the server`), { name: code, Code: code, $metadata: { httpStatusCode: status } });
}

describe('the storage error registry', () => {
  it('holds exactly the codes ARCHITECTURE.md names', () => {
    expect(storageErrorCodes).toEqual(ARCHITECTURE_CODES);
  });

  it('documents every code in TSDoc and in data (description, retryable)', () => {
    const docs = objectLiteralDocs(root, errorsFile, 'STORAGE_ERROR_CODES');
    expect(docs.map((d) => d.name)).toEqual(storageErrorCodes);
    expect(docs.filter((d) => d.doc === undefined).map((d) => d.name)).toEqual([]);
    for (const code of storageErrorCodes) {
      expect(STORAGE_ERROR_CODES[code].description, code).toMatch(/^[A-Z].{10,}\.$/);
      expect(typeof STORAGE_ERROR_CODES[code].retryable, code).toBe('boolean');
    }
  });

  it('has the reasons the object server and the S3 adapter map (read from the StorageErrorReason union)', () => {
    const reasons = unionLiterals(root, errorsFile, 'StorageErrorReason');
    expect(reasons.length).toBeGreaterThan(0);
    expect(Object.keys(REASON_TO_S3).sort()).toEqual([...reasons].sort());
    expect(Object.keys(REASONS).sort()).toEqual([...reasons].sort());
  });
});

describe("the object server's error table", () => {
  it('maps every code to a known S3 error, and answers it with that code and status', () => {
    expect(Object.keys(CODE_TO_S3).sort()).toEqual([...storageErrorCodes].sort());
    for (const code of storageErrorCodes) {
      const s3 = CODE_TO_S3[code];
      expect(S3_ERRORS, `${code} → ${s3}`).toHaveProperty(s3);
      const answered = toS3Error(new StorageError(code, 'x'));
      expect(answered.code, code).toBe(s3);
      expect(answered.status, code).toBe(S3_ERRORS[s3][0]);
    }
  });

  it('answers retryable codes with a status S3 clients retry (5xx)', () => {
    for (const code of storageErrorCodes.filter((c) => STORAGE_ERROR_CODES[c].retryable)) {
      expect(toS3Error(new StorageError(code, 'x')).status, code).toBeGreaterThanOrEqual(500);
    }
  });

  it('maps every reason to a known S3 error', () => {
    for (const [reason, s3] of Object.entries(REASON_TO_S3)) expect(S3_ERRORS, `${reason} → ${s3}`).toHaveProperty(s3);
  });
});

describe('a storage error through the object server and back through the S3 adapter', () => {
  it.each(storageErrorCodes)('%s', (code) => {
    const answered = toS3Error(new StorageError(code, 'x'));
    expect(S3_ERROR_TABLE, `the S3 adapter knows ${answered.code}`).toHaveProperty(answered.code);
    const back = toStorageError(sdkError(answered.code, answered.status), { op: 'put', key: 'k', createOnly: code === 'AlreadyExists' });
    expect(back.code).toBe(ROUND_TRIP[code]);
    if (ROUND_TRIP[code] !== code) expect(back.retryable || !STORAGE_ERROR_CODES[code].retryable).toBe(true);
  });

  it.each(Object.keys(REASONS) as StorageErrorReason[])('reason %s', (reason) => {
    const { code, back, reason: kept } = REASONS[reason];
    const answered = toS3Error(new StorageError(code, 'x', { reason }));
    const result = toStorageError(sdkError(answered.code, answered.status), { op: 'completeMultipart', key: 'k' });
    expect(result.code).toBe(back);
    expect(result.reason).toBe(kept);
  });
});

describe('the compiler-API readers themselves (negative control)', () => {
  const sample = fileURLToPath(new URL('./fixtures/sample/src/registry.ts', import.meta.url));
  it('reports an undocumented registry entry', () => {
    expect(objectLiteralDocs(root, sample, 'SAMPLE_CODES')).toEqual([
      { name: 'Documented', doc: 'Documented.' },
      { name: 'Bare', doc: undefined },
    ]);
  });
  it('reads every member of a string-literal union', () => {
    expect(unionLiterals(root, sample, 'SampleReason').sort()).toEqual(['One', 'Three', 'Two']);
  });
});
