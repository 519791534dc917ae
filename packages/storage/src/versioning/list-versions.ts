/**
 * ListObjectVersions over a {@link VersionStore}
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html): keys in UTF-8 byte order,
 * each key's versions newest first, common prefixes with a delimiter, paging by key marker and version-id
 * marker, at most `limit` versions and prefixes per page.
 *
 * Keys come from two listings merged in order: the indexes, and the plain objects (a key written before
 * versioning has no index; its plain object is its null version). A key present in both is read from its index.
 */
import { compareKeys } from '../keys.ts';
import type { ListItem, OperationOptions, Storage } from '../types.ts';
import { NULL_VERSION_ID } from './manifest.ts';
import type { VersionEntry } from './manifest.ts';
import type { VersionStore } from './version-store.ts';

/** Options of {@link listObjectVersions}. */
export interface ListVersionsOptions extends OperationOptions {
  prefix?: string;
  delimiter?: string;
  /** Start with the key after this one, or with this key's versions after `versionIdMarker`. */
  keyMarker?: string;
  versionIdMarker?: string;
  /** At most this many versions, delete markers and common prefixes. @default 1000 */
  limit?: number;
}

/** One version or delete marker of a listing. */
export interface VersionListItem {
  key: string;
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
  lastModified: Date;
  etag: string;
  size: number;
}

/** One page of ListObjectVersions. */
export interface ListVersionsResult {
  /** Versions and delete markers, by key then newest first. */
  versions: VersionListItem[];
  prefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
}

type Name = { name: string; isPrefix: boolean; plain?: ListItem; indexed: boolean };

/** The names (keys and common prefixes) under `storagePrefix + prefix` after `startAfter`, in order. */
async function* names(storage: Storage, storagePrefix: string, opts: ListVersionsOptions, startAfter: string | undefined, indexed: boolean): AsyncGenerator<Name> {
  let cursor: string | undefined;
  const prefix = storagePrefix + (opts.prefix ?? '');
  do {
    const page = await storage.list({
      prefix,
      ...(opts.delimiter ? { delimiter: opts.delimiter } : {}),
      ...(startAfter !== undefined && cursor === undefined ? { startAfter: storagePrefix + startAfter } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const out: Name[] = [
      ...page.items.map((i) => ({ name: i.key.slice(storagePrefix.length), isPrefix: false, plain: indexed ? undefined : i, indexed })),
      ...page.prefixes.map((p) => ({ name: p.slice(storagePrefix.length), isPrefix: true, indexed })),
    ];
    out.sort((a, b) => compareKeys(a.name, b.name));
    yield* out;
    cursor = page.cursor;
  } while (cursor !== undefined);
}

/** Merges two ordered name streams; a name in both comes once, marked indexed when either is. */
async function* merged(a: AsyncGenerator<Name>, b: AsyncGenerator<Name>): AsyncGenerator<Name> {
  let x = await a.next();
  let y = await b.next();
  while (!x.done || !y.done) {
    if (y.done || (!x.done && compareKeys(x.value.name, y.value.name) < 0)) {
      yield x.value;
      x = await a.next();
    } else if (x.done || compareKeys(x.value.name, y.value.name) > 0) {
      yield y.value;
      y = await b.next();
    } else {
      yield { ...x.value, indexed: x.value.indexed || y.value.indexed, plain: x.value.plain ?? y.value.plain };
      x = await a.next();
      y = await b.next();
    }
  }
}

function toItem(key: string, v: VersionEntry, isLatest: boolean): VersionListItem {
  return { key, versionId: v.id, isLatest, deleteMarker: v.marker === true, lastModified: new Date(v.lastModified), etag: v.etag, size: v.size };
}

/** One page of the versions of the keys of `store`. */
export async function listObjectVersions(store: VersionStore, opts: ListVersionsOptions = {}): Promise<ListVersionsResult> {
  const limit = Math.max(0, Math.min(opts.limit ?? 1000, 1000));
  const result: ListVersionsResult = { versions: [], prefixes: [], isTruncated: false };
  if (limit === 0) return result;
  const room = () => limit - result.versions.length - result.prefixes.length;
  const truncate = (key: string, versionId?: string): ListVersionsResult => {
    result.isTruncated = true;
    result.nextKeyMarker = key;
    if (versionId !== undefined) result.nextVersionIdMarker = versionId;
    return result;
  };

  /** Emits the versions of `key` after `afterId`; answers whether the page filled up before the end. */
  const emit = (key: string, versions: VersionEntry[], afterId: string | undefined): boolean => {
    let start = 0;
    if (afterId !== undefined) {
      const at = versions.findIndex((v) => v.id === afterId);
      start = at < 0 ? versions.length : at + 1;
    }
    for (let i = start; i < versions.length; i++) {
      if (room() === 0) return true;
      result.versions.push(toItem(key, versions[i] as VersionEntry, i === 0));
    }
    return false;
  };

  const startAfter = opts.keyMarker;
  if (opts.keyMarker !== undefined && opts.versionIdMarker !== undefined && (opts.prefix === undefined || opts.keyMarker.startsWith(opts.prefix))) {
    const versions = await store.versionsOf(opts.keyMarker, opts);
    if (emit(opts.keyMarker, versions, opts.versionIdMarker)) return truncate(opts.keyMarker, result.versions.at(-1)?.versionId ?? opts.versionIdMarker);
  }
  const storage = store.storage;
  const all = merged(names(storage, store.indexPrefix, opts, startAfter, true), names(storage, store.plainKey(''), opts, startAfter, false));
  for await (const n of all) {
    // A common prefix given as the key marker is done: the storage may list it again.
    if (startAfter !== undefined && compareKeys(n.name, startAfter) <= 0) continue;
    if (n.isPrefix) {
      if (result.prefixes.at(-1) === n.name) continue;
      if (room() === 0) return lastMarker(result, truncate);
      result.prefixes.push(n.name);
      continue;
    }
    const versions = n.indexed ? await store.versionsOf(n.name, opts) : plainVersions(n.plain);
    if (versions.length === 0) continue;
    if (room() === 0) return lastMarker(result, truncate);
    if (emit(n.name, versions, undefined)) return lastMarker(result, truncate);
  }
  return result;
}

function plainVersions(item: ListItem | undefined): VersionEntry[] {
  return item ? [{ id: NULL_VERSION_ID, etag: item.etag, size: item.size, lastModified: item.lastModified.toISOString() }] : [];
}

/** Truncates after the last entry emitted (a version, or a common prefix when that came last). */
function lastMarker(result: ListVersionsResult, truncate: (key: string, versionId?: string) => ListVersionsResult): ListVersionsResult {
  const lastVersion = result.versions.at(-1);
  const lastPrefix = result.prefixes.at(-1);
  if (lastPrefix !== undefined && (lastVersion === undefined || compareKeys(lastPrefix, lastVersion.key) > 0)) return truncate(lastPrefix);
  return truncate(lastVersion?.key ?? '', lastVersion?.versionId);
}
