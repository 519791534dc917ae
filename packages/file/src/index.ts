/**
 * `@strata/file`: the hierarchical file adapter. Keys are real paths under a root directory.
 */
import { resolve } from 'node:path';
import { createStorage } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { FileAdapter } from './file-adapter.ts';

export { FileAdapter } from './file-adapter.ts';
export { decodeName, encodeSegment, keyToPath, RESERVED_PREFIX, SELF_NAME, STAGING_DIR, UPLOADS_DIR, LOCK_FILE } from './key-mapping.ts';

/** Options of {@link createFileAdapter}. */
export interface FileAdapterOptions {
  /** The root directory; created if missing. Required. */
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
 *   `a/b/` is `<root>/a/b/.strata-empty`. See key-mapping.ts.
 * - **Metadata** is a small text header at the start of each object file (`#strata1 <offset>` line, then the
 *   ObjectInfo as one JSON line, then the bytes): one rename publishes bytes and metadata together, and a GET
 *   of an object up to 64 KiB is one open and one read (the close is off its latency; README "Reads").
 *   `tail -n +3 <file>` prints an object's bytes.
 * - **Writes** stream into `<root>/.strata-staging/`, are fsynced (policy `always`), renamed into place, and the
 *   directory is fsynced. Readers see the old or the new object, never a partial one, also after a crash.
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
 * - Object files are not byte-identical to objects: they start with the header.
 * - setTags rewrites the object file (copy-on-write) to keep the one-rename commit.
 * - One process per root; other processes must go through it (or the object server). With `fsync: 'always'` up
 *   to 64 directory descriptors stay open for the commit's directory fsync (concurrent commits into one
 *   directory share an fsync); a directory removed behind the adapter's back would keep a stale one.
 * - A directory named by a hashed long segment keeps its `.strata-name` and is not removed when emptied.
 * - Case-insensitive or normalizing filesystems (default macOS, Windows) would merge distinct keys.
 * - Files placed under the root by other tools without a header are not objects: skipped by list,
 *   `Corrupted` on get.
 *
 * ## Capabilities
 * Everything native: conditional put, multipart, copy, tags, checksums; durable (`fsync: 'never'` still
 * survives a process crash).
 */
export function createFileAdapter(options: FileAdapterOptions): FileAdapter {
  if (typeof options !== 'object' || options === null) throw new TypeError('createFileAdapter: options are required');
  const { root, fsync = 'always', maxOpenFiles = 256, minPartSize = 5 * 1024 * 1024 } = options;
  if (typeof root !== 'string' || root.length === 0) throw option('root', 'is required (a directory path)');
  if (fsync !== 'always' && fsync !== 'never') throw option('fsync', `must be 'always' or 'never', got ${String(fsync)}`);
  if (!Number.isInteger(maxOpenFiles) || maxOpenFiles < 1) throw option('maxOpenFiles', 'must be a positive integer');
  if (!Number.isInteger(minPartSize) || minPartSize < 0) throw option('minPartSize', 'must be a non-negative integer');
  return new FileAdapter({ root: resolve(root), fsync, maxOpenFiles, minPartSize });
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
