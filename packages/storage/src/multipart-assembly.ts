/**
 * What every adapter computes when it completes a multipart upload, written once: the parts the request names
 * (validated by {@link selectCompletedParts}), each part's checksums matched against the request, the object's
 * checksums combined from the parts', the caller's expected object checksums checked, the `-N` ETag and the
 * size. The adapter then joins the bytes and commits the result its own way.
 *
 * Checksums follow the AWS S3 User Guide, "Checking object integrity", "Using part-level checksums for
 * multipart uploads": a COMPOSITE checksum is the checksum of the parts' binary checksums with `-N`; a
 * FULL_OBJECT checksum (CRC algorithms only) is the CRC of the whole object, combined from the parts' CRCs and
 * sizes without reading the bytes again.
 */
import { StorageError } from './errors.ts';
import { combineFullObjectChecksum, compositeChecksum, isCrcAlgorithm } from './checksums.ts';
import { multipartEtag, selectCompletedParts } from './multipart-rules.ts';
import type { ChecksumAlgorithm, Checksums, CompletedPart, PartInfo, StartMultipartOptions } from './types.ts';

/** The checksum type of a multipart object (AWS CreateMultipartUpload `x-amz-checksum-type`). */
export type MultipartChecksumType = 'COMPOSITE' | 'FULL_OBJECT';

/**
 * The checksum algorithms an upload computes, deduplicated. Throws `InvalidArgument` for a FULL_OBJECT upload
 * with a non-CRC algorithm (AWS CreateMultipartUpload: full-object checksums exist for the CRC family only).
 */
export function uploadChecksumAlgorithms(options: Pick<StartMultipartOptions, 'checksumAlgorithms' | 'checksumType'>, key?: string): ChecksumAlgorithm[] {
  const algorithms = [...new Set(options.checksumAlgorithms ?? [])];
  if (options.checksumType === 'FULL_OBJECT' && algorithms.some((a) => !isCrcAlgorithm(a))) {
    throw new StorageError('InvalidArgument', 'Full-object checksums exist only for CRC algorithms', { op: 'startMultipart', key });
  }
  return algorithms;
}

/** What {@link assembleCompletedParts} needs besides the parts. */
export interface MultipartAssemblyOptions {
  /** Every part but the last must be at least this many bytes (the adapter's `minPartSize`). */
  minPartSize: number;
  /** The algorithms the upload computes (see {@link uploadChecksumAlgorithms}). */
  algorithms: readonly ChecksumAlgorithm[];
  /** The upload's checksum type. @default 'COMPOSITE' */
  checksumType?: MultipartChecksumType | undefined;
  /** The whole object's checksums the caller expects (CompleteMultipartUpload `x-amz-checksum-*`). */
  expectedChecksums?: Checksums | undefined;
  /** The key, for error messages. */
  key?: string;
}

/** The completed object as computed from its parts. */
export interface AssembledParts {
  /** The stored parts named, in the request's order. */
  parts: PartInfo[];
  /** `md5(md5(part1)…md5(partN))-N`, hex. */
  etag: string;
  /** The sum of the parts' sizes. */
  size: number;
  /** The object's checksums, one per upload algorithm (empty when the upload has none). */
  checksums: Checksums;
  /** The checksum type, present only when the upload has algorithms (as S3 reports it). */
  checksumType?: MultipartChecksumType;
}

/**
 * Validates a complete request against the stored parts and computes the object's ETag, size and checksums.
 * Throws `InvalidArgument` with reason `InvalidPart`/`InvalidPartOrder`/`EntityTooSmall` for a bad part list
 * or a part checksum that differs from the request, and `BadDigest` when an expected object checksum differs.
 */
export function assembleCompletedParts(requested: CompletedPart[], stored: Iterable<PartInfo>, options: MultipartAssemblyOptions): AssembledParts {
  const op = 'completeMultipart';
  const { key } = options;
  const parts = selectCompletedParts(requested, stored, options.minPartSize, key);
  requested.forEach((part, i) => {
    for (const [alg, want] of Object.entries(part.checksums ?? {})) {
      if (want !== undefined && parts[i]!.checksums?.[alg as ChecksumAlgorithm] !== want) {
        throw new StorageError('InvalidArgument', `Part ${part.partNumber}'s ${alg} checksum does not match`, { op, key, reason: 'InvalidPart' });
      }
    }
  });
  const type = options.checksumType ?? 'COMPOSITE';
  const checksums: Checksums = {};
  for (const alg of options.algorithms) {
    const sums = parts.map((p) => ({ checksum: p.checksums?.[alg] ?? '', size: p.size }));
    checksums[alg] = type === 'FULL_OBJECT' ? combineFullObjectChecksum(alg, sums) : compositeChecksum(alg, sums.map((s) => s.checksum));
  }
  for (const [alg, want] of Object.entries(options.expectedChecksums ?? {})) {
    if (want !== undefined && checksums[alg as ChecksumAlgorithm] !== want) {
      throw new StorageError('InvalidArgument', `The ${alg} checksum of the object does not match`, { op, key, reason: 'BadDigest' });
    }
  }
  const result: AssembledParts = {
    parts,
    etag: multipartEtag(parts.map((p) => p.etag)),
    size: parts.reduce((n, p) => n + p.size, 0),
    checksums,
  };
  if (options.algorithms.length > 0) result.checksumType = type;
  return result;
}
