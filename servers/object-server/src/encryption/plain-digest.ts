/**
 * The integrity checks of an encrypted upload, made on the plaintext. Storage sees only the sealed bytes, so
 * the length, Content-MD5 and `x-amz-checksum-*` a client declares for its object are verified here as the
 * bytes flow, and a mismatch fails the stream — and with it the put, which then stores nothing — with S3's
 * error: IncompleteBody, BadDigest, or InvalidDigest for a Content-MD5 that is not one
 * ("Checking object integrity", https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
 */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { createChecksum } from '@strata/storage';
import type { ChecksumAlgorithm, Checksums, RunningChecksum } from '@strata/storage';
import type { BodyOptions } from '../request-body.ts';
import { S3Error } from '../s3-errors.ts';

/** A pass-through that verifies what `options` declare of the plaintext; `checksums` holds the computed values. */
export class PlainDigest extends Transform {
  /** The first check that failed, kept so the put's answer is this error whatever storage makes of it. */
  failure: S3Error | undefined;
  /** The computed checksums (base64), once the stream has ended. */
  checksums: Checksums | undefined;
  #bytes = 0;
  readonly #options: BodyOptions;
  readonly #md5 = createHash('md5');
  readonly #running: [ChecksumAlgorithm, RunningChecksum][];

  constructor(options: BodyOptions) {
    super();
    this.#options = options;
    if (options.contentMd5 !== undefined && Buffer.from(options.contentMd5, 'base64').length !== 16) {
      this.failure = new S3Error('InvalidDigest');
    }
    this.#running = (options.checksumAlgorithms ?? []).map((a) => [a, createChecksum(a)]);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.failure !== undefined) {
      done(this.failure);
      return;
    }
    this.#bytes += chunk.length;
    if (this.#options.contentMd5 !== undefined) this.#md5.update(chunk);
    for (const [, c] of this.#running) c.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    const fail = (e: S3Error) => done((this.failure = e));
    if (this.failure !== undefined) return fail(this.failure);
    const { contentLength, contentMd5, expectedChecksums } = this.#options;
    if (contentLength !== undefined && contentLength !== this.#bytes) return fail(new S3Error('IncompleteBody'));
    if (contentMd5 !== undefined && this.#md5.digest('base64') !== contentMd5) return fail(new S3Error('BadDigest'));
    const computed: Checksums = {};
    for (const [a, c] of this.#running) computed[a] = c.digest().toString('base64');
    const expected = typeof expectedChecksums === 'function' ? expectedChecksums() : expectedChecksums;
    for (const [a, value] of Object.entries(expected ?? {}) as [ChecksumAlgorithm, string][]) {
      if (computed[a] !== value) return fail(new S3Error('BadDigest', `The ${a.toUpperCase()} you specified did not match the calculated checksum.`));
    }
    this.checksums = this.#running.length > 0 ? computed : undefined;
    done();
  }
}
