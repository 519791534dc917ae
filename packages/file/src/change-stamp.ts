/**
 * A cheap fingerprint of the file that holds a key now, for layers that keep what they read and must notice
 * when another program changed the file since (`withReadCache`'s `stamp` option): the object server in front
 * of a directory that people and tools also write into.
 *
 * The fingerprint is the file's inode, size, mtime and ctime from one `lstat` on the calling thread (~2 µs
 * on the development VM with the path's entries cached; a thread-pool round trip costs tens of µs, and a
 * cached 4 KiB GET through the object server ~22 µs of CPU, so the check adds about a tenth). A replacement by rename
 * (what `cp`, `rsync`, editors and this adapter do) brings a new inode; a rewrite in place moves mtime and
 * ctime; a change of the file's attributes (its record) moves ctime (`inode(7)`).
 *
 * Timestamps come from a coarse clock, so two rewrites in place within one tick at the same size leave the
 * same fingerprint. A file changed too recently therefore has none (undefined): the cache reads it again each
 * time and keeps nothing until the file has been still for longer than a tick could hide a change (git's
 * "racily clean" entries; meta-store.ts waits likewise before it caches a foreign file's ETag). The kernel's
 * coarse clock ticks every 1–10 ms, so {@link FINE_RACY_MS} is enough where timestamps have sub-second parts;
 * on a file system with whole-second timestamps (both on a second exactly), {@link RACY_MS}.
 */
import { lstatSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { resolve } from 'node:path';
import { SELF_NAME, keyToPath } from './key-mapping.ts';
import { RACY_MS } from './meta-store.ts';

/** How long a change is too recent to fingerprint, where timestamps have sub-second parts: a few clock ticks. */
const FINE_RACY_MS = 100;

/** Paths of keys kept by a stamp function (a few hundred bytes each); all are dropped when it is full. */
const PATHS_KEPT = 16_384;

/** `lstat` of `path`, or undefined when it cannot be read (missing, a file on the way, no permission). */
function lstatOrNone(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/**
 * Returns the fingerprint function of the file store at `root`: for a key, a string that changes whenever the
 * file holding its object changes, or undefined when there is no such file (or it changed too recently to
 * tell a later change, see the module doc). Never throws. Pass it as `withReadCache`'s `stamp`.
 */
export function createChangeStamp(root: string, now: () => number = Date.now): (key: string) => string | undefined {
  const base = resolve(root);
  // The mapping costs a third of the lstat: hot keys ask again and again, so their paths are kept.
  const paths = new Map<string, string>();
  const pathOf = (key: string): string => {
    let path = paths.get(key);
    if (path === undefined) {
      if (paths.size >= PATHS_KEPT) paths.clear();
      paths.set(key, (path = `${base}/${keyToPath(key).rel}`));
    }
    return path;
  };
  return (key) => {
    const path = pathOf(key);
    let st = lstatOrNone(path);
    // A key that is also a directory (`a/b` beside `a/b/c`) is the directory's `.strata-self`.
    if (st?.isDirectory()) st = lstatOrNone(`${path}/${SELF_NAME}`);
    if (st === undefined || !st.isFile()) return undefined;
    const wholeSeconds = st.mtimeMs % 1000 === 0 && st.ctimeMs % 1000 === 0;
    if (now() - Math.max(st.mtimeMs, st.ctimeMs) < (wholeSeconds ? RACY_MS : FINE_RACY_MS)) return undefined;
    return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  };
}
