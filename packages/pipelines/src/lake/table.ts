/**
 * The lake table writer: a Delta Lake table (PROTOCOL.md) of Hive-partitioned Parquet files under
 * `<table>/`, made visible by create-only commits under `<table>/_delta_log/` (`commit.ts`). A batch is
 * checked against the table schema, written as new files, then committed with the caller's `txn`, so:
 * - a record that does not fit the schema fails the batch before anything is written;
 * - a crash before the commit leaves only unreferenced files: readers never see them, vacuum removes them;
 * - a retried batch (same `appId` and `txnVersion`) commits at most once, even across processes;
 * - of two writers racing for a version, one commits it and the other commits the next.
 * The first commit creates the table: `protocol`, `metaData` (the declared schema, or one inferred from the
 * first batch and enforced from then on) and the batch. A table of the earlier `_log/` format is rewritten
 * into a Delta table by the first operation of a writer (`legacy-convert.ts`).
 */
import type { Storage } from '@strata/storage';
import { PipelineError } from '../errors.ts';
import { catchUpState } from './delta/log-reader.ts';
import { emptyState, schemaOf, txnVersionOf } from './delta/state.ts';
import type { TableState } from './delta/state.ts';
import { commitEntry } from './commit.ts';
import type { CommitOutcome } from './commit.ts';
import { toLakeFile, writeDataFiles } from './files.ts';
import type { LakeFile } from './files.ts';
import { convertLegacyTable } from './legacy-convert.ts';
import { conformRecords } from './schema/conform.ts';
import type { LakeRecord } from './schema/conform.ts';
import { inferSchema } from './schema/infer.ts';
import { normalizeSchema, sameSchema, schemaToString, typeName } from './schema/types.ts';
import { newTableActions } from './table-metadata.ts';
import type { NewTableSettings } from './table-metadata.ts';
import type { LakeSchema } from './schema/types.ts';

/** Options of {@link createLakeTable}. */
export interface LakeTableOptions extends NewTableSettings {
  /** The table's key prefix (no trailing slash). */
  table: string;
  /** Partition columns (Delta's `partitionColumns`): columns of the schema. @default [] (unpartitioned) */
  partitionBy?: readonly string[];
  /**
   * The table schema. When the table exists it must match the logged one; when omitted, the first batch's
   * schema is inferred (`schema/infer.ts`) and enforced from then on. @default inferred
   */
  schema?: LakeSchema;
  /** Data file format: Delta tables hold Parquet. @default 'parquet' */
  format?: 'parquet';
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
   * committed in increasing order: as with Delta's streaming sink, a version at or below the highest
   * committed one for the appId counts as committed, so the retry of the in-flight batch is dropped — and so
   * would be an older batch submitted after a newer one.
   */
  txnVersion: number;
}

/** The result of {@link LakeTable.append}. */
export interface AppendResult extends CommitOutcome {
  /** Files the commit added (empty for a duplicate). */
  files: LakeFile[];
}

/** A lake table opened for writing. */
export interface LakeTable {
  readonly table: string;
  readonly storage: Storage;
  readonly partitionBy: readonly string[];
  /** Checks the batch against the schema, writes its files and commits them, once per (appId, txnVersion). */
  append(records: readonly LakeRecord[], options: AppendOptions): Promise<AppendResult>;
  /** The writer's view of the table, caught up with the log. */
  state(): Promise<TableState>;
  /**
   * Runs `fn` with the writer's state caught up with the log (a legacy table converted first), excluding this
   * writer's other operations (one table object may be shared by concurrent callers; separate writers race
   * through the log instead).
   */
  exclusive<T>(fn: (state: TableState) => Promise<T>): Promise<T>;
  /** Writes data files of the table's schema without committing them (for tests of crashed writers). */
  writeFiles(records: readonly LakeRecord[]): Promise<LakeFile[]>;
}

function validateOptions(options: LakeTableOptions): { partitionBy: string[]; schema?: LakeSchema } {
  const { table } = options;
  if (typeof table !== 'string' || table === '' || table.endsWith('/')) throw new TypeError(`table must be non-empty without a trailing '/': ${table}`);
  if (options.format !== undefined && options.format !== 'parquet') throw new TypeError(`format '${String(options.format)}': Delta tables hold Parquet files (JSON Lines files are read only in legacy tables)`);
  if (!Array.isArray(options.partitionBy ?? [])) throw new TypeError('partitionBy must be a list of column names');
  const partitionBy = [...(options.partitionBy ?? [])];
  if (options.maxRecordsPerFile !== undefined && !(Number.isSafeInteger(options.maxRecordsPerFile) && options.maxRecordsPerFile > 0)) throw new RangeError(`maxRecordsPerFile must be a positive integer: ${options.maxRecordsPerFile}`);
  if (options.checkpointInterval !== undefined && !(Number.isSafeInteger(options.checkpointInterval) && options.checkpointInterval > 0)) throw new RangeError(`checkpointInterval must be a positive integer: ${options.checkpointInterval}`);
  return { partitionBy, ...(options.schema === undefined ? {} : { schema: normalizeSchema(options.schema, partitionBy) }) };
}

/** Opens a table for writing (nothing is written until the first operation). */
export function createLakeTable(storage: Storage, options: LakeTableOptions): LakeTable {
  const { table, signal } = options;
  const { partitionBy, schema: declared } = validateOptions(options);
  const maxRecordsPerFile = options.maxRecordsPerFile ?? 100_000;
  const state = emptyState(table);
  let queue: Promise<unknown> = Promise.resolve();

  const exclusive = <T>(fn: (s: TableState) => Promise<T>): Promise<T> => {
    const run = queue.then(async () => {
      await catchUpState(storage, state, undefined, signal);
      if (state.legacy) Object.assign(state, await convertLegacyTable({ storage, state, declared, partitionBy, maxRecordsPerFile, options, signal }));
      return fn(state);
    });
    queue = run.catch(() => undefined);
    return run;
  };

  /** The schema a batch is written with, and the actions creating the table when it does not exist yet. */
  function schemaFor(records: readonly LakeRecord[]): { schema: LakeSchema; creation?: ReturnType<typeof newTableActions> } {
    const logged = schemaOf(state);
    if (logged !== undefined) {
      if (declared !== undefined && !sameSchema(declared, logged)) {
        throw new PipelineError('SchemaMismatch', `table '${table}' has schema (${logged.fields.map((f) => `${f.name} ${typeName(f.type)}`).join(', ')}), not the declared one`);
      }
      const logPartitions = state.metadata!.partitionColumns;
      if (JSON.stringify(logPartitions) !== JSON.stringify(partitionBy)) throw new PipelineError('SchemaMismatch', `table '${table}' is partitioned by [${logPartitions.join(', ')}], not [${partitionBy.join(', ')}]`);
      return { schema: logged };
    }
    const schema = declared ?? normalizeSchema(inferSchema(records, partitionBy), partitionBy);
    return { schema, creation: newTableActions(schema, options, partitionBy) };
  }

  async function appendOnce(records: readonly LakeRecord[], appId: string, txnVersion: number): Promise<AppendResult> {
    const { schema, creation } = schemaFor(records);
    const rows = conformRecords(records, schema);
    const add = await writeDataFiles({ storage, table, schema, partitionColumns: partitionBy, maxRecordsPerFile, signal }, rows);
    try {
      const outcome = await commitEntry(storage, state, {
        operation: 'WRITE',
        operationParameters: { mode: 'Append', partitionBy: JSON.stringify(partitionBy) },
        ...creation,
        schemaString: schemaToString(schema),
        txn: [{ appId, version: txnVersion }],
        add,
        remove: [],
      }, { signal });
      // Another attempt of this batch won: ours are unreferenced, so remove them now (vacuum would, later).
      if (outcome.duplicate) await storage.deleteMany(add.map((a) => `${table}/${toLakeFile(a).path}`), { signal });
      return { ...outcome, files: outcome.duplicate ? [] : add.map(toLakeFile) };
    } catch (e) {
      if (e instanceof PipelineError && e.code === 'Conflict') await storage.deleteMany(add.map((a) => `${table}/${toLakeFile(a).path}`), { signal });
      throw e;
    }
  }

  return {
    table,
    storage,
    partitionBy,
    exclusive,
    state: () => exclusive(async (s) => s),
    writeFiles: (records) => exclusive(async () => {
      const { schema } = schemaFor(records);
      const add = await writeDataFiles({ storage, table, schema, partitionColumns: partitionBy, maxRecordsPerFile, signal }, conformRecords(records, schema));
      return add.map(toLakeFile);
    }),
    append: (records, appendOptions) => exclusive(async () => {
      const { appId, txnVersion } = appendOptions;
      if (typeof appId !== 'string' || appId === '') throw new TypeError('appId must be a non-empty string');
      if (!Number.isSafeInteger(txnVersion) || txnVersion < 0) throw new RangeError(`txnVersion must be a non-negative integer: ${txnVersion}`);
      // Already committed (a retry after a crash that followed the commit): write nothing at all.
      if (txnVersionOf(state, appId) >= txnVersion) return { version: state.version, duplicate: true, files: [] };
      const creating = state.metadata === undefined && declared === undefined;
      try {
        return await appendOnce(records, appId, txnVersion);
      } catch (e) {
        // Two writers created the table at once with differently inferred schemas: write again for the winner's.
        if (creating && e instanceof PipelineError && e.code === 'Conflict' && state.metadata !== undefined) return appendOnce(records, appId, txnVersion);
        throw e;
      }
    }),
  };
}
