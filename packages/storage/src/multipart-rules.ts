/**
 * The rules of CompleteMultipartUpload shared by every adapter (AWS CompleteMultipartUpload, "Errors"):
 * ascending part numbers (InvalidPartOrder), every named part uploaded with that ETag (InvalidPart), every
 * part but the last at least the minimum size (EntityTooSmall), at least one part. ETag = md5 of the
 * concatenated binary part MD5s, hex, with `-N`.
 */
import { createHash } from 'node:crypto';
import { StorageError } from './errors.ts';
import { normalizeEtag } from './conditions.ts';
import { MULTIPART_LIMITS } from './types.ts';
import type { CompletedPart, PartInfo } from './types.ts';

/** Throws `InvalidArgument` unless `n` is a part number S3 accepts (1..10000). */
export function assertPartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MULTIPART_LIMITS.maxPartNumber) {
    throw new StorageError('InvalidArgument', `Part number must be an integer from 1 to ${MULTIPART_LIMITS.maxPartNumber}, got ${n}`);
  }
}

/**
 * Validates a complete request against the stored parts and returns the stored parts it names, in order.
 * `stored` may be in any order.
 */
export function selectCompletedParts(requested: CompletedPart[], stored: Iterable<PartInfo>, minPartSize: number, key?: string): PartInfo[] {
  const op = 'completeMultipart';
  if (requested.length === 0) {
    throw new StorageError('InvalidArgument', 'You must specify at least one part', { op, key, reason: 'InvalidPart' });
  }
  const byNumber = new Map<number, PartInfo>();
  for (const p of stored) byNumber.set(p.partNumber, p);
  const chosen: PartInfo[] = [];
  let previous = 0;
  for (const part of requested) {
    assertPartNumber(part.partNumber);
    if (part.partNumber <= previous) {
      throw new StorageError('InvalidArgument', 'The list of parts was not in ascending order', { op, key, reason: 'InvalidPartOrder' });
    }
    previous = part.partNumber;
    const found = byNumber.get(part.partNumber);
    if (!found || normalizeEtag(part.etag) !== found.etag) {
      throw new StorageError('InvalidArgument', `Part ${part.partNumber} was not uploaded or its ETag does not match`, { op, key, reason: 'InvalidPart' });
    }
    chosen.push(found);
  }
  chosen.forEach((p, i) => {
    if (i < chosen.length - 1 && p.size < minPartSize) {
      throw new StorageError('InvalidArgument', `Part ${p.partNumber} is ${p.size} bytes, below the minimum of ${minPartSize}`, {
        op,
        key,
        reason: 'EntityTooSmall',
      });
    }
  });
  return chosen;
}

/** The multipart ETag: hex md5 of the concatenated binary MD5s of the parts, then `-N`. */
export function multipartEtag(partEtags: string[]): string {
  const h = createHash('md5');
  for (const e of partEtags) h.update(Buffer.from(normalizeEtag(e), 'hex'));
  return `${h.digest('hex')}-${partEtags.length}`;
}
