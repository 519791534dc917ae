/**
 * Small helpers over the storage contract that every pipeline shares: JSON objects read with their ETag,
 * create-only and if-match JSON writes, whole listings, and zero-padded offsets whose UTF-8 byte order is
 * their numeric order (so the contract's strictly ordered `list` walks them in sequence).
 */
import { hasErrorCode } from '@strata/storage';
import type { ListItem, ListOptions, Storage } from '@strata/storage';
import { readStream } from './streams.ts';

/** Width of a zero-padded offset or version: 20 digits hold every non-negative 64-bit integer (Kafka, Delta). */
export const OFFSET_WIDTH = 20;

/** `42` → `00000000000000000042`. Throws on negative or non-integer input (a key must never sort wrongly). */
export function padOffset(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`offset must be a non-negative safe integer: ${n}`);
  return String(n).padStart(OFFSET_WIDTH, '0');
}

/** A JSON document read from storage with the ETag to use in a following if-match write. */
export interface Versioned<T> {
  value: T;
  etag: string;
}

/** Reads and parses a JSON object; `undefined` when the key is absent (NotFound), other errors propagate. */
export async function getJson<T>(storage: Storage, key: string, signal?: AbortSignal): Promise<Versioned<T> | undefined> {
  try {
    const res = await storage.get(key, { signal });
    const bytes = await readStream(res.body);
    return { value: JSON.parse(bytes.toString('utf8')) as T, etag: res.info.etag };
  } catch (e) {
    if (hasErrorCode(e, 'NotFound')) return undefined;
    throw e;
  }
}

/** Writes a JSON object create-only (`ifNoneMatch: '*'`); throws `AlreadyExists` when the key is taken. */
export async function putJsonCreateOnly(storage: Storage, key: string, value: unknown, signal?: AbortSignal): Promise<string> {
  const info = await storage.put(key, JSON.stringify(value), { ifNoneMatch: '*', contentType: 'application/json', signal });
  return info.etag;
}

/** Writes a JSON object only if its ETag is still `etag`; throws `PreconditionFailed` otherwise. */
export async function putJsonIfMatch(storage: Storage, key: string, value: unknown, etag: string, signal?: AbortSignal): Promise<string> {
  const info = await storage.put(key, JSON.stringify(value), { ifMatch: etag, contentType: 'application/json', signal });
  return info.etag;
}

/** Every item of a listing, page after page (bounded by what is stored). */
export async function* listAll(storage: Storage, options: Omit<ListOptions, 'cursor'>): AsyncGenerator<ListItem> {
  let cursor: string | undefined;
  do {
    const page = await storage.list({ ...options, cursor });
    yield* page.items;
    cursor = page.cursor;
  } while (cursor !== undefined);
}

/** The first key under `prefix` at or after `fromKey` in byte order, or `undefined`. */
export async function firstKeyFrom(storage: Storage, prefix: string, fromKey: string, signal?: AbortSignal): Promise<string | undefined> {
  // `startAfter` is exclusive; a key compares greater than every proper prefix of itself, so starting after
  // the bare padded offset (no extension) still includes `<offset>.json` and `<offset>-….jsonl.gz`.
  const page = await storage.list({ prefix, startAfter: fromKey, limit: 1, signal });
  return page.items[0]?.key;
}

/** True when the error is the storage error with this code (re-exported for the pipelines' own modules). */
export { hasErrorCode };
