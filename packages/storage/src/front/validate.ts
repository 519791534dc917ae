/**
 * Option validation of the front wrapper, done once for every adapter and before any I/O: malformed options
 * throw `InvalidArgument`, options beyond the adapter's capabilities throw `Unsupported`. Limits follow S3
 * (AWS "Categorizing your storage using tags": at most 10 tags, keys ≤ 128 and values ≤ 256 characters;
 * list MaxKeys 1..1000).
 */
import { StorageError } from '../errors.ts';
import { isChecksumAlgorithm } from '../checksums.ts';
import { assertValidRange } from '../ranges.ts';
import { STANDARD_HEADER_NAMES } from '../standard-headers.ts';
import type { Capabilities } from '../capabilities.ts';
import type { ByteRange, Checksums, CopyOptions, ReadConditions, StandardHeaders } from '../types.ts';

const invalid = (op: string, message: string, key?: string) => new StorageError('InvalidArgument', message, { op, key });
const unsupported = (op: string, what: string, key?: string) =>
  new StorageError('Unsupported', `This storage does not support ${what}`, { op, key });

/** S3's tag limits. */
export const TAG_LIMITS = { maxTags: 10, maxKeyLength: 128, maxValueLength: 256 } as const;

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Throws `InvalidArgument` unless `tags` is a string map within S3's limits. */
export function validateTags(tags: unknown, op: string, key?: string): void {
  if (!isRecord(tags)) throw invalid(op, 'Tags must be an object of strings', key);
  const entries = Object.entries(tags);
  if (entries.length > TAG_LIMITS.maxTags) throw invalid(op, `At most ${TAG_LIMITS.maxTags} tags are allowed, got ${entries.length}`, key);
  for (const [k, v] of entries) {
    if (k.length === 0 || k.length > TAG_LIMITS.maxKeyLength) throw invalid(op, `A tag key must have 1..${TAG_LIMITS.maxKeyLength} characters`, key);
    if (typeof v !== 'string' || v.length > TAG_LIMITS.maxValueLength) throw invalid(op, `Tag ${k} must be a string of at most ${TAG_LIMITS.maxValueLength} characters`, key);
  }
}

/** Validates user metadata and returns it with lower-cased names (S3 stores `x-amz-meta-*` names lower-cased). */
export function normalizeUserMetadata(meta: unknown, op: string, key?: string): Record<string, string> | undefined {
  if (meta === undefined) return undefined;
  if (!isRecord(meta)) throw invalid(op, 'userMetadata must be an object of strings', key);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(meta)) {
    if (typeof value !== 'string') throw invalid(op, `User metadata ${name} must be a string`, key);
    const lower = name.toLowerCase();
    if (name.length === 0) throw invalid(op, 'A user metadata name must not be empty', key);
    if (lower in out) throw invalid(op, `User metadata name ${lower} appears twice (names are case-insensitive)`, key);
    out[lower] = value;
  }
  return out;
}

/** Throws `InvalidArgument` unless every standard header given is a string. */
export function validateHeaders(headers: StandardHeaders, op: string, key?: string): void {
  for (const name of STANDARD_HEADER_NAMES) {
    const v = headers[name];
    if (v !== undefined && typeof v !== 'string') throw invalid(op, `${name} must be a string`, key);
  }
}

/** Validates put-like conditions and checks `conditionalPut`. */
export function validateWriteConditions(o: { ifNoneMatch?: unknown; ifMatch?: unknown }, caps: Capabilities, op: string, key?: string): void {
  if (o.ifNoneMatch !== undefined && o.ifNoneMatch !== '*') throw invalid(op, "ifNoneMatch on a write must be '*'", key);
  if (o.ifMatch !== undefined && (typeof o.ifMatch !== 'string' || o.ifMatch.length === 0)) throw invalid(op, 'ifMatch must be a non-empty ETag', key);
  if ((o.ifNoneMatch !== undefined || o.ifMatch !== undefined) && !caps.conditionalPut) throw unsupported(op, 'conditional writes', key);
}

/** Validates read conditions (strings and valid dates). */
export function validateReadConditions(c: ReadConditions | undefined, op: string, key?: string): void {
  if (c === undefined) return;
  for (const name of ['ifMatch', 'ifNoneMatch'] as const) {
    if (c[name] !== undefined && typeof c[name] !== 'string') throw invalid(op, `${name} must be a string`, key);
  }
  for (const name of ['ifModifiedSince', 'ifUnmodifiedSince'] as const) {
    const d = c[name];
    if (d !== undefined && !(d instanceof Date && !Number.isNaN(d.getTime()))) throw invalid(op, `${name} must be a valid Date`, key);
  }
}

/** Validates a range (well-formed) when given. */
export function validateRange(range: ByteRange | undefined, op: string, key?: string): void {
  if (range === undefined) return;
  try {
    assertValidRange(range);
  } catch (e) {
    if (e instanceof StorageError) {
      e.op ??= op;
      e.key ??= key;
    }
    throw e;
  }
}

/** Validates checksum options and checks the `checksums` capability. */
export function validateChecksumOptions(
  o: { checksumAlgorithms?: unknown; expectedChecksums?: unknown },
  caps: Capabilities,
  op: string,
  key?: string,
): void {
  const algs = o.checksumAlgorithms;
  if (algs !== undefined) {
    if (!Array.isArray(algs) || !algs.every(isChecksumAlgorithm)) throw invalid(op, 'checksumAlgorithms must list crc32, crc32c, crc64nvme, sha1 or sha256', key);
    if (algs.length > 0 && !caps.checksums) throw unsupported(op, 'checksums', key);
  }
  const exp = o.expectedChecksums;
  if (exp !== undefined && typeof exp !== 'function') {
    if (!isRecord(exp)) throw invalid(op, 'expectedChecksums must be an object or a function', key);
    validateChecksums(exp, op, key);
    if (Object.keys(exp).length > 0 && !caps.checksums) throw unsupported(op, 'checksums', key);
  }
}

/** Throws `InvalidArgument` unless `c` maps known algorithms to base64 strings. */
export function validateChecksums(c: Record<string, unknown>, op: string, key?: string): asserts c is Checksums {
  for (const [alg, v] of Object.entries(c)) {
    if (!isChecksumAlgorithm(alg)) throw invalid(op, `Unknown checksum algorithm ${alg}`, key);
    if (v !== undefined && typeof v !== 'string') throw invalid(op, `The ${alg} checksum must be a base64 string`, key);
  }
}

/** Validates `contentLength` / `contentMd5` and the adapter's `maxObjectSize`. */
export function validateBodyOptions(o: { contentLength?: unknown; contentMd5?: unknown }, caps: Capabilities, op: string, key?: string): void {
  const n = o.contentLength;
  if (n !== undefined && !(typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)) throw invalid(op, 'contentLength must be a non-negative integer', key);
  if (typeof n === 'number' && caps.maxObjectSize !== undefined && n > caps.maxObjectSize) {
    throw new StorageError('InvalidArgument', `The object is larger than this storage's ${caps.maxObjectSize} bytes`, { op, key, reason: 'EntityTooLarge' });
  }
  if (o.contentMd5 !== undefined && (typeof o.contentMd5 !== 'string' || Buffer.from(o.contentMd5, 'base64').length !== 16)) {
    throw new StorageError('InvalidArgument', 'contentMd5 must be the base64 of a 16-byte MD5', { op, key, reason: 'BadDigest' });
  }
}

/** Validates a page size: an integer from 1 to `max`. */
export function validateLimit(limit: unknown, op: string, max = 1000): void {
  if (limit !== undefined && !(typeof limit === 'number' && Number.isInteger(limit) && limit >= 1 && limit <= max)) {
    throw invalid(op, `limit must be an integer from 1 to ${max}`);
  }
}

/** Validates an optional string option. */
export function validateString(value: unknown, name: string, op: string, allowEmpty = true): void {
  if (value !== undefined && (typeof value !== 'string' || (!allowEmpty && value.length === 0) || value.includes('\0'))) {
    throw invalid(op, `${name} must be a ${allowEmpty ? '' : 'non-empty '}string without NUL`);
  }
}

/** Checks the tags capability for a non-empty tag set and validates it. */
export function validateTagOption(tags: unknown, caps: Capabilities, op: string, key?: string): void {
  if (tags === undefined) return;
  validateTags(tags, op, key);
  if (Object.keys(tags as object).length > 0 && !caps.tags) throw unsupported(op, 'tags', key);
}

/**
 * Validates the options copy and move share: the metadata directive, the source's read conditions, the
 * destination's write conditions (checking `conditionalPut`), headers and tags. Not the range (move has none).
 */
export function validateCopyOptions(options: Omit<CopyOptions, 'range'>, caps: Capabilities, op: string, source: string, destination: string): void {
  const directive: unknown = options.metadataDirective;
  if (directive !== undefined && directive !== 'copy' && directive !== 'replace') throw invalid(op, "metadataDirective must be 'copy' or 'replace'", destination);
  validateReadConditions(options.source, op, source);
  validateWriteConditions(options, caps, op, destination);
  validateHeaders(options, op, destination);
  validateTagOption(options.tags, caps, op, destination);
}
