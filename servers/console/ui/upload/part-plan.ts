/**
 * How a file is cut into multipart-upload parts. S3 allows at most 10,000 parts, each but the last at least
 * the minimum part size (5 MiB on S3 and on this server by default)
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html): the part size is the minimum, raised to
 * the next whole MiB when the file would otherwise need more than 10,000 parts.
 */

/** S3's most parts per multipart upload. */
export const MAX_PARTS = 10_000;
/** S3's smallest part but the last, and the server's default. */
export const DEFAULT_MIN_PART_SIZE = 5 * 1024 * 1024;

const MIB = 1024 * 1024;

/** One part: its number (1-based) and its byte range `[start, end)` in the file. */
export interface PartRange {
  partNumber: number;
  start: number;
  end: number;
}

/** The part size for a file of `size` bytes: the minimum, or larger so the file fits in 10,000 parts. */
export function partSizeFor(size: number, minPartSize: number = DEFAULT_MIN_PART_SIZE): number {
  const needed = Math.ceil(size / MAX_PARTS);
  return needed <= minPartSize ? minPartSize : Math.ceil(needed / MIB) * MIB;
}

/** Whether a file is sent as a multipart upload (more than one part) rather than one PutObject. */
export const isMultipart = (size: number, partSize: number) => size > partSize;

/** The parts of a file of `size` bytes at `partSize`: consecutive ranges covering it, the last possibly shorter. */
export function planParts(size: number, partSize: number): PartRange[] {
  if (!(partSize > 0)) throw new RangeError('planParts: the part size must be positive');
  const parts: PartRange[] = [];
  for (let start = 0, n = 1; start < size; start += partSize, n++) parts.push({ partNumber: n, start, end: Math.min(size, start + partSize) });
  if (parts.length > MAX_PARTS) throw new RangeError(`planParts: ${parts.length} parts, S3 allows ${MAX_PARTS}`);
  return parts;
}
