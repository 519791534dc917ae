/**
 * Compaction (Delta's OPTIMIZE): a partition's small files are rewritten into one and committed as one
 * version of `add` + `remove` actions with `dataChange: false` ("Add File and Remove File": the records of
 * the added file are those of the removed ones), so a reader sees either the small files or the big one,
 * never both or neither, and streaming readers skip the version. Values are carried in their physical form,
 * so nothing is rounded on the way (microseconds, longs beyond 2^53, decimal digits). The removed files stay
 * in storage, as tombstones, until vacuum.
 */
import { PipelineError } from '../errors.ts';
import { readStream } from '../internal/streams.ts';
import { commitEntry } from './commit.ts';
import type { AddAction, RemoveAction } from './delta/actions.ts';
import { schemaOf } from './delta/state.ts';
import type { TableState } from './delta/state.ts';
import { partitionPath, toLakeFile, writeDataFiles } from './files.ts';
import type { LakeFile } from './files.ts';
import { readParquetRows } from './parquet/io.ts';
import { conformValue } from './schema/conform.ts';
import type { PhysicalRow } from './schema/conform.ts';
import { decodePartitionValue } from './schema/decode.ts';
import { physicalRow } from './schema/physical.ts';
import type { LakePrimitiveType, LakeSchema } from './schema/types.ts';
import { schemaToString } from './schema/types.ts';
import type { LakeTable } from './table.ts';

/** Options of {@link compactTable}. */
export interface CompactOptions {
  /** Files at most this size (bytes) count as small. @default 8 MiB */
  smallFileBytes?: number;
  /** Compact a partition only when it has at least this many small files. @default 2 */
  minFiles?: number;
  /** Rows per written file at most. @default 1000000 */
  maxRecordsPerFile?: number;
  signal?: AbortSignal;
}

/** One compaction commit. */
export interface CompactResult {
  version: number;
  /** The partition directory (`dt=2026-11-22`; empty for an unpartitioned table). */
  partition: string;
  /** Paths (relative to the table) of the files removed. */
  removed: string[];
  /** Path of the file added. */
  added: string;
}

async function physicalRows(table: LakeTable, state: TableState, schema: LakeSchema, file: LakeFile, signal?: AbortSignal): Promise<PhysicalRow[]> {
  const res = await table.storage.get(`${table.table}/${file.path}`, { ...(file.etag === undefined ? {} : { ifMatch: file.etag }), signal });
  const partitionColumns = state.metadata?.partitionColumns ?? [];
  return (await readParquetRows(await readStream(res.body), { exact: true })).map((raw) => {
    const row = physicalRow(schema, raw);
    for (const field of schema.fields) {
      if (row[field.name] !== undefined) continue;
      // Missing from the file: a partition column (from the log) or a column the file predates (null).
      const logical = partitionColumns.includes(field.name) ? decodePartitionValue(field.type as LakePrimitiveType, file.partition[field.name], field.name) : null;
      row[field.name] = conformValue(field.type, true, logical, field.name);
    }
    return row;
  });
}

/**
 * Compacts each partition's small files into one file per partition, one commit per partition. A concurrent
 * compaction that removed the same files first makes this one fail with `PipelineError('Conflict')` for that
 * partition; its new file is deleted and the partition skipped. Legacy tables are converted first.
 */
export async function compactTable(table: LakeTable, options: CompactOptions = {}): Promise<CompactResult[]> {
  const small = options.smallFileBytes ?? 8 * 1024 * 1024;
  const minFiles = options.minFiles ?? 2;
  const { signal } = options;
  return table.exclusive(async (state) => {
    const schema = schemaOf(state);
    if (schema === undefined) return []; // no table yet
    const partitionColumns = state.metadata!.partitionColumns;
    const byPartition = new Map<string, LakeFile[]>();
    for (const file of [...state.files.values()].map(toLakeFile)) {
      if (file.size > small) continue;
      const key = partitionPath(file.partition);
      byPartition.set(key, [...(byPartition.get(key) ?? []), file]);
    }
    const results: CompactResult[] = [];
    for (const [partition, files] of [...byPartition].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (files.length < minFiles) continue;
      files.sort((a, b) => (a.path < b.path ? -1 : 1));
      const rows: PhysicalRow[] = [];
      for (const f of files) rows.push(...(await physicalRows(table, state, schema, f, signal)));
      const added: AddAction[] = await writeDataFiles({ storage: table.storage, table: table.table, schema, partitionColumns, maxRecordsPerFile: options.maxRecordsPerFile ?? 1_000_000, signal }, rows);
      const now = Date.now();
      const remove: RemoveAction[] = files.map((f) => ({ path: f.action.path, deletionTimestamp: now, dataChange: false, extendedFileMetadata: true, partitionValues: f.action.partitionValues, size: f.size }));
      try {
        const outcome = await commitEntry(table.storage, state, {
          operation: 'OPTIMIZE',
          operationParameters: { predicate: JSON.stringify(partition === '' ? [] : [partition]) },
          schemaString: schemaToString(schema),
          txn: [],
          add: added.map((a) => ({ ...a, dataChange: false })),
          remove,
        }, { signal });
        results.push({ version: outcome.version, partition, removed: files.map((f) => f.path), added: toLakeFile(added[0]!).path });
      } catch (e) {
        await table.storage.deleteMany(added.map((a) => `${table.table}/${toLakeFile(a).path}`), { signal });
        if (!(e instanceof PipelineError && e.code === 'Conflict')) throw e;
      }
    }
    return results;
  });
}
