/**
 * Vacuum (Delta's VACUUM; PROTOCOL.md, "Add File and Remove File": "Physical deletion of physical files can
 * happen lazily after some user-specified expiration time threshold"). Deletes the data files under the
 * table that no version younger than the retention period references:
 * - files removed by a commit older than the retention (their tombstone has expired);
 * - files no commit names (crashed writers, conversion leftovers) once they are older than the retention —
 *   a younger one may belong to a commit in progress and is never touched.
 * Live files and files removed within the retention are always kept, so every version a reader may still
 * open by time travel within the retention stays whole. Hidden paths (a segment starting with `_` or `.`,
 * such as `_delta_log/`) are not data files and are never deleted ("Data Files": data lives in non-hidden
 * directories).
 */
import { listAll } from '../internal/objects.ts';
import { decodeDataPath } from './delta/actions.ts';
import type { LakeTable } from './table.ts';

/** Options of {@link vacuumTable}. */
export interface VacuumOptions {
  /** Files referenced by a version younger than this, and unreferenced files younger than this, are kept. */
  retentionMs: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  /** List what would be deleted without deleting. @default false */
  dryRun?: boolean;
  signal?: AbortSignal;
}

const isHidden = (path: string) => path.split('/').some((segment) => segment.startsWith('_') || segment.startsWith('.'));

/** Deletes data files no version younger than `retentionMs` references. Returns the deleted paths. */
export async function vacuumTable(table: LakeTable, options: VacuumOptions): Promise<string[]> {
  const { signal } = options;
  if (!(Number.isFinite(options.retentionMs) && options.retentionMs >= 0)) throw new RangeError(`retentionMs must be a non-negative number: ${options.retentionMs}`);
  const cutoff = (options.now ?? Date.now)() - options.retentionMs;
  return table.exclusive(async (state) => {
    const keep = new Set([...state.files.keys()].map(decodeDataPath));
    const tombstoned = new Set<string>();
    for (const [path, remove] of state.tombstones) {
      const key = decodeDataPath(path);
      tombstoned.add(key);
      // Removed after the cutoff: still part of versions younger than the retention (time travel).
      if ((remove.deletionTimestamp ?? 0) >= cutoff) keep.add(key);
    }
    const root = `${table.table}/`;
    const doomed: string[] = [];
    for await (const item of listAll(table.storage, { prefix: root, signal })) {
      const path = item.key.slice(root.length);
      if (isHidden(path) || keep.has(path)) continue;
      // Unreferenced but young: possibly the files of a commit still in progress.
      if (!tombstoned.has(path) && item.lastModified.getTime() >= cutoff) continue;
      doomed.push(path);
    }
    if (!options.dryRun) {
      for (let i = 0; i < doomed.length; i += 1000) await table.storage.deleteMany(doomed.slice(i, i + 1000).map((p) => root + p), { signal });
    }
    return doomed;
  });
}
