/**
 * Key ↔ path mapping. A key is split on `/`; every segment becomes one path component under the root, so the
 * key `a/b/c.json` is the file `<root>/a/b/c.json`. Ordinary segments are kept verbatim; the few a POSIX
 * filesystem cannot hold, or that the adapter reserves, are escaped into names beginning with `.strata`:
 *
 * | segment                                 | on disk                          |
 * |-----------------------------------------|----------------------------------|
 * | `''` (from `a//b`, `/x`, marker `dir/`) | `.strata-empty`                  |
 * | `.`                                     | `.strata-dot`                    |
 * | `..`                                    | `.strata-dotdot`                 |
 * | anything starting with `.strata`        | `.strata-esc` + segment          |
 * | longer than 255 UTF-8 bytes once escaped| `.strata-long-<sha256 hex>`      |
 *
 * Names beginning with `.strata` that are none of these are the adapter's own (`.strata-self`, `.strata-name`,
 * `.strata-staging`, `.strata-uploads`, `.strata-keys`, `.strata-meta`, `.strata-lock`) and are never listed. A long segment that is a
 * directory holds its original text in a `.strata-name` file; a long file name is decoded from the key stored in
 * the file's record (object-meta.ts). An object whose key is also a directory (`a/b` beside `a/b/c`) lives in that directory as
 * `.strata-self`. NUL cannot occur (the key rules forbid it) and `/` always splits, so no other byte needs
 * escaping on Linux.
 *
 * **Keys that cannot be paths.** A valid key is up to 2048 bytes, but escaping can grow it many times over (a
 * key of 300 slashes is 301 `.strata-empty` components, 4.2 KB of path) past PATH_MAX (4096 bytes with the
 * root, `path_resolution(7)`), and a key of 1,000 one-byte segments would be 1,000 nested directories. So a
 * key is a plain path only when its object file, relative to the root and including a possible
 * `/.strata-self`, is at most {@link MAX_TREE_PATH_BYTES} bytes and at most {@link MAX_TREE_DEPTH}
 * directories deep. Every other key is a file in a flat hashed area, `.strata-keys/<h0h1>/<sha256 hex>`,
 * whose file holds the key; the adapter keeps those keys in an ordered in-memory index (loaded at open) and
 * merges them into listings. The rule depends only on the key, never on the root's own path, so a data
 * directory can move; the root is limited to {@link MAX_ROOT_BYTES} bytes so that every plain path fits.
 */
import { createHash } from 'node:crypto';

/** The reserved prefix: every name the adapter owns or escapes into begins with it. */
export const RESERVED_PREFIX = '.strata';
/** Name of an object stored inside the directory that has its key (`a/b` beside `a/b/c`). */
export const SELF_NAME = '.strata-self';
/** File inside a `.strata-long-…` directory holding the original segment. */
export const LONG_NAME_FILE = '.strata-name';
/** Root-level staging directory (temp files; emptied at open). */
export const STAGING_DIR = '.strata-staging';
/** Root-level multipart upload directory (survives reopen). */
export const UPLOADS_DIR = '.strata-uploads';
/** Root-level lock file. */
export const LOCK_FILE = '.strata-lock';
/** Root-level directory of the keys that cannot be plain paths (see the module doc). */
export const LONG_KEYS_DIR = '.strata-keys';
/** Root-level directory of the metadata files, where extended attributes cannot hold metadata (meta-files.ts). */
export const META_DIR = '.strata-meta';

/** The longest object file path of a plain key, relative to the root, `/.strata-self` included. */
export const MAX_TREE_PATH_BYTES = 3584;
/**
 * The deepest directory nesting of a plain key. Linux sets no depth limit, but every level costs a mkdir and a
 * directory fsync on the first write, a lookup per read, a level of the listing walk, and a descriptor per
 * level in recursive tools (`rm -r`, `find`); a key deeper than this is hashed instead.
 */
export const MAX_TREE_DEPTH = 255;
/** The longest root path: root + `/` + a plain path + the terminating NUL fit PATH_MAX (4096). */
export const MAX_ROOT_BYTES = 4096 - 1 - MAX_TREE_PATH_BYTES - 1;
/** Bytes of `/.strata-self`, the longest suffix a key's own path can get. */
const SELF_SUFFIX_BYTES = 1 + 12;

const EMPTY = '.strata-empty';
const DOT = '.strata-dot';
const DOTDOT = '.strata-dotdot';
const ESC = '.strata-esc';
const LONG = '.strata-long-';
/** NAME_MAX of ext4, xfs, btrfs, tmpfs and APFS. */
const NAME_MAX = 255;

/** Encodes one key segment into a directory entry name. */
export function encodeSegment(segment: string): string {
  let name: string;
  if (segment === '') name = EMPTY;
  else if (segment === '.') name = DOT;
  else if (segment === '..') name = DOTDOT;
  else if (segment.startsWith(RESERVED_PREFIX)) name = ESC + segment;
  else name = segment;
  // Most names are short ASCII: skip the byte count when even 4 bytes per code unit fit.
  if (name.length * 3 <= NAME_MAX || Buffer.byteLength(name, 'utf8') <= NAME_MAX) return name;
  return LONG + createHash('sha256').update(segment, 'utf8').digest('hex');
}

/** What a directory entry name stands for. */
export type DecodedName =
  | { kind: 'segment'; segment: string }
  /** A hashed long segment: its text is in the file's record or the directory's `.strata-name`. */
  | { kind: 'long' }
  /** An adapter-owned or unknown reserved name: never a key. */
  | { kind: 'reserved' };

/** Decodes a directory entry name written by {@link encodeSegment}. */
export function decodeName(name: string): DecodedName {
  if (!name.startsWith(RESERVED_PREFIX)) return { kind: 'segment', segment: name };
  if (name === EMPTY) return { kind: 'segment', segment: '' };
  if (name === DOT) return { kind: 'segment', segment: '.' };
  if (name === DOTDOT) return { kind: 'segment', segment: '..' };
  if (name.startsWith(ESC)) return { kind: 'segment', segment: name.slice(ESC.length) };
  if (name.startsWith(LONG)) return { kind: 'long' };
  return { kind: 'reserved' };
}

/** True when a name is a hashed long segment. */
export const isLongName = (name: string): boolean => name.startsWith(LONG);

/** Where a key lives, relative to the root. */
export interface KeyPath {
  /**
   * True for a key that cannot be a plain path: its file is `.strata-keys/<h0h1>/<sha256 hex>`, its
   * directories are the adapter's own (never converted), and it is never a directory itself.
   */
  hashed: boolean;
  /** Encoded directory components, outermost first. */
  dirs: string[];
  /** Encoded last component: the file, or the directory holding `.strata-self`. */
  name: string;
  /** `dirs` joined with `/` (`''` at the root). */
  dir: string;
  /** `dir/name`. */
  rel: string;
}

/**
 * Whether a key whose object file is `pathBytes` long (relative to the root) and `depth` directories deep is
 * a plain path (see the module doc). For a directory of `pathBytes` at `depth`: whether a plain key can be in it
 * is `isPlainPath(pathBytes + 2, depth)` (the shortest name below it is one byte).
 */
export function isPlainPath(pathBytes: number, depth: number): boolean {
  return depth <= MAX_TREE_DEPTH && pathBytes + SELF_SUFFIX_BYTES <= MAX_TREE_PATH_BYTES;
}

/** Where `key` lives in the hashed area (for keys that cannot be plain paths). */
export function hashedKeyPath(key: string): KeyPath {
  const hash = createHash('sha256').update(key, 'utf8').digest('hex');
  const dirs = [LONG_KEYS_DIR, hash.slice(0, 2)];
  const dir = dirs.join('/');
  return { hashed: true, dirs, name: hash, dir, rel: `${dir}/${hash}` };
}

/** Maps a valid key to its relative path components. Pure: the same key always maps to the same path. */
export function keyToPath(key: string): KeyPath {
  const segments = key.split('/');
  // Quick exit before encoding: a path can only be shorter than 14 bytes per segment plus the key's bytes.
  if (segments.length - 1 > MAX_TREE_DEPTH) return hashedKeyPath(key);
  const last = segments.pop() as string;
  const dirs = segments.map(encodeSegment);
  const name = encodeSegment(last);
  const dir = dirs.join('/');
  const rel = dir === '' ? name : `${dir}/${name}`;
  // Most keys are short: skip the byte count when even 3 bytes per UTF-16 unit fit.
  if (rel.length * 3 + SELF_SUFFIX_BYTES > MAX_TREE_PATH_BYTES && !isPlainPath(Buffer.byteLength(rel, 'utf8'), dirs.length)) {
    return hashedKeyPath(key);
  }
  return { hashed: false, dirs, name, dir, rel };
}

/**
 * The key of the object stored as the directory made of the first `depth` components of `path`
 * (the ancestor `a/b` of `a/b/c`): its self object's key.
 */
export function ancestorKey(key: string, depth: number): string {
  return key.split('/').slice(0, depth).join('/');
}

/** Whether a key's path does not spell it, so the key must be stored with its object (hashed keys, long names). */
export function storesKey(kp: KeyPath): boolean {
  return kp.hashed || isLongName(kp.name);
}
