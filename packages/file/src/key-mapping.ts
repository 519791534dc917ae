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
 * `.strata-staging`, `.strata-uploads`, `.strata-lock`) and are never listed. A long segment that is a
 * directory holds its original text in a `.strata-name` file; a long file name is decoded from the key stored in
 * the file's header. An object whose key is also a directory (`a/b` beside `a/b/c`) lives in that directory as
 * `.strata-self`. NUL cannot occur (the key rules forbid it) and `/` always splits, so no other byte needs
 * escaping on Linux.
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
  /** A hashed long segment: its text is in the file header or the directory's `.strata-name`. */
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
  /** Encoded directory components, outermost first. */
  dirs: string[];
  /** Encoded last component: the file, or the directory holding `.strata-self`. */
  name: string;
  /** `dirs` joined with `/` (`''` at the root). */
  dir: string;
  /** `dir/name`. */
  rel: string;
}

/** Maps a valid key to its relative path components. Pure: the same key always maps to the same path. */
export function keyToPath(key: string): KeyPath {
  const segments = key.split('/');
  const last = segments.pop() as string;
  const dirs = segments.map(encodeSegment);
  const name = encodeSegment(last);
  const dir = dirs.join('/');
  return { dirs, name, dir, rel: dir === '' ? name : `${dir}/${name}` };
}

/**
 * The key of the object stored as the directory made of the first `depth` components of `path`
 * (the ancestor `a/b` of `a/b/c`): its self object's key.
 */
export function ancestorKey(key: string, depth: number): string {
  return key.split('/').slice(0, depth).join('/');
}
