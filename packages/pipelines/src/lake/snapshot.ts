/**
 * The snapshot reader: a table as of one version, replayed from its Delta log — checkpoint and commits
 * (`delta/log-reader.ts`) — or from the legacy `_log/` of a table not rewritten yet. Only files named by
 * committed `add` actions are read, so files of writers that crashed (or are still writing) are never seen;
 * a file this package wrote is read with `ifMatch` on the ETag its commit recorded. Records come back in the
 * table schema's JavaScript forms (`schema/decode.ts`); a partition column a file does not hold (files of
 * other Delta writers leave them out) is filled in from the `add` action's `partitionValues`.
 */
import type { Storage } from '@strata/storage';
import { readStream } from '../internal/streams.ts';
import type { MetadataAction, ProtocolAction } from './delta/actions.ts';
import { loadState } from './delta/log-reader.ts';
import { schemaOf, txnVersionOf } from './delta/state.ts';
import type { TableState } from './delta/state.ts';
import { toLakeFile } from './files.ts';
import type { LakeFile } from './files.ts';
import { decodeLegacyFile } from './legacy.ts';
import { readParquetRows } from './parquet/io.ts';
import { decodePartitionValue, decodeRow } from './schema/decode.ts';
import type { LakeRecord } from './schema/conform.ts';
import type { LakePrimitiveType, LakeSchema } from './schema/types.ts';

/** Options of {@link openSnapshot}. */
export interface SnapshotOptions {
  table: string;
  /** The version to read (time travel); `PipelineError('VersionNotFound')` if the log has none. @default the latest */
  version?: number;
  signal?: AbortSignal;
}

/** Selects partitions by their values (log string form; null for a null value). */
export type PartitionFilter = (partition: Record<string, string | null>) => boolean;

/** A read-only view of a table at one version. */
export interface LakeSnapshot {
  readonly table: string;
  /** The version; -1 when the table has no commit yet. */
  readonly version: number;
  /** The table schema; `undefined` for an empty table and for a legacy one (which had none). */
  readonly schema: LakeSchema | undefined;
  readonly partitionColumns: readonly string[];
  readonly protocol: ProtocolAction | undefined;
  readonly metadata: MetadataAction | undefined;
  /** True when the table is still in the legacy `_log/` format. */
  readonly legacy: boolean;
  /** The live data files, in path order. */
  files(filter?: PartitionFilter): LakeFile[];
  /** The highest committed txn version of an application, or -1 (Delta's `txn` lookup). */
  txnVersion(appId: string): number;
  /** Every record of the live files (optionally of matching partitions), file by file in path order. */
  records(filter?: PartitionFilter): AsyncGenerator<LakeRecord>;
  /** The replayed state (files, tombstones, txns), for maintenance and inspection. */
  state(): TableState;
}

/** Reads one data file into records of the table. */
export async function readDataFile(storage: Storage, state: TableState, file: LakeFile, signal?: AbortSignal): Promise<LakeRecord[]> {
  const res = await storage.get(`${state.table}/${file.path}`, { ...(file.etag === undefined ? {} : { ifMatch: file.etag }), signal });
  const bytes = await readStream(res.body);
  const schema = schemaOf(state);
  if (schema === undefined) return decodeLegacyFile(bytes, file.format);
  const partitionColumns = state.metadata?.partitionColumns ?? [];
  return (await readParquetRows(bytes)).map((row) => {
    const record = decodeRow(schema, row);
    for (const column of partitionColumns) {
      if (row[column] !== undefined) continue; // the file holds it
      const type = schema.fields.find((f) => f.name === column)!.type as LakePrimitiveType;
      record[column] = decodePartitionValue(type, file.partition[column], column);
    }
    return record;
  });
}

/** Opens a snapshot of a table. */
export async function openSnapshot(storage: Storage, options: SnapshotOptions): Promise<LakeSnapshot> {
  const { table, signal } = options;
  const state = await loadState(storage, table, { version: options.version, signal });
  const files = (filter?: PartitionFilter) =>
    [...state.files.values()].map(toLakeFile).filter((f) => filter === undefined || filter(f.partition)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    table,
    version: state.version,
    schema: schemaOf(state),
    partitionColumns: state.metadata?.partitionColumns ?? [],
    protocol: state.protocol,
    metadata: state.metadata,
    legacy: state.legacy,
    files,
    txnVersion: (appId) => txnVersionOf(state, appId),
    state: () => state,
    async *records(filter) {
      for (const f of files(filter)) yield* await readDataFile(storage, state, f, signal);
    },
  };
}
