/**
 * Optimistic commits to the Delta log. Version N+1 is written as `_delta_log/<N+1>.json` create-only
 * (`ifNoneMatch: '*'`), the one thing the protocol needs from storage ("Creation of New Log Entries": writers
 * "MUST never overwrite an existing log entry" and should use the store's atomic primitives for it), and
 * every adapter of the storage contract gives it atomically. On `AlreadyExists` the writer reads the commits
 * that won and checks them before trying the next version:
 * - a `txn` already committed for the same application at the same or a later version means the batch is in
 *   the table ("Transaction Identifiers"): the commit is a duplicate and is dropped;
 * - a commit that removes files (compaction) conflicts when a winner removed any of them first;
 * - a commit creating the table joins a table created meanwhile only if schema and partitioning are the
 *   same; data files written for another schema than the table's conflict.
 * After a commit, every `delta.checkpointInterval` versions (default 10) a checkpoint is written.
 */
import { randomUUID } from 'node:crypto';
import type { Storage } from '@strata/storage';
import { PipelineError } from '../errors.ts';
import { hasErrorCode } from '../internal/objects.ts';
import type { AddAction, CommitActions, MetadataAction, ProtocolAction, RemoveAction, TxnAction } from './delta/actions.ts';
import { serializeCommit } from './delta/actions.ts';
import { writeCheckpoint } from './delta/checkpoint.ts';
import { commitKey } from './delta/log-keys.ts';
import { catchUpState } from './delta/log-reader.ts';
import { assertWritable } from './delta/protocol.ts';
import { applyCommit, schemaOf, txnVersionOf } from './delta/state.ts';
import type { TableState } from './delta/state.ts';
import { sameSchema, schemaFromString } from './schema/types.ts';

/** Written into `commitInfo.engineInfo`. */
export const ENGINE_INFO = 'strata-pipelines';

/** Default of `delta.checkpointInterval`. */
export const DEFAULT_CHECKPOINT_INTERVAL = 10;

/** What a commit is made of, before it has a version. */
export interface PendingCommit {
  /** `commitInfo.operation`: `WRITE`, `OPTIMIZE`, `CONVERT`. */
  operation: string;
  operationParameters?: Record<string, string>;
  /** Set when the commit creates the table. */
  protocol?: ProtocolAction;
  /** Set when the commit creates the table. */
  metaData?: MetadataAction;
  /** The schema the added files were written for; the commit conflicts if the table's is another one. */
  schemaString?: string;
  txn: TxnAction[];
  add: AddAction[];
  remove: RemoveAction[];
}

/** The outcome of {@link commitEntry}. */
export interface CommitOutcome {
  /** The version the commit got, or the table version when it was a duplicate. */
  version: number;
  /** True when a `txn` of the commit was already committed: nothing was written to the log. */
  duplicate: boolean;
}

/** Options of {@link commitEntry}. */
export interface CommitOptions {
  /** Versions to try before giving up with `Conflict`. @default 100 */
  maxAttempts?: number;
  signal?: AbortSignal;
}

function sameTable(a: MetadataAction, b: MetadataAction): boolean {
  return sameSchema(schemaFromString(a.schemaString), schemaFromString(b.schemaString)) && JSON.stringify(a.partitionColumns) === JSON.stringify(b.partitionColumns);
}

function checkAgainst(state: TableState, pending: PendingCommit): CommitActions {
  const { table } = state;
  let { protocol, metaData } = pending;
  if (state.metadata !== undefined && metaData !== undefined) {
    if (!sameTable(state.metadata, metaData)) throw new PipelineError('Conflict', `table '${table}' was created meanwhile with another schema or partitioning`);
    protocol = undefined; // the table exists: join it
    metaData = undefined;
  }
  if (state.metadata === undefined && metaData === undefined) throw new PipelineError('Conflict', `table '${table}' has no metaData action to commit against`);
  if (state.protocol !== undefined) assertWritable(state.protocol, state.metadata, table);
  const tableSchema = schemaOf(state) ?? (metaData && schemaFromString(metaData.schemaString));
  if (pending.schemaString !== undefined && tableSchema !== undefined && !sameSchema(tableSchema, schemaFromString(pending.schemaString))) {
    throw new PipelineError('Conflict', `table '${table}': the schema changed while the files were written`);
  }
  const gone = pending.remove.filter((r) => !state.files.has(r.path));
  if (gone.length > 0) throw new PipelineError('Conflict', `table '${table}': ${gone.length} file(s) to remove were removed by another commit (${gone[0]!.path})`);
  const now = Date.now();
  return {
    commitInfo: {
      timestamp: now,
      operation: pending.operation,
      operationParameters: pending.operationParameters ?? {},
      ...(state.version >= 0 ? { readVersion: state.version } : {}),
      isBlindAppend: pending.remove.length === 0,
      engineInfo: ENGINE_INFO,
      txnId: randomUUID(),
    },
    protocol,
    metaData,
    txn: pending.txn.map((t) => ({ ...t, lastUpdated: now })),
    add: pending.add,
    remove: pending.remove,
  };
}

/** Checkpoints after `version` when the interval says so; a failed checkpoint leaves the commit as it is. */
async function maybeCheckpoint(storage: Storage, state: TableState, signal?: AbortSignal): Promise<void> {
  const interval = Number(state.metadata?.configuration['delta.checkpointInterval'] ?? DEFAULT_CHECKPOINT_INTERVAL);
  if (!(Number.isSafeInteger(interval) && interval > 0) || state.version === 0 || state.version % interval !== 0) return;
  try {
    await writeCheckpoint(storage, state, { signal });
  } catch (e) {
    // Checkpoints only shorten replays; readers list past a missing one. The next interval tries again.
    if (signal?.aborted) throw e;
  }
}

/** Races for the next log version until the commit lands, is found to be a duplicate, or conflicts. */
export async function commitEntry(storage: Storage, state: TableState, pending: PendingCommit, options: CommitOptions = {}): Promise<CommitOutcome> {
  const { signal } = options;
  const maxAttempts = options.maxAttempts ?? 100;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    if (pending.txn.some((t) => txnVersionOf(state, t.appId) >= t.version)) return { version: state.version, duplicate: true };
    const actions = checkAgainst(state, pending);
    const version = state.version + 1;
    try {
      await storage.put(commitKey(state.table, version), serializeCommit(actions), { ifNoneMatch: '*', contentType: 'application/x-ndjson', signal });
    } catch (e) {
      if (!hasErrorCode(e, 'AlreadyExists')) throw e;
      await catchUpState(storage, state, undefined, signal); // read what won, then check again
      continue;
    }
    applyCommit(state, version, actions);
    await maybeCheckpoint(storage, state, signal);
    return { version, duplicate: false };
  }
  throw new PipelineError('Conflict', `table '${state.table}': no free log version after ${maxAttempts} attempts`);
}
