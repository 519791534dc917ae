/**
 * Pages an ordered key scan into ListObjectsV2-shaped pages (AWS ListObjectsV2: Prefix, Delimiter,
 * StartAfter, MaxKeys, ContinuationToken). Every adapter with a `scan` gets identical pages from this one
 * implementation, so "same input, same pages" holds by construction.
 *
 * The cursor is the last entry returned (a key, or a common prefix whose descendants are skipped), plus a
 * fingerprint of prefix and delimiter so a cursor of another listing is refused. Resuming from the last
 * entry makes the concatenation of pages equal the one-page listing for every page size.
 */
import { createHash } from 'node:crypto';
import { StorageError, throwIfAborted } from './errors.ts';
import { compareKeys } from './keys.ts';
import type { ScanOptions } from './adapter.ts';
import type { ListItem, ListOptions, ListResult } from './types.ts';

/** A function yielding keys in UTF-8 byte order, as `StorageAdapter.scan`. */
export type ScanFunction = (options: ScanOptions) => AsyncIterable<ListItem>;

/** One entry of a listing: an object or a common prefix. */
export type ListEntry = { kind: 'item'; item: ListItem } | { kind: 'prefix'; prefix: string };

/** Where a listing resumes: strictly after `after`, and past all its descendants when `skip`. */
export interface ListPosition {
  after: string | undefined;
  skip: boolean;
}

/** Options of {@link listEntries}. */
export interface ListEntriesOptions {
  prefix: string;
  delimiter?: string;
  position: ListPosition;
  /** Keys under this prefix are never listed (the multipart fallback's staging area). */
  hiddenPrefix?: string;
  signal?: AbortSignal;
}

/**
 * Yields the entries of a listing in order from `position`: keys, and common prefixes rolled up by the
 * delimiter. On a common prefix (or the hidden prefix) the scan restarts past it with `skipDescendants`, so an
 * adapter can jump over a whole directory instead of reading it.
 */
export async function* listEntries(scan: ScanFunction, options: ListEntriesOptions): AsyncGenerator<ListEntry> {
  const { prefix, delimiter, hiddenPrefix, signal } = options;
  const floor = options.position.after;
  let after = options.position.after;
  let skip = options.position.skip;
  for (;;) {
    let restart = false;
    throwIfAborted(signal, 'list');
    for await (const item of scan({ prefix, startAfter: after, skipDescendants: skip, signal })) {
      const key = item.key;
      // Defensive: the scan should already honour these.
      if (!key.startsWith(prefix)) continue;
      if (after !== undefined && (compareKeys(key, after) <= 0 || (skip && key.startsWith(after)))) continue;
      if (hiddenPrefix !== undefined && key.startsWith(hiddenPrefix)) {
        after = hiddenPrefix;
        skip = true;
        restart = true;
        break;
      }
      if (delimiter) {
        const i = key.indexOf(delimiter, prefix.length);
        if (i >= 0) {
          const common = key.slice(0, i + delimiter.length);
          // "Strictly after startAfter" holds for common prefixes too: one at or before it is not returned.
          if (floor === undefined || compareKeys(common, floor) > 0) yield { kind: 'prefix', prefix: common };
          after = common;
          skip = true;
          restart = true;
          break;
        }
      }
      yield { kind: 'item', item };
      after = key;
      skip = false;
    }
    if (!restart) return;
  }
}

interface CursorBody {
  v: 1;
  a: string;
  s: boolean;
  f: string;
}

const fingerprint = (prefix: string, delimiter: string | undefined): string =>
  createHash('sha256').update(JSON.stringify([prefix, delimiter ?? null])).digest('base64url').slice(0, 12);

/** Encodes a resume position of a listing as an opaque cursor (base64url JSON). */
export function encodeCursor(position: { after: string; skip: boolean }, prefix: string, delimiter: string | undefined): string {
  const body: CursorBody = { v: 1, a: position.after, s: position.skip, f: fingerprint(prefix, delimiter) };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** Decodes a cursor of the same listing; throws `InvalidArgument` (reason `InvalidCursor`) otherwise. */
export function decodeCursor(cursor: string, prefix: string, delimiter: string | undefined): ListPosition {
  const bad = (why: string) => new StorageError('InvalidArgument', `Invalid list cursor: ${why}`, { op: 'list', reason: 'InvalidCursor' });
  let body: Partial<CursorBody>;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorBody>;
  } catch {
    throw bad('not a cursor of this storage');
  }
  if (typeof body !== 'object' || body === null || body.v !== 1 || typeof body.a !== 'string' || typeof body.s !== 'boolean') {
    throw bad('not a cursor of this storage');
  }
  if (body.f !== fingerprint(prefix, delimiter)) throw bad('it belongs to a listing with another prefix or delimiter');
  return { after: body.a, skip: body.s };
}

/** Options of {@link listPage}. */
export interface ListPageOptions extends ListOptions {
  hiddenPrefix?: string;
}

/**
 * One page of a listing over `scan`: at most `limit` entries (keys plus common prefixes), and a cursor when
 * at least one more entry follows (looked ahead, so the last page never carries a cursor).
 */
export async function listPage(scan: ScanFunction, options: ListPageOptions = {}): Promise<ListResult> {
  const prefix = options.prefix ?? '';
  const delimiter = options.delimiter === '' ? undefined : options.delimiter;
  const limit = options.limit ?? 1000;
  const position: ListPosition =
    options.cursor !== undefined ? decodeCursor(options.cursor, prefix, delimiter) : { after: options.startAfter, skip: false };
  const items: ListItem[] = [];
  const prefixes: string[] = [];
  let count = 0;
  let last: ListPosition | undefined;
  let more = false;
  for await (const entry of listEntries(scan, { prefix, delimiter, position, hiddenPrefix: options.hiddenPrefix, signal: options.signal })) {
    if (count === limit) {
      more = true;
      break;
    }
    count++;
    if (entry.kind === 'item') {
      items.push(entry.item);
      last = { after: entry.item.key, skip: false };
    } else {
      prefixes.push(entry.prefix);
      last = { after: entry.prefix, skip: true };
    }
  }
  const result: ListResult = { items, prefixes };
  if (more && last?.after !== undefined) result.cursor = encodeCursor({ after: last.after, skip: last.skip }, prefix, delimiter);
  return result;
}

/**
 * A scan over a native paging `list` (an adapter over a remote medium, such as S3): the pages' items in order.
 * A native list cannot jump past descendants, so `skipDescendants` is honoured by filtering them out.
 */
export async function* scanOverList(list: (options: ListOptions) => Promise<ListResult>, options: ScanOptions): AsyncGenerator<ListItem> {
  const skip = options.skipDescendants && options.startAfter !== undefined ? options.startAfter : undefined;
  let cursor: string | undefined;
  do {
    const page = await list({ prefix: options.prefix, startAfter: options.startAfter, cursor, signal: options.signal });
    for (const item of page.items) if (skip === undefined || !item.key.startsWith(skip)) yield item;
    cursor = page.cursor;
  } while (cursor !== undefined);
}

/**
 * Whether a common prefix of a native listing holds a key outside the hidden area (the multipart staging
 * prefix). A prefix under the hidden area never does; one that the hidden area lies under (`.strata-` with
 * delimiter `-`) does only when some key before or after the hidden subtree shares it.
 */
export async function isVisiblePrefix(scan: ScanFunction, prefix: string, hidden: string, signal: AbortSignal | undefined): Promise<boolean> {
  if (prefix.startsWith(hidden)) return false;
  if (!hidden.startsWith(prefix)) return true;
  for await (const item of scan({ prefix, signal })) {
    if (!item.key.startsWith(hidden)) return true;
    break;
  }
  for await (const _item of scan({ prefix, startAfter: hidden, skipDescendants: true, signal })) return true;
  return false;
}
