/**
 * Byte ranges, resolved against an object's size as S3 does (RFC 9110 §14.1.2, AWS GetObject "Range"):
 * `start-end` is clipped to the object, `start-` runs to the end, `-n` is the last n bytes (the whole object
 * when n exceeds it). A start at or beyond the end of a non-empty object is unsatisfiable (`InvalidRange`).
 */
import { StorageError } from './errors.ts';
import type { ByteRange } from './types.ts';

/** An inclusive byte range within an object; `end < start` never occurs. */
export interface ResolvedRange {
  start: number;
  end: number;
}

/** Throws `InvalidArgument` unless `range` is well formed (non-negative safe integers, end >= start). */
export function assertValidRange(range: ByteRange): void {
  const ok = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if ('suffix' in range) {
    if (!ok(range.suffix)) throw new StorageError('InvalidArgument', 'A suffix range needs a non-negative integer length');
    return;
  }
  if (!ok(range.start) || (range.end !== undefined && (!ok(range.end) || range.end < range.start))) {
    throw new StorageError('InvalidArgument', `Malformed range ${JSON.stringify(range)}`);
  }
}

/**
 * Resolves `range` against `size`. Returns `undefined` when the whole object is to be returned without a
 * range (an empty object asked for a range, or a suffix of zero on an empty object), as S3 answers 200 then.
 */
export function resolveRange(range: ByteRange, size: number): ResolvedRange | undefined {
  if ('suffix' in range) {
    if (size === 0) return undefined;
    if (range.suffix === 0) throw new StorageError('InvalidRange', 'A zero-length suffix range is not satisfiable');
    return { start: Math.max(0, size - range.suffix), end: size - 1 };
  }
  if (size === 0) return undefined;
  if (range.start >= size) {
    throw new StorageError('InvalidRange', `Range start ${range.start} is beyond the object's ${size} bytes`);
  }
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}

/** Formats a resolved range as a `Content-Range` value (`bytes 0-99/1000`). */
export function contentRange(range: ResolvedRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}
