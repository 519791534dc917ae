/**
 * The error table's handling of failed request bodies: storage wraps a body stream's failure as
 * `InvalidArgument`/`IncompleteBody` with the stream's error as `cause`; when that cause is the payload
 * decoder's S3 verdict (a tampered aws-chunked chunk, a wrong x-amz-content-sha256, a bad trailer checksum),
 * the client must get that verdict, not IncompleteBody. Regression: the interop negative tests once saw a
 * tampered chunk signature answered 400 IncompleteBody instead of 403 SignatureDoesNotMatch.
 */
import { Readable } from 'node:stream';
import { createMemoryStorage, StorageError } from '@strata/storage';
import { describe, expect, it } from 'vitest';
import { toS3Error } from '../src/error-mapping.ts';
import { S3Error } from '../src/s3-errors.ts';

describe('toS3Error on failed bodies', () => {
  it.each(['SignatureDoesNotMatch', 'XAmzContentSHA256Mismatch', 'BadDigest', 'IncompleteBody'] as const)('answers the body verdict %s', (code) => {
    const wrapped = new StorageError('InvalidArgument', 'The body stream failed', { reason: 'IncompleteBody', cause: new S3Error(code) });
    const e = toS3Error(wrapped);
    expect(e.code).toBe(code);
    expect(e.status).toBe(new S3Error(code).status);
  });
  it('keeps the storage mapping when the cause is not an S3 error', () => {
    expect(toS3Error(new StorageError('InvalidArgument', 'short', { reason: 'IncompleteBody', cause: new Error('socket hang up') })).code).toBe('IncompleteBody');
    expect(toS3Error(new StorageError('NotFound', 'gone')).code).toBe('NoSuchKey');
  });
  it('maps a real put whose body stream fails with an S3 error to that error, and stores nothing', async () => {
    const storage = createMemoryStorage();
    const body = new Readable({ read() {} });
    body.push(Buffer.alloc(1024));
    setImmediate(() => body.destroy(new S3Error('SignatureDoesNotMatch')));
    const err = await storage.put('b/k', body).then(() => undefined, (e: unknown) => e);
    expect(toS3Error(err).code).toBe('SignatureDoesNotMatch');
    await expect(storage.head('b/k')).rejects.toMatchObject({ code: 'NotFound' });
  });
});
