/**
 * Read conditions with S3's precedence (AWS GetObject/HeadObject; RFC 9110 §13.2.2):
 * 1. If-Match false → 412. 2. If-Unmodified-Since false → 412, unless If-Match was given (and held).
 * 3. If-None-Match matches → 304. 4. If-Modified-Since false → 304, unless If-None-Match was given.
 * Dates compare at one-second precision, as HTTP dates carry no fraction.
 */
import { StorageError } from './errors.ts';
import type { ObjectInfo, ReadConditions } from './types.ts';

/** Strips surrounding quotes and a weak prefix from an entity tag. */
export function normalizeEtag(etag: string): string {
  let e = etag.trim();
  if (e.startsWith('W/')) e = e.slice(2);
  if (e.length >= 2 && e.startsWith('"') && e.endsWith('"')) e = e.slice(1, -1);
  return e;
}

/** True when an If-Match/If-None-Match value (a list, or `*`) matches `etag`. */
export function etagMatches(condition: string, etag: string): boolean {
  const want = normalizeEtag(etag);
  return condition.split(',').some((part) => {
    const p = part.trim();
    return p === '*' || normalizeEtag(p) === want;
  });
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** Throws `PreconditionFailed` or `NotModified` when the conditions do not let `info` be read. */
export function checkReadConditions(info: ObjectInfo, conditions: ReadConditions, op = 'get'): void {
  const { ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince } = conditions;
  const fail = (code: 'PreconditionFailed' | 'NotModified', what: string) => {
    throw new StorageError(code, `${what} (etag ${info.etag})`, { op, key: info.key });
  };
  if (ifMatch !== undefined && !etagMatches(ifMatch, info.etag)) fail('PreconditionFailed', 'If-Match did not match');
  if (ifMatch === undefined && ifUnmodifiedSince !== undefined && seconds(info.lastModified) > seconds(ifUnmodifiedSince)) {
    fail('PreconditionFailed', 'The object was modified after If-Unmodified-Since');
  }
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, info.etag)) fail('NotModified', 'If-None-Match matched');
  if (ifNoneMatch === undefined && ifModifiedSince !== undefined && seconds(info.lastModified) <= seconds(ifModifiedSince)) {
    fail('NotModified', 'The object was not modified after If-Modified-Since');
  }
}

/**
 * Checks put conditions against the current object (undefined when absent). Adapters call it inside whatever
 * makes the write atomic (a lock, a compare-and-swap): `ifNoneMatch: '*'` → `AlreadyExists` when present;
 * `ifMatch` → `PreconditionFailed` when absent or different.
 */
export function checkWriteConditions(
  current: Pick<ObjectInfo, 'etag'> | undefined,
  conditions: { ifNoneMatch?: '*'; ifMatch?: string },
  op: string,
  key: string,
): void {
  if (conditions.ifNoneMatch === '*' && current !== undefined) {
    throw new StorageError('AlreadyExists', 'An object already exists at this key', { op, key });
  }
  if (conditions.ifMatch !== undefined && (current === undefined || !etagMatches(conditions.ifMatch, current.etag))) {
    throw new StorageError('PreconditionFailed', current === undefined ? 'If-Match on a missing object' : 'If-Match did not match', { op, key });
  }
}
