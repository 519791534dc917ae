/**
 * The lake's transaction log, after the Delta Lake protocol (PROTOCOL.md, "Delta Log Entries" and
 * "Transaction Identifiers"): one JSON entry per version at `<table>/_log/<version, 20 digits>.json`, each
 * written create-only, so of two writers racing for version N exactly one succeeds. An entry lists the data
 * files it adds and removes and, for appends, a `txn` (application id + application version) that makes a
 * retried batch commit at most once. The table at version N is the replay of entries 0..N.
 */
import type { Storage } from '@strata/storage';
import { getJson, listAll, padOffset } from '../internal/objects.ts';
import type { LakeFormat } from './formats.ts';

/** A data file added by a commit. Paths are relative to the table. */
export interface AddFile {
  path: string;
  partition: Record<string, string>;
  size: number;
  records: number;
  format: LakeFormat;
  etag: string;
}

/** A data file removed by a commit (compaction); deleted from storage only by vacuum, after retention. */
export interface RemoveFile {
  path: string;
  /** When the commit removing it was made, epoch ms. */
  deletionTimestamp: number;
}

/** One log entry (one table version). */
export interface LogEntry {
  format: 'strata.lake.log/1';
  version: number;
  /** Commit time, epoch ms. */
  timestamp: number;
  operation: 'append' | 'compact';
  /** Delta's `txn` action: the application's batch, committed at most once per (appId, version). */
  txn?: { appId: string; version: number };
  add: AddFile[];
  remove: RemoveFile[];
}

/** The table as of one version. */
export interface TableState {
  /** The version replayed up to; -1 for an empty table. */
  version: number;
  /** Live files by path. */
  files: Map<string, AddFile>;
  /** The highest committed txn version per application id. */
  txns: Map<string, number>;
  /** Files removed, with the removal time: kept for time travel until vacuum. */
  tombstones: Map<string, RemoveFile>;
  /** Commit time of every version (vacuum keeps what versions younger than retention reference). */
  timestamps: number[];
}

/** The key prefix of the log. */
export const logPrefix = (table: string): string => `${table}/_log/`;
/** The key of the entry of `version`. */
export const logKey = (table: string, version: number): string => `${logPrefix(table)}${padOffset(version)}.json`;

const LOG_RE = /^(\d{20})\.json$/;

/** An empty table state. */
export function emptyState(): TableState {
  return { version: -1, files: new Map(), txns: new Map(), tombstones: new Map(), timestamps: [] };
}

/** Applies one entry to a state (in place). Entries must be applied in version order with no gap. */
export function applyEntry(state: TableState, entry: LogEntry): void {
  if (entry.version !== state.version + 1) throw new Error(`log gap: version ${entry.version} after ${state.version}`);
  for (const r of entry.remove) {
    state.files.delete(r.path);
    state.tombstones.set(r.path, r);
  }
  for (const a of entry.add) {
    state.files.set(a.path, a);
    state.tombstones.delete(a.path);
  }
  if (entry.txn !== undefined) state.txns.set(entry.txn.appId, Math.max(entry.txn.version, state.txns.get(entry.txn.appId) ?? -1));
  state.version = entry.version;
  state.timestamps.push(entry.timestamp);
}

/**
 * Brings `state` forward to the latest version (or `upTo`), reading only entries after `state.version`.
 * Listing is strictly ordered, so entries come in version order; a listed gap (impossible with create-only
 * writes) stops the replay there.
 */
export async function catchUpState(storage: Storage, table: string, state: TableState, upTo = Number.MAX_SAFE_INTEGER, signal?: AbortSignal): Promise<TableState> {
  const prefix = logPrefix(table);
  const startAfter = state.version >= 0 ? logKey(table, state.version) : undefined;
  for await (const item of listAll(storage, { prefix, startAfter, signal })) {
    const m = LOG_RE.exec(item.key.slice(prefix.length));
    if (m === null) continue;
    const version = Number(m[1]);
    if (version <= state.version) continue;
    if (version > upTo || version !== state.version + 1) break;
    const entry = await getJson<LogEntry>(storage, item.key, signal);
    if (entry === undefined) break;
    applyEntry(state, entry.value);
  }
  return state;
}
