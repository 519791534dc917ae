/**
 * Ordered listing as a lazy walk: read one directory, decode its names back into key segments, sort them by
 * the keys they stand for (escaped names sort differently on disk, and UTF-8 byte order is not the
 * filesystem's), then yield files and descend into directories in that order. Only directories a key under
 * `prefix` can be in are read, and whole subtrees before `startAfter` (or under it, with `skipDescendants`)
 * are skipped without being opened, so a page costs what it returns, not the size of the tree.
 */
import * as fsp from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { StorageError, compareKeys, throwIfAborted } from '@strata/storage';
import type { ListItem, ScanOptions } from '@strata/storage';
import type { FileCore } from './core.ts';
import { LONG_NAME_FILE, SELF_NAME, decodeName, encodeSegment } from './key-mapping.ts';
import type { KeyPath } from './key-mapping.ts';
import { readInfoAt } from './object-io.ts';
import { errnoOf } from './to-storage-error.ts';

/**
 * Headers read ahead of the consumer while walking a directory (they are independent opens). The window
 * starts at one object per directory and doubles each time the consumer comes back for the next object: a
 * listing with a delimiter takes only the first key beneath a directory (it becomes a common prefix) and then
 * restarts past the directory, so a fixed window would open up to 16 object files per common prefix for
 * nothing. Only objects the consumer actually takes are read ahead of.
 */
const READ_AHEAD = 16;

interface Entry {
  /** The string this entry sorts by: its key, or `key/` for a directory's contents. */
  sort: string;
  kind: 'object' | 'dir';
  /** Absolute path of the object file, or relative path of the directory. */
  path: string;
}

/** Yields the objects under `options.prefix` after `options.startAfter`, in UTF-8 byte order of keys. */
export async function* scanTree(core: FileCore, options: ScanOptions): AsyncGenerator<ListItem> {
  const { prefix } = options;
  const cut = prefix.lastIndexOf('/');
  const dirSegments = cut < 0 ? [] : prefix.slice(0, cut).split('/');
  const dirs = dirSegments.map(encodeSegment);
  const kp: KeyPath = { dirs, name: '', dir: dirs.join('/'), rel: dirs.join('/') };
  // A symlink on the way lists nothing (it is never followed), like a missing directory.
  const reachable = await core.checkDirs(kp).catch((e: unknown) => {
    if (e instanceof StorageError && e.code === 'PermissionDenied') return false;
    throw e;
  });
  if (!reachable) return;
  yield* walk(core, kp.dir, cut < 0 ? '' : prefix.slice(0, cut + 1), options);
}

async function* walk(core: FileCore, rel: string, keyPrefix: string, options: ScanOptions): AsyncGenerator<ListItem> {
  throwIfAborted(options.signal, 'list');
  const entries = await readEntries(core, rel, keyPrefix, options);
  const infos = new Map<number, Promise<ListItem | undefined>>();
  const start = (i: number) => {
    const e = entries[i];
    if (!e || e.kind !== 'object' || infos.has(i)) return;
    const p = readInfoAt(core, e.sort, e.path).then((info) =>
      info ? { key: e.sort, size: info.size, etag: info.etag, lastModified: info.lastModified } : undefined,
    );
    p.catch(() => undefined); // awaited below; this only keeps an abandoned read-ahead from being unhandled
    infos.set(i, p);
  };
  let ahead = 1;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as Entry;
    if (e.kind === 'dir') {
      yield* walk(core, e.path, e.sort, options);
      continue;
    }
    for (let j = i; j < entries.length && j < i + ahead; j++) start(j);
    const item = await infos.get(i);
    infos.delete(i);
    if (!item) continue;
    yield item;
    // The consumer came back for more: it reads this directory's objects, so read further ahead.
    ahead = Math.min(READ_AHEAD, ahead * 2);
  }
}

/** Whether keys (or, for a directory, every key beneath `sort`) can be part of the scan. */
function wanted(e: Entry, { prefix, startAfter, skipDescendants }: ScanOptions): boolean {
  if (e.kind === 'object') {
    if (!e.sort.startsWith(prefix)) return false;
    if (startAfter === undefined) return true;
    return compareKeys(e.sort, startAfter) > 0 && !(skipDescendants && e.sort.startsWith(startAfter));
  }
  // Every key beneath a directory starts with `sort` (`…/`).
  if (!e.sort.startsWith(prefix) && !prefix.startsWith(e.sort)) return false;
  if (startAfter === undefined) return true;
  if (skipDescendants && e.sort.startsWith(startAfter)) return false;
  // When startAfter sorts after `sort` without starting with it, it sorts after every key beneath it too.
  return compareKeys(e.sort, startAfter) > 0 || startAfter.startsWith(e.sort);
}

async function readEntries(core: FileCore, rel: string, keyPrefix: string, options: ScanOptions): Promise<Entry[]> {
  let dirents: Dirent[];
  try {
    dirents = await core.fds.with(() => fsp.readdir(core.abs(rel), { withFileTypes: true }));
  } catch (e) {
    const code = errnoOf(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw e;
  }
  const out: Entry[] = [];
  const base = core.abs(rel);
  for (const d of dirents) {
    // Symlinks (and sockets, fifos…) are never followed nor listed: nothing leads out of the root.
    const isDir = d.isDirectory();
    if (!isDir && !d.isFile()) continue;
    const decoded = decodeName(d.name);
    if (decoded.kind === 'reserved') continue;
    const path = `${base}/${d.name}`;
    let segment: string | undefined;
    if (decoded.kind === 'segment') segment = decoded.segment;
    else if (isDir) segment = await fsp.readFile(`${path}/${LONG_NAME_FILE}`, 'utf8').catch(() => undefined);
    else segment = (await readInfoAt(core, '', path))?.key.split('/').pop();
    if (segment === undefined) continue;
    const key = keyPrefix + segment;
    const childRel = rel === '' ? d.name : `${rel}/${d.name}`;
    if (isDir) {
      out.push({ sort: key, kind: 'object', path: `${path}/${SELF_NAME}` }, { sort: `${key}/`, kind: 'dir', path: childRel });
    } else {
      out.push({ sort: key, kind: 'object', path });
    }
  }
  return out.filter((e) => wanted(e, options)).sort((a, b) => compareKeys(a.sort, b.sort));
}
