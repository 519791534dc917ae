/**
 * A pass-through that computes the request's declared checksums and fails the stream with `BadDigest` when
 * they do not match at the end (the value may arrive in an aws-chunked trailer, so it is read then).
 *
 * Used for UploadPart: the contract's `UploadPartOptions` has no `checksumAlgorithms`, and storage computes
 * only the algorithms announced when the upload started, so a part checksum the client sends for another
 * algorithm (the SDK sends CRC32 on every part by default) is verified here instead.
 */
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { createChecksum } from '@strata/storage';
import type { ChecksumAlgorithm, Checksums } from '@strata/storage';
import { S3Error } from './s3-errors.ts';

/** Creates the verifying pass-through for `algorithms`, checked against `expected()` at the end. */
export function createChecksumCheck(algorithms: readonly ChecksumAlgorithm[], expected: () => Checksums | undefined): Transform {
  const running = algorithms.map((alg) => [alg, createChecksum(alg)] as const);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      for (const [, sum] of running) sum.update(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      const want = expected() ?? {};
      for (const [alg, sum] of running) {
        const value = want[alg];
        if (value !== undefined && sum.digest().toString('base64') !== value) {
          callback(new S3Error('BadDigest', `The ${alg.toUpperCase()} you specified did not match the calculated checksum.`));
          return;
        }
      }
      callback();
    },
  });
}
