/**
 * `@strata/file`: the hierarchical file adapter. Keys are real paths under a root directory.
 */
import { resolve } from 'node:path';
import { createStorage } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { FileAdapter } from './file-adapter.ts';
import { MAX_ROOT_BYTES } from './key-mapping.ts';

export { FileAdapter } from './file-adapter.ts';
export { createChangeStamp } from './change-stamp.ts';
export { withFileReadCache } from './file-read-cache.ts';
export type { FileReadCacheOptions } from './file-read-cache.ts';
export {
  decodeName,
  encodeSegment,
  keyToPath,
  LOCK_FILE,
  LONG_KEYS_DIR,
  META_DIR,
  MAX_ROOT_BYTES,
  MAX_TREE_DEPTH,
  MAX_TREE_PATH_BYTES,
  RESERVED_PREFIX,
  SELF_NAME,
  STAGING_DIR,
  UPLOADS_DIR,
} from './key-mapping.ts';

/** Options of {@link createFileAdapter}. */
export interface FileAdapterOptions {
  /** The root directory; created if missing. Required; at most 510 bytes as an absolute path. */
  root: string;
  /**
   * `always`: file data and directories are fsynced before a write is acknowledged (survives power loss).
   * `never`: no fsync (survives a process crash, not a power loss) — for scratch data and tests.
   * @default 'always'
   */
  fsync?: 'always' | 'never';
  /** Bound on descriptors opened at once by internal operations (listing reads ahead). @default 256 */
  maxOpenFiles?: number;
  /** The smallest size of every multipart part but the last. @default 5242880 (5 MiB, as S3) */
  minPartSize?: number;
  /**
   * Whether metadata may be kept in the files' extended attributes (`user.strata.meta`). `false` keeps all of
   * it in metadata files under `<root>/.strata-meta/` (the fallback the adapter also uses on its own where the
   * file system refuses user attributes, or for a record too large for them): for file systems whose
   * attributes are unreliable, and for tests of the fallback.
   * @default true
   */
  xattrs?: boolean;
}

const option = (name: string, problem: string) => new TypeError(`createFileAdapter: option \`${name}\` ${problem}`);

/**
 * Creates the file adapter over `options.root`. Options are validated at once; the root is locked and
 * recovered in the background (`await adapter.ready()` to see a failure at once, else the first call reports it).
 *
 * ## Semantics
 * - **Mapping.** Key `a/b/c.json` is the file `<root>/a/b/c.json`. Segments a filesystem cannot hold are
 *   escaped into names starting with `.strata` (`''` → `.strata-empty`, `.` → `.strata-dot`, `..` →
 *   `.strata-dotdot`, `.strata…` → `.strata-esc.strata…`, over 255 bytes → `.strata-long-<sha256>`). An object
 *   whose key is also a directory (`a/b` beside `a/b/c`) is the file `<root>/a/b/.strata-self`; a folder marker
 *   `a/b/` is `<root>/a/b/.strata-empty`. A key whose path would be longer than 3,584 bytes or deeper than 255
 *   directories (`a` + 300 slashes, `../` × 300) is the file `<root>/.strata-keys/<h0h1>/<sha256 of the key>`
 *   instead, indexed in memory and merged into listings. See key-mapping.ts.
 * - **Failed writes leave nothing behind**: the staged file is removed and so are the directories the write
 *   created, while empty. Error messages carry no server path (the native error with its paths is the
 *   `cause`).
 * - **Plain files.** An object's file holds exactly its bytes. Its metadata (ETag, Last-Modified, standard
 *   headers, user metadata, tags, checksums, part layout, the key where the path does not spell it) is a compact
 *   record (46 bytes for a small put: it fits in an ext4 inode; record-codec.ts) in the file's
 *   `user.strata.meta` extended attribute, set on the staged file before the rename, so
 *   one rename publishes bytes and metadata together. Where an attribute cannot hold it (no user attributes,
 *   a record over the file system's limit, `xattrs: false`) it is a metadata file
 *   `<root>/.strata-meta/<xx>/<inode>.json`, written and fsynced before the rename. A record describes a file
 *   only while its stamp (inode, size, mtime) matches. See object-meta.ts, meta-store.ts, meta-files.ts.
 * - **Foreign files.** Every regular file under the root is an object of its relative key: without a record,
 *   its ETag is the MD5 of its bytes (cached in a record), Last-Modified its mtime, Content-Type from its
 *   extension. Objects of the earlier `#strata1` header format are read as such and rewritten in the new
 *   format when next written, or by `migrate()`.
 * - **Writes** stream into `<root>/.strata-staging/`, get their record, are fsynced (policy `always`), renamed
 *   into place, and the directory is fsynced. Readers see the old or the new object, never a partial one, also after a crash.
 *   Conditional puts and copies are atomic through a per-key in-process mutex: one process owns a root
 *   (`<root>/.strata-lock` holds its pid; a stale lock of a dead process is taken over at open).
 * - **Listing** walks only the directories the prefix reaches, decoding and sorting each directory's names in
 *   UTF-8 byte order of the keys, and skips whole subtrees before the cursor.
 * - **Multipart** uploads live in `<root>/.strata-uploads/<id>/` and survive a reopen; complete streams the
 *   parts into one staged file and renames it into place.
 * - Empty directories left by a delete are removed up to the root. Symbolic links inside the root are never
 *   followed (O_NOFOLLOW on the object, lstat on directories, skipped in listings): no key leads outside.
 *
 * ## Limitations
 * - A foreign file's first GET, HEAD or listing reads it whole (its MD5); a file rewritten in place by another
 *   program within one clock tick of its record, at the same size, keeps that record.
 * - Records in metadata files are keyed by inode: copied to another file system, such objects lose their
 *   headers, user metadata and tags (attributes, which `cp -a` and `rsync -X` copy, do not).
 * - One process per root; other processes must go through it (or the object server). With `fsync: 'always'` up
 *   to 64 directory descriptors stay open for the commit's directory fsync (concurrent commits into one
 *   directory share an fsync); a directory removed behind the adapter's back would keep a stale one.
 * - Case-insensitive or normalizing filesystems (default macOS, Windows) would merge distinct keys.
 *
 * ## Capabilities
 * Everything native: conditional put, multipart, copy, tags, checksums; durable (`fsync: 'never'` still
 * survives a process crash).
 */
export function createFileAdapter(options: FileAdapterOptions): FileAdapter {
  if (typeof options !== 'object' || options === null) throw new TypeError('createFileAdapter: options are required');
  const { root, fsync = 'always', maxOpenFiles = 256, minPartSize = 5 * 1024 * 1024, xattrs = true } = options;
  if (typeof root !== 'string' || root.length === 0) throw option('root', 'is required (a directory path)');
  if (fsync !== 'always' && fsync !== 'never') throw option('fsync', `must be 'always' or 'never', got ${String(fsync)}`);
  if (!Number.isInteger(maxOpenFiles) || maxOpenFiles < 1) throw option('maxOpenFiles', 'must be a positive integer');
  if (!Number.isInteger(minPartSize) || minPartSize < 0) throw option('minPartSize', 'must be a non-negative integer');
  if (typeof xattrs !== 'boolean') throw option('xattrs', 'must be a boolean');
  const absolute = resolve(root);
  // Every plain key's path fits PATH_MAX under a root of at most this length (key-mapping.ts).
  if (Buffer.byteLength(absolute, 'utf8') > MAX_ROOT_BYTES) throw option('root', `must be at most ${MAX_ROOT_BYTES} bytes as an absolute path`);
  return new FileAdapter({ root: absolute, fsync, maxOpenFiles, minPartSize, xattrs });
}

/** `createStorage(createFileAdapter(options))`: the file adapter behind the contract's front wrapper. */
export function createFileStorage(options: FileAdapterOptions): Storage {
  return createStorage(createFileAdapter(options));
}

/** Like {@link createFileStorage}, but resolves only once the root is locked and recovered (errors at once). */
export async function openFileStorage(options: FileAdapterOptions): Promise<Storage> {
  const adapter = createFileAdapter(options);
  await adapter.ready();
  return createStorage(adapter);
}
