/**
 * Rewriting a table of the earlier `_log/` format as a Delta table: every live record is read back (legacy
 * files are gzip'd JSON Lines or untyped Parquet), checked against the declared schema or one inferred from
 * them, and written as new typed Parquet files; version 0 of `_delta_log/` then commits `protocol`,
 * `metaData`, the files, and the legacy table's `txn` versions, so retried batches stay deduplicated across
 * the change. Two writers converting at once race for version 0 like any commit: the loser finds the same
 * `txn`s committed, counts itself a duplicate and deletes its files. The legacy files and `_log/` stay
 * untouched (older readers keep reading them); vacuum deletes the legacy files once they are older than
 * its retention period, as it does any file no Delta version references.
 */
import type { Storage } from '@strata/storage';
import { PipelineError } from '../errors.ts';
import { readStream } from '../internal/streams.ts';
import { commitEntry } from './commit.ts';
import { loadState } from './delta/log-reader.ts';
import { emptyState } from './delta/state.ts';
import type { TableState } from './delta/state.ts';
import { toLakeFile, writeDataFiles } from './files.ts';
import { decodeLegacyFile } from './legacy.ts';
import { conformRecords } from './schema/conform.ts';
import type { LakeRecord } from './schema/conform.ts';
import { inferSchema } from './schema/infer.ts';
import { normalizeSchema, schemaToString } from './schema/types.ts';
import type { LakeSchema } from './schema/types.ts';
import { newTableActions } from './table-metadata.ts';
import type { NewTableSettings } from './table-metadata.ts';

/** What {@link convertLegacyTable} needs of the writer. */
export interface LegacyConversion {
  storage: Storage;
  /** The table replayed from its legacy log. */
  state: TableState;
  declared?: LakeSchema;
  partitionBy: readonly string[];
  maxRecordsPerFile: number;
  options: NewTableSettings;
  signal?: AbortSignal;
}

/** Converts a legacy table (see the module header) and returns the Delta table's state. */
export async function convertLegacyTable(c: LegacyConversion): Promise<TableState> {
  const { storage, state, partitionBy, signal } = c;
  const { table } = state;
  const records: LakeRecord[] = [];
  for (const add of [...state.files.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const file = toLakeFile(add);
    const res = await storage.get(`${table}/${file.path}`, { ifMatch: file.etag, signal });
    records.push(...(await decodeLegacyFile(await readStream(res.body), file.format)));
  }
  if (records.length === 0 && c.declared === undefined) {
    throw new PipelineError('SchemaMismatch', `legacy table '${table}' has no records to infer a schema from; declare a schema to convert it`);
  }
  const schema = c.declared ?? normalizeSchema(inferSchema(records, partitionBy), partitionBy);
  const add = await writeDataFiles({ storage, table, schema, partitionColumns: partitionBy, maxRecordsPerFile: c.maxRecordsPerFile, signal }, conformRecords(records, schema));
  const created = newTableActions(schema, c.options, partitionBy);
  const deleteOurs = () => storage.deleteMany(add.map((a) => `${table}/${toLakeFile(a).path}`), { signal });
  try {
    const outcome = await commitEntry(storage, emptyState(table), {
      operation: 'CONVERT',
      operationParameters: { from: 'strata.lake.log/1', legacyVersion: String(state.version) },
      ...created,
      schemaString: schemaToString(schema),
      txn: [...state.txns.values()].map(({ appId, version }) => ({ appId, version })),
      add,
      remove: [],
    }, { signal });
    if (outcome.duplicate) await deleteOurs();
  } catch (e) {
    if (e instanceof PipelineError && e.code === 'Conflict') await deleteOurs();
    throw e;
  }
  return loadState(storage, table, { signal });
}
