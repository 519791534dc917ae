/**
 * Table maintenance: compaction of small files and vacuum of unreferenced ones (Delta's OPTIMIZE and VACUUM).
 *
 * Compaction rewrites a partition's small files into one and commits `add` + `remove` in one entry, so a
 * reader sees either the small files or the big one, never both or neither. Vacuum deletes data files that
 * no version younger than the retention period references: files removed by a commit older than retention,
 * and files never committed (crashed writers) once they are older than retention — a file younger than
 * retention may belong to a commit in progress and is never touched.
 */
import { PipelineError } from '../errors.ts';
import { listAll } from '../internal/objects.ts';
import { readStream } from '../internal/streams.ts';
import { decodeRecords } from './formats.ts';
import type { LakeRecord } from './formats.ts';
import type { AddFile } from './log.ts';
import { logPrefix } from './log.ts';
import { commitEntry } from './commit.ts';
import type { LakeTable } from './table.ts';
import { partitionPath } from './table.ts';

/** Options of {@link compactTable}. */
export interface CompactOptions {
  /** Files at most this size (bytes) count as small. @default 8 MiB */
  smallFileBytes?: number;
  /** Compact a partition only when it has at least this many small files. @default 2 */
  minFiles?: number;
  signal?: AbortSignal;
}

/** One compaction commit. */
export interface CompactResult {
  version: number;
  partition: string;
  removed: string[];
  added: string;
}

/**
 * Compacts each partition's small files into one file per partition, one commit per partition. A concurrent
 * compaction that removed the same files first makes this one fail with `PipelineError('Conflict')` for that
 * partition; its new file is deleted and the partition skipped.
 */
export async function compactTable(table: LakeTable, options: CompactOptions = {}): Promise<CompactResult[]> {
  const small = options.smallFileBytes ?? 8 * 1024 * 1024;
  const minFiles = options.minFiles ?? 2;
  const { signal } = options;
  return table.exclusive(async (state) => {
    const byPartition = new Map<string, AddFile[]>();
    for (const f of state.files.values()) {
      if (f.size > small) continue;
      const key = partitionPath(f.partition);
      byPartition.set(key, [...(byPartition.get(key) ?? []), f]);
    }
    const results: CompactResult[] = [];
    for (const [partition, files] of [...byPartition].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (files.length < minFiles) continue;
      files.sort((a, b) => (a.path < b.path ? -1 : 1));
      const records: LakeRecord[] = [];
      for (const f of files) {
        const res = await table.storage.get(`${table.table}/${f.path}`, { ifMatch: f.etag, signal });
        records.push(...(await decodeRecords(await readStream(res.body), f.format)));
      }
      const [added] = await table.writeFiles(records, files[0]!.format);
      if (added === undefined) continue;
      const now = Date.now();
      try {
        const outcome = await commitEntry(table.storage, table.table, state, { operation: 'compact', add: [added], remove: files.map((f) => ({ path: f.path, deletionTimestamp: now })) }, { signal });
        results.push({ version: outcome.version, partition, removed: files.map((f) => f.path), added: added.path });
      } catch (e) {
        await table.storage.delete(`${table.table}/${added.path}`, { signal });
        if (!(e instanceof PipelineError && e.code === 'Conflict')) throw e;
      }
    }
    return results;
  });
}

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

/** Deletes data files no version younger than `retentionMs` references. Returns the deleted paths. */
export async function vacuumTable(table: LakeTable, options: VacuumOptions): Promise<string[]> {
  const { signal } = options;
  const cutoff = (options.now ?? Date.now)() - options.retentionMs;
  const state = await table.state();
  const keep = new Set(state.files.keys());
  // A file removed after the cutoff is still part of versions younger than retention (time travel).
  for (const [path, t] of state.tombstones) if (t.deletionTimestamp >= cutoff) keep.add(path);
  const root = `${table.table}/`;
  const doomed: string[] = [];
  for await (const item of listAll(table.storage, { prefix: root, signal })) {
    if (item.key.startsWith(logPrefix(table.table))) continue;
    const path = item.key.slice(root.length);
    if (keep.has(path)) continue;
    // Unreferenced but young: possibly the files of a commit still in progress.
    if (!state.tombstones.has(path) && item.lastModified.getTime() >= cutoff) continue;
    doomed.push(path);
  }
  if (!options.dryRun && doomed.length > 0) {
    for (let i = 0; i < doomed.length; i += 1000) await table.storage.deleteMany(doomed.slice(i, i + 1000).map((p) => root + p), { signal });
  }
  return doomed;
}
