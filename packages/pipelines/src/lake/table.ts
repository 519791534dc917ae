/**
 * The lake table: Hive-style partitioned data files (`<table>/dt=2026-11-22/part-<txn>-0000.jsonl.gz`) made
 * visible by create-only log entries (see `log.ts`, `commit.ts`). A batch is written as new files, then
 * committed with the caller's transaction id, so:
 * - a crash before the commit leaves only unreferenced files: readers never see them, vacuum removes them;
 * - a retried batch (same `appId` and `txnVersion`) commits at most once, even across processes;
 * - of two writers racing for a version, one commits it and the other commits the next.
 */
import { randomBytes } from 'node:crypto';
import type { Storage } from '@strata/storage';
import { FORMAT_CONTENT_TYPE, FORMAT_EXTENSION, encodeRecords } from './formats.ts';
import type { LakeFormat, LakeRecord } from './formats.ts';
import type { AddFile, TableState } from './log.ts';
import { catchUpState, emptyState } from './log.ts';
import { commitEntry } from './commit.ts';
import type { CommitOutcome } from './commit.ts';

/** How records map to partition columns: field names (values stringified), or a function. */
export type PartitionBy = readonly string[] | ((record: LakeRecord) => Record<string, string>);

/** Options of {@link createLakeTable}. */
export interface LakeTableOptions {
  /** The table's key prefix (no trailing slash). */
  table: string;
  /** Partition columns. @default [] (unpartitioned) */
  partitionBy?: PartitionBy;
  /** Format of new data files. @default 'jsonl' */
  format?: LakeFormat;
  /** Records per data file at most (a partition's batch is split beyond it). @default 100000 */
  maxRecordsPerFile?: number;
  signal?: AbortSignal;
}

/** Options of {@link LakeTable.append}. */
export interface AppendOptions {
  /** The writing application (Delta's `txn.appId`). */
  appId: string;
  /**
   * The batch's number within the application (Delta's `txn.version`). Versions of one appId must be
   * committed in increasing order: as in Delta, a version at or below the highest committed one for the appId
   * counts as committed, so the retry of the in-flight batch is dropped — and so would be an older batch
   * submitted after a newer one.
   */
  txnVersion: number;
}

/** The result of {@link LakeTable.append}. */
export interface AppendResult extends CommitOutcome {
  /** Files the commit added (empty for a duplicate). */
  files: AddFile[];
}

/** A lake table opened for writing. */
export interface LakeTable {
  readonly table: string;
  readonly storage: Storage;
  /** Writes the batch's files and commits them, once per (appId, txnVersion). */
  append(records: readonly LakeRecord[], options: AppendOptions): Promise<AppendResult>;
  /** The writer's view of the table, caught up with the log. */
  state(): Promise<TableState>;
  /**
   * Runs `fn` with the writer's state caught up with the log, excluding this writer's other operations (one
   * table object may be shared by concurrent callers; separate writers race through the log instead).
   */
  exclusive<T>(fn: (state: TableState) => Promise<T>): Promise<T>;
  /** Writes data files without committing them (for compaction and for tests of crashed writers). */
  writeFiles(records: readonly LakeRecord[], format?: LakeFormat): Promise<AddFile[]>;
}

/** Escapes a partition value as Hive does for path names: `/`, `=`, `%` and other specials become `%XX`. */
export function escapePartitionValue(value: string): string {
  if (value === '') return '__HIVE_DEFAULT_PARTITION__';
  return value.replace(/[^A-Za-z0-9._\- :+]/g, (c) => [...Buffer.from(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}

/** The `k=v/k2=v2` path of a partition (empty for an unpartitioned table). */
export function partitionPath(partition: Record<string, string>): string {
  return Object.entries(partition).map(([k, v]) => `${escapePartitionValue(k)}=${escapePartitionValue(v)}`).join('/');
}

/** Opens a table for writing (nothing is written until the first append). */
export function createLakeTable(storage: Storage, options: LakeTableOptions): LakeTable {
  const { table, signal } = options;
  if (table === '' || table.endsWith('/')) throw new TypeError(`table must be non-empty without a trailing '/': ${table}`);
  const format = options.format ?? 'jsonl';
  const maxPerFile = options.maxRecordsPerFile ?? 100_000;
  const by = options.partitionBy ?? [];
  const partitionOf = typeof by === 'function' ? by : (r: LakeRecord) => Object.fromEntries(by.map((f) => [f, r[f] === undefined || r[f] === null ? '' : String(r[f])]));
  const state = emptyState();
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: (s: TableState) => Promise<T>): Promise<T> => {
    const run = queue.then(async () => fn(await catchUpState(storage, table, state, undefined, signal)));
    queue = run.catch(() => undefined);
    return run;
  };

  async function writeFiles(records: readonly LakeRecord[], fileFormat = format): Promise<AddFile[]> {
    const groups = new Map<string, { partition: Record<string, string>; records: LakeRecord[] }>();
    for (const r of records) {
      const partition = partitionOf(r);
      const path = partitionPath(partition);
      const g = groups.get(path) ?? { partition, records: [] };
      g.records.push(r);
      groups.set(path, g);
    }
    // A fresh id per attempt: a retry never collides with files of an attempt that crashed before committing.
    const txn = `${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
    const added: AddFile[] = [];
    let n = 0;
    for (const [dir, g] of groups) {
      for (let i = 0; i < g.records.length; i += maxPerFile) {
        const chunk = g.records.slice(i, i + maxPerFile);
        const name = `part-${txn}-${String(n++).padStart(4, '0')}.${FORMAT_EXTENSION[fileFormat]}`;
        const path = dir === '' ? name : `${dir}/${name}`;
        const bytes = encodeRecords(chunk, fileFormat);
        const info = await storage.put(`${table}/${path}`, bytes, {
          ifNoneMatch: '*',
          contentType: FORMAT_CONTENT_TYPE[fileFormat],
          ...(fileFormat === 'jsonl' ? { contentEncoding: 'gzip' } : {}),
          signal,
        });
        added.push({ path, partition: g.partition, size: bytes.length, records: chunk.length, format: fileFormat, etag: info.etag });
      }
    }
    return added;
  }

  return {
    table,
    storage,
    writeFiles,
    exclusive,
    state: () => exclusive(async (s) => s),
    append: (records, appendOptions) => exclusive(async () => {
      const { appId, txnVersion } = appendOptions;
      if (!Number.isSafeInteger(txnVersion) || txnVersion < 0) throw new RangeError(`txnVersion must be a non-negative integer: ${txnVersion}`);
      // Already committed (a retry after a crash that followed the commit): write nothing at all.
      if ((state.txns.get(appId) ?? -1) >= txnVersion) return { version: state.version, duplicate: true, files: [] };
      const files = await writeFiles(records);
      const outcome = await commitEntry(storage, table, state, { operation: 'append', txn: { appId, version: txnVersion }, add: files, remove: [] }, { signal });
      if (outcome.duplicate) {
        // Another attempt of this batch won: ours are unreferenced, so remove them now (vacuum would, later).
        await storage.deleteMany(files.map((f) => `${table}/${f.path}`), { signal });
        return { ...outcome, files: [] };
      }
      return { ...outcome, files };
    }),
  };
}
