/**
 * Ordered listing as a lazy walk: read one directory, decode its names back into key segments, sort them by
 * the keys they stand for (escaped names sort differently on disk, and UTF-8 byte order is not the
 * filesystem's), then yield files and descend into directories in that order. Only directories a key under
 * `prefix` can be in are read, and whole subtrees before `startAfter` (or under it, with `skipDescendants`)
 * are skipped without being opened, so a page costs what it returns, not the size of the tree.
 *
 * The keys that cannot be plain paths (key-mapping.ts) come from the ordered in-memory index of the hashed
 * area and are merged in. The walk yields only what the mapping would produce for the key it decodes: a name
 * that is not the canonical encoding of its segment, or a path beyond the plain-path limits (something made
 * by hand), is not an object, so every listed key reads back through get.
 */
import * as fsp from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { StorageError, compareKeys, throwIfAborted } from '@strata/storage';
import type { ListItem, ScanOptions } from '@strata/storage';
import type { FileCore } from './core.ts';
import { LONG_NAME_FILE, SELF_NAME, decodeName, encodeSegment, hashedKeyPath, isPlainPath } from './key-mapping.ts';
import type { KeyPath } from './key-mapping.ts';
import { readInfoAt } from './object-read.ts';
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
  /** The directory to walk (kind `dir`). */
  dir?: WalkDir;
}

/** Yields the objects under `options.prefix` after `options.startAfter`, in UTF-8 byte order of keys. */
export async function* scanTree(core: FileCore, options: ScanOptions): AsyncGenerator<ListItem> {
  if (core.longKeys.size === 0) {
    yield* walkTree(core, options);
    return;
  }
  yield* mergeByKey(walkTree(core, options), hashedItems(core, options));
}

async function* walkTree(core: FileCore, options: ScanOptions): AsyncGenerator<ListItem> {
  const { prefix } = options;
  const cut = prefix.lastIndexOf('/');
  const dirSegments = cut < 0 ? [] : prefix.slice(0, cut).split('/');
  const dirs = dirSegments.map(encodeSegment);
  const dir = dirs.join('/');
  const dirBytes = Buffer.byteLength(dir, 'utf8');
  // A directory no plain key can be in: every key under the prefix is in the hashed area.
  if (dirs.length > 0 && !isPlainPath(dirBytes + 2, dirs.length)) return;
  const kp: KeyPath = { hashed: false, dirs, name: '', dir, rel: dir };
  // A symlink on the way lists nothing (it is never followed), like a missing directory.
  const reachable = await core.tree.checkDirs(kp).catch((e: unknown) => {
    if (e instanceof StorageError && e.code === 'PermissionDenied') return false;
    throw e;
  });
  if (!reachable) return;
  yield* walk(core, { rel: dir, bytes: dirBytes, depth: dirs.length }, cut < 0 ? '' : prefix.slice(0, cut + 1), options);
}

/** The objects of the hashed area a scan wants, in key order (read when the consumer gets to them). */
async function* hashedItems(core: FileCore, options: ScanOptions): AsyncGenerator<ListItem> {
  for (const key of core.longKeys.scan(options)) {
    throwIfAborted(options.signal, 'list');
    const info = await readInfoAt(core, key, core.abs(hashedKeyPath(key).rel));
    if (info) yield { key, size: info.size, etag: info.etag, lastModified: info.lastModified };
  }
}

/** Merges two scans, each in key order and with no key in both, into one in key order. */
async function* mergeByKey(a: AsyncGenerator<ListItem>, b: AsyncGenerator<ListItem>): AsyncGenerator<ListItem> {
  try {
    let x = await a.next();
    let y = await b.next();
    while (!x.done || !y.done) {
      if (y.done || (!x.done && compareKeys(x.value.key, y.value.key) < 0)) {
        yield x.value as ListItem;
        x = await a.next();
      } else {
        yield y.value;
        y = await b.next();
      }
    }
  } finally {
    await Promise.all([a.return(undefined), b.return(undefined)]);
  }
}

/** A directory being walked: its relative path, that path's UTF-8 length, and its depth under the root. */
interface WalkDir {
  rel: string;
  bytes: number;
  depth: number;
}

async function* walk(core: FileCore, dir: WalkDir, keyPrefix: string, options: ScanOptions): AsyncGenerator<ListItem> {
  throwIfAborted(options.signal, 'list');
  const entries = await readEntries(core, dir, keyPrefix, options);
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
      yield* walk(core, e.dir as WalkDir, e.sort, options);
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

async function readEntries(core: FileCore, dir: WalkDir, keyPrefix: string, options: ScanOptions): Promise<Entry[]> {
  let dirents: Dirent[];
  try {
    dirents = await core.fds.with(() => fsp.readdir(core.abs(dir.rel), { withFileTypes: true }));
  } catch (e) {
    const code = errnoOf(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw e;
  }
  const out: Entry[] = [];
  const base = core.abs(dir.rel);
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
    // Only the name the mapping gives its segment is that segment's (a hand-made `.strata-esc` + `x` is not `x`).
    if (segment === undefined || encodeSegment(segment) !== d.name) continue;
    // A name that is not UTF-8 (made by another program) reads back with U+FFFD in place of its bytes: no key
    // spells that path, so it is not an object (and its U+FFFD spelling is not a file).
    if (d.name.includes('\ufffd') && !(await fsp.lstat(path).then(() => true, () => false))) continue;
    const key = keyPrefix + segment;
    const child: WalkDir = {
      rel: dir.rel === '' ? d.name : `${dir.rel}/${d.name}`,
      bytes: dir.bytes + (dir.rel === '' ? 0 : 1) + Buffer.byteLength(d.name, 'utf8'),
      depth: dir.depth + 1,
    };
    // The key's own path is within the limits, else the mapping would have hashed it.
    if (isPlainPath(child.bytes, dir.depth)) out.push({ sort: key, kind: 'object', path: isDir ? `${path}/${SELF_NAME}` : path });
    if (isDir && isPlainPath(child.bytes + 2, child.depth)) out.push({ sort: `${key}/`, kind: 'dir', path: child.rel, dir: child });
  }
  return out.filter((e) => wanted(e, options)).sort((a, b) => compareKeys(a.sort, b.sort));
}
