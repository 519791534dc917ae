/**
 * Optimistic commits to the lake log (Delta's protocol, "Optimistic Concurrency"): read the latest version N,
 * write entry N+1 create-only; on `AlreadyExists` read the entries that won, check them for conflicts, and try
 * the next version. Two checks make retries safe:
 * - a `txn` already committed for the same application at the same or a later version means this batch is in
 *   the table: the commit is a duplicate and is dropped (its data files become garbage for vacuum);
 * - a commit that removes files (compaction) conflicts if a winner removed any of them first.
 */
import type { Storage } from '@strata/storage';
import { PipelineError } from '../errors.ts';
import { hasErrorCode, putJsonCreateOnly } from '../internal/objects.ts';
import type { LogEntry, TableState } from './log.ts';
import { applyEntry, catchUpState, logKey } from './log.ts';

/** What a commit is made of, before it has a version. */
export type PendingEntry = Omit<LogEntry, 'version' | 'format' | 'timestamp'>;

/** The outcome of {@link commitEntry}. */
export interface CommitOutcome {
  /** The version the entry was committed at, or the table version when it was a duplicate. */
  version: number;
  /** True when the same txn was already committed: nothing was written to the log. */
  duplicate: boolean;
}

/** Races for the next log version until the entry is committed, found to be a duplicate, or conflicts. */
export async function commitEntry(storage: Storage, table: string, state: TableState, pending: PendingEntry, options: { maxAttempts?: number; signal?: AbortSignal } = {}): Promise<CommitOutcome> {
  const { signal } = options;
  const maxAttempts = options.maxAttempts ?? 100;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const { txn } = pending;
    if (txn !== undefined && (state.txns.get(txn.appId) ?? -1) >= txn.version) return { version: state.version, duplicate: true };
    const gone = pending.remove.filter((r) => !state.files.has(r.path));
    if (gone.length > 0) throw new PipelineError('Conflict', `table '${table}': ${gone.length} file(s) to remove were removed by another commit (${gone[0]!.path})`);
    const version = state.version + 1;
    const entry: LogEntry = { format: 'strata.lake.log/1', version, timestamp: Date.now(), ...pending };
    try {
      await putJsonCreateOnly(storage, logKey(table, version), entry, signal);
      applyEntry(state, entry);
      return { version, duplicate: false };
    } catch (e) {
      if (!hasErrorCode(e, 'AlreadyExists')) throw e;
      await catchUpState(storage, table, state, undefined, signal); // read what won, then check again
    }
  }
  throw new PipelineError('Conflict', `table '${table}': no free log version after ${maxAttempts} attempts`);
}
