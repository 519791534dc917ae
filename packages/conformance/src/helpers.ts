/**
 * Small helpers shared by the case files: reading a get back, putting many keys, paging a listing through
 * and merging items with common prefixes in UTF-8 order.
 */
import { expect } from 'vitest';
import type { GetResult, ListOptions, ListResult, Storage } from '@strata/storage';
import { collect } from './data.ts';
import { compareUtf8 } from './key-corpus.ts';

/** Reads a get result's body whole. */
export function bodyOf(result: GetResult): Promise<Buffer> {
  return collect(result.body);
}

/** Gets `key` and returns its bytes. */
export async function getBytes(storage: Storage, key: string): Promise<Buffer> {
  return bodyOf(await storage.get(key));
}

/** Puts each key (body = the key's own bytes unless given) with bounded concurrency. */
export async function putAll(storage: Storage, keys: Iterable<string>, body?: (key: string) => string | Uint8Array, concurrency = 8): Promise<void> {
  const queue = [...keys];
  const worker = async () => {
    for (let k = queue.shift(); k !== undefined; k = queue.shift()) await storage.put(k, body ? body(k) : `body:${k}`);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
}

/** One entry of a listing: an object key or a common prefix. */
export type Entry = `key:${string}` | `prefix:${string}`;

/** The entries of one page, items and prefixes merged in UTF-8 order (as S3 interleaves them). */
export function entriesOf(page: ListResult): Entry[] {
  const all = [...page.items.map((i) => ({ s: i.key, e: `key:${i.key}` as Entry })), ...page.prefixes.map((p) => ({ s: p, e: `prefix:${p}` as Entry }))];
  return all.sort((a, b) => compareUtf8(a.s, b.s)).map((x) => x.e);
}

/**
 * Pages through a listing with `limit`, checking each page (at most `limit` entries, items and prefixes each
 * in UTF-8 order, a cursor on every page but the last) and returns all entries in order.
 */
export async function listAllPages(storage: Storage, options: ListOptions, maxPages = 10_000): Promise<{ entries: Entry[]; pages: number }> {
  const entries: Entry[] = [];
  let cursor = options.cursor;
  let pages = 0;
  do {
    const page = await storage.list({ ...options, cursor });
    pages += 1;
    if (pages > maxPages) throw new Error(`listing did not end after ${maxPages} pages`);
    const n = page.items.length + page.prefixes.length;
    if (options.limit !== undefined) expect(n, 'entries per page').toBeLessThanOrEqual(options.limit);
    expect(isSorted(page.items.map((i) => i.key)), 'items in UTF-8 order').toBe(true);
    expect(isSorted(page.prefixes), 'prefixes in UTF-8 order').toBe(true);
    if (page.cursor !== undefined) expect(n, 'a page with a cursor is not empty').toBeGreaterThan(0);
    entries.push(...entriesOf(page));
    cursor = page.cursor;
  } while (cursor !== undefined);
  return { entries, pages };
}

/** The keys of every object under `prefix`, all pages. */
export async function listKeys(storage: Storage, options: ListOptions = {}): Promise<string[]> {
  const { entries } = await listAllPages(storage, options);
  return entries.filter((e) => e.startsWith('key:')).map((e) => e.slice(4));
}

/** True when `keys` is strictly increasing in UTF-8 byte order. */
export function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (compareUtf8(keys[i - 1] as string, keys[i] as string) >= 0) return false;
  return true;
}

/** Resolves after the current macrotask, so concurrent operations interleave. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** An async iterable that yields `chunks` one per macrotask (a slow, one-shot body). */
export async function* slowChunks(chunks: (Uint8Array | string)[], delay: () => Promise<void> = tick): AsyncGenerator<Uint8Array | string> {
  for (const c of chunks) {
    await delay();
    yield c;
  }
}
