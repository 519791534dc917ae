/**
 * Flexible checksums in S3's XML and header names
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html): `crc32` is
 * `ChecksumCRC32` in XML and `x-amz-checksum-crc32` in headers; `x-amz-checksum-algorithm` names one.
 */
import type { ChecksumAlgorithm, Checksums } from '@strata/storage';
import { header } from './context.ts';
import type { S3Context } from './context.ts';
import { isBase64Of } from './auth/checksum-verifier.ts';
import { S3Error } from './s3-errors.ts';
import type { ParsedXml } from './xml.ts';
import { childText } from './xml.ts';

/** The XML element name of each algorithm. */
export const CHECKSUM_XML_NAMES: Record<ChecksumAlgorithm, string> = {
  crc32: 'ChecksumCRC32',
  crc32c: 'ChecksumCRC32C',
  crc64nvme: 'ChecksumCRC64NVME',
  sha1: 'ChecksumSHA1',
  sha256: 'ChecksumSHA256',
};

const ALGORITHMS = Object.keys(CHECKSUM_XML_NAMES) as ChecksumAlgorithm[];

/** The checksum elements of a response (`ChecksumCRC32`, …). */
export function checksumXml(checksums: Checksums | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const alg of ALGORITHMS) out[CHECKSUM_XML_NAMES[alg]] = checksums?.[alg];
  return out;
}

/** The checksum elements of a request element (a CompleteMultipartUpload Part). */
export function checksumsFromXml(node: ParsedXml): Checksums | undefined {
  const out: Checksums = {};
  for (const alg of ALGORITHMS) {
    const v = childText(node, CHECKSUM_XML_NAMES[alg]);
    if (v !== undefined && v !== '') out[alg] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Digest sizes in bytes: a checksum header is the base64 of exactly this many bytes (composites add `-N`). */
const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { crc32: 4, crc32c: 4, crc64nvme: 8, sha1: 20, sha256: 32 };

/**
 * Whole-object checksums from `x-amz-checksum-<alg>` headers where they describe an object rather than the
 * request body (CompleteMultipartUpload). A composite value may carry its `-N` part-count suffix.
 */
export function checksumsFromHeaders(ctx: Pick<S3Context, 'headers'>): Checksums | undefined {
  const out: Checksums = {};
  for (const alg of ALGORITHMS) {
    const v = header(ctx, `x-amz-checksum-${alg}`)?.trim();
    if (v === undefined) continue;
    const m = /^([^-]*)(-\d+)?$/.exec(v);
    if (!m || !isBase64Of(m[1] ?? '', DIGEST_BYTES[alg])) throw new S3Error('InvalidRequest', `Value for x-amz-checksum-${alg} header is invalid.`);
    out[alg] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The algorithm of `x-amz-checksum-algorithm` (or `x-amz-sdk-checksum-algorithm`), lower-cased. */
export function checksumAlgorithmFrom(ctx: Pick<S3Context, 'headers'>): ChecksumAlgorithm | undefined {
  const v = header(ctx, 'x-amz-checksum-algorithm');
  if (v === undefined || v === '') return undefined;
  const alg = v.toLowerCase() as ChecksumAlgorithm;
  if (!ALGORITHMS.includes(alg)) throw new S3Error('InvalidRequest', `Checksum algorithm ${v} is not supported`);
  return alg;
}

/** `x-amz-checksum-type` of CreateMultipartUpload. */
export function checksumTypeFrom(ctx: Pick<S3Context, 'headers'>): 'FULL_OBJECT' | 'COMPOSITE' | undefined {
  const v = header(ctx, 'x-amz-checksum-type');
  if (v === undefined || v === '') return undefined;
  const t = v.toUpperCase();
  if (t !== 'FULL_OBJECT' && t !== 'COMPOSITE') throw new S3Error('InvalidRequest', `Checksum type ${v} is not valid`);
  return t;
}
