/**
 * Data files: Hive-style partition directories (`dt=2026-11-22/part-<id>-0000.parquet`), partition values in
 * the log's string form (PROTOCOL.md, "Partition Value Serialization"), the writing of a batch's files, and
 * the {@link LakeFile} view of an `add` action. Every file gets a fresh name per attempt ("Data files MUST be
 * uniquely named and MUST NOT be overwritten") and is written create-only, before any commit names it.
 * Files keep the partition columns in their rows too, so a tool that reads them without the log still sees
 * whole records; Delta readers take the values from `partitionValues` and ignore the copies.
 */
import { randomBytes } from 'node:crypto';
import type { Storage } from '@strata/storage';
import type { AddAction } from './delta/actions.ts';
import { decodeDataPath, encodeDataPath } from './delta/actions.ts';
import { ETAG_TAG, FORMAT_TAG } from './legacy.ts';
import type { LegacyFormat } from './legacy.ts';
import { writeParquet } from './parquet/io.ts';
import type { PhysicalRow } from './schema/conform.ts';
import { formatDate, formatDecimal, formatTimestampMicros } from './schema/scalars.ts';
import { decimalOf } from './schema/types.ts';
import type { LakeSchema, LakeType } from './schema/types.ts';
import { fileStats, parseStats } from './stats.ts';
import type { FileStats } from './stats.ts';

/** A live data file of a table, as its `add` action describes it. */
export interface LakeFile {
  /** The storage key relative to the table (the log's `path`, URI-decoded). */
  path: string;
  /** Partition values in the log's string form; null for a null value. */
  partition: Record<string, string | null>;
  size: number;
  /** Rows in the file, from its statistics (absent when the writer kept none). */
  records?: number;
  /** Epoch ms. */
  modificationTime: number;
  /** `parquet`, or `jsonl` for files of legacy tables. */
  format: LegacyFormat;
  /** The ETag the file had when committed (files written by this package). */
  etag?: string;
  stats?: FileStats;
  /** The `add` action as logged. */
  action: AddAction;
}

/** The {@link LakeFile} of an `add` action. */
export function toLakeFile(add: AddAction): LakeFile {
  const stats = parseStats(add.stats);
  const tags = add.tags ?? {};
  const file: LakeFile = { path: decodeDataPath(add.path), partition: add.partitionValues ?? {}, size: add.size, modificationTime: add.modificationTime, format: tags[FORMAT_TAG] === 'jsonl' ? 'jsonl' : 'parquet', action: add };
  if (stats !== undefined) Object.assign(file, { records: stats.numRecords, stats });
  if (tags[ETAG_TAG] !== undefined) file.etag = tags[ETAG_TAG];
  return file;
}

/** Escapes a partition value as Hive does for path names: `/`, `=`, `:`, `%` and other specials become `%XX`. */
export function escapePartitionValue(value: string): string {
  if (value === '') return '__HIVE_DEFAULT_PARTITION__';
  return value.replace(/[^A-Za-z0-9._\- +]/g, (c) => [...Buffer.from(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}

/** The `k=v/k2=v2` directory of a partition (empty for an unpartitioned table); null is Hive's default partition. */
export function partitionPath(partition: Record<string, string | null>): string {
  return Object.entries(partition).map(([k, v]) => `${escapePartitionValue(k)}=${escapePartitionValue(v ?? '')}`).join('/');
}

/**
 * The log form of a partition value, from its physical form: numbers as their decimal string, dates as
 * `YYYY-MM-DD`, timestamps as ISO 8601 in UTC (the form the protocol recommends), decimals exactly. An empty
 * string is null, as the protocol reads it.
 */
export function partitionValueString(type: LakeType, value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  const decimal = decimalOf(type);
  if (decimal !== undefined) return formatDecimal(value as bigint, decimal.scale);
  if (type === 'date') return formatDate(value as number);
  if (type === 'timestamp') return formatTimestampMicros(value as bigint);
  return String(value);
}

/** Where and how to write a batch's data files. */
export interface DataFileTarget {
  storage: Storage;
  table: string;
  schema: LakeSchema;
  partitionColumns: readonly string[];
  maxRecordsPerFile: number;
  signal?: AbortSignal;
}

/** Writes `rows` (already conformed to the schema) as new files, one or more per partition; nothing is committed. */
export async function writeDataFiles(target: DataFileTarget, rows: readonly PhysicalRow[]): Promise<AddAction[]> {
  const { storage, table, schema, partitionColumns, maxRecordsPerFile, signal } = target;
  const types = new Map(schema.fields.map((f) => [f.name, f.type]));
  const groups = new Map<string, { partition: Record<string, string | null>; rows: PhysicalRow[] }>();
  for (const row of rows) {
    const partition = Object.fromEntries(partitionColumns.map((c) => [c, partitionValueString(types.get(c)!, row[c])]));
    const dir = partitionPath(partition);
    const group = groups.get(dir) ?? { partition, rows: [] };
    group.rows.push(row);
    groups.set(dir, group);
  }
  // A fresh id per attempt: a retry never collides with files of an attempt that crashed before committing.
  const id = `${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
  const added: AddAction[] = [];
  let n = 0;
  for (const [dir, group] of groups) {
    for (let i = 0; i < group.rows.length; i += maxRecordsPerFile) {
      const chunk = group.rows.slice(i, i + maxRecordsPerFile);
      const name = `part-${id}-${String(n++).padStart(4, '0')}.parquet`;
      const relative = dir === '' ? name : `${dir}/${name}`;
      const bytes = writeParquet(chunk, schema);
      const info = await storage.put(`${table}/${relative}`, bytes, { ifNoneMatch: '*', contentType: 'application/vnd.apache.parquet', signal });
      added.push({
        path: encodeDataPath(relative),
        partitionValues: group.partition,
        size: bytes.length,
        modificationTime: info.lastModified.getTime(),
        dataChange: true,
        stats: fileStats(chunk, schema, partitionColumns),
        tags: { [ETAG_TAG]: info.etag },
      });
    }
  }
  return added;
}
