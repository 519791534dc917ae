/**
 * Reads what a request says its body's checksums are — `x-amz-checksum-*` headers, the algorithm announced by
 * `x-amz-sdk-checksum-algorithm`, the trailer named by `x-amz-trailer`, `Content-MD5` — validates their form and
 * hands them to the storage layer, which computes and compares them as the body streams (mismatch → BadDigest).
 *
 * AWS: "Checking object integrity" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html)
 * and PutObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html); a malformed Content-MD5 is
 * InvalidDigest (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 */
import type { ChecksumAlgorithm, Checksums } from '@strata/storage';
import { S3Error } from '../s3-errors.ts';
import { headerValue, lowerCaseHeaders } from './canonical.ts';
import { declaredTrailers } from './payload-decoder.ts';
import type { RequestHeaders } from './types.ts';

/** Digest sizes in bytes; a checksum value is the base64 of exactly this many bytes. */
const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { crc32: 4, crc32c: 4, crc64nvme: 8, sha1: 20, sha256: 32 };
const ALGORITHMS = Object.keys(DIGEST_BYTES) as ChecksumAlgorithm[];
const PREFIX = 'x-amz-checksum-';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** What {@link createChecksumVerifier} found, in the form `storage.put` takes. */
export interface ChecksumExpectations {
  /** Algorithms to compute and store (from headers, `x-amz-sdk-checksum-algorithm` and `x-amz-trailer`). */
  algorithms: ChecksumAlgorithm[];
  /** The checksums the body must have: header values, plus trailer values once the body has ended. */
  expected(): Checksums;
  /** `Content-MD5` (base64 of 16 bytes), when sent. */
  contentMd5?: string;
}

/** True when `value` is canonical-looking base64 of exactly `bytes` bytes. */
export function isBase64Of(value: string, bytes: number): boolean {
  return BASE64.test(value) && value.length % 4 === 0 && Buffer.from(value, 'base64').length === bytes;
}

function algorithmOf(name: string): ChecksumAlgorithm | undefined {
  if (!name.startsWith(PREFIX)) return undefined;
  const alg = name.slice(PREFIX.length);
  return (ALGORITHMS as string[]).includes(alg) ? (alg as ChecksumAlgorithm) : undefined;
}

function single(): S3Error {
  return new S3Error('InvalidRequest', 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
}

/**
 * Reads the checksum headers of a request. `trailersFn` returns the trailing headers once the body has been
 * decoded (the payload decoder's `trailers`). Throws InvalidRequest / InvalidDigest for malformed values.
 */
export function createChecksumVerifier(headers: RequestHeaders, trailersFn: () => Record<string, string>): ChecksumExpectations {
  const h = lowerCaseHeaders(headers);
  const fromHeaders: Checksums = {};
  for (const alg of ALGORITHMS) {
    const value = headerValue(h, PREFIX + alg)?.trim();
    if (value === undefined) continue;
    if (!isBase64Of(value, DIGEST_BYTES[alg])) throw new S3Error('InvalidRequest', `Value for ${PREFIX}${alg} header is invalid.`);
    fromHeaders[alg] = value;
  }
  const headerAlgs = Object.keys(fromHeaders) as ChecksumAlgorithm[];
  if (headerAlgs.length > 1) throw single();

  const trailerAlgs: ChecksumAlgorithm[] = [];
  for (const name of declaredTrailers(h)) {
    const alg = algorithmOf(name);
    if (alg === undefined) throw new S3Error('InvalidRequest', `The value specified in the x-amz-trailer header is not supported: ${name}`);
    trailerAlgs.push(alg);
  }
  if (trailerAlgs.length > 1 || (trailerAlgs.length === 1 && headerAlgs.length === 1)) throw single();

  const sdk = headerValue(h, 'x-amz-sdk-checksum-algorithm')?.trim().toLowerCase();
  let sdkAlg: ChecksumAlgorithm | undefined;
  if (sdk !== undefined && sdk !== '') {
    if (!(ALGORITHMS as string[]).includes(sdk)) throw new S3Error('InvalidRequest', 'Value for x-amz-sdk-checksum-algorithm header is invalid.');
    sdkAlg = sdk as ChecksumAlgorithm;
    if (!headerAlgs.includes(sdkAlg) && !trailerAlgs.includes(sdkAlg)) {
      throw new S3Error(
        'InvalidRequest',
        'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
      );
    }
  }

  let contentMd5: string | undefined;
  const md5 = headerValue(h, 'content-md5');
  if (md5 !== undefined) {
    contentMd5 = md5.trim();
    if (!isBase64Of(contentMd5, 16)) throw new S3Error('InvalidDigest');
  }

  const algorithms = [...new Set([...headerAlgs, ...trailerAlgs])];
  const result: ChecksumExpectations = {
    algorithms,
    expected(): Checksums {
      const out: Checksums = { ...fromHeaders };
      if (trailerAlgs.length > 0) {
        const trailers = trailersFn();
        for (const alg of trailerAlgs) {
          const value = trailers[PREFIX + alg];
          if (value !== undefined) out[alg] = value;
        }
      }
      return out;
    },
  };
  if (contentMd5 !== undefined) result.contentMd5 = contentMd5;
  return result;
}
