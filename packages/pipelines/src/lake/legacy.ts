/**
 * Tables of the earlier, Delta-inspired log of this package: `<table>/_log/<version>.json` entries in the
 * `strata.lake.log/1` format, and data files of gzip'd JSON Lines or untyped Parquet. They stay readable: a
 * table with no `_delta_log/` commit is replayed from `_log/` into the same state as a Delta table (each
 * legacy file becomes an `add` whose tags remember its format and ETag). Writers rewrite such a table into a
 * Delta table on first use (`table.ts`); from then on `_delta_log/` is the table and `_log/` is history.
 */
import type { Storage } from '@strata/storage';
import { getJson, listAll, padOffset } from '../internal/objects.ts';
import { gunzipJsonLines } from '../internal/streams.ts';
import { parquetReadObjects } from 'hyparquet';
import { PipelineError } from '../errors.ts';
import type { AddAction, CommitActions } from './delta/actions.ts';
import { encodeDataPath } from './delta/actions.ts';
import { applyCommit, emptyState } from './delta/state.ts';
import type { TableState } from './delta/state.ts';
import type { LakeRecord } from './schema/conform.ts';

/** The file formats of legacy tables. */
export type LegacyFormat = 'jsonl' | 'parquet';

/** One entry of the legacy log. */
export interface LegacyLogEntry {
  format: 'strata.lake.log/1';
  version: number;
  timestamp: number;
  operation: 'append' | 'compact';
  txn?: { appId: string; version: number };
  add: { path: string; partition: Record<string, string>; size: number; records: number; format: LegacyFormat; etag: string }[];
  remove: { path: string; deletionTimestamp: number }[];
}

/** The key prefix of a legacy log. */
export const legacyLogPrefix = (table: string): string => `${table}/_log/`;
/** The key of a legacy log entry. */
export const legacyLogKey = (table: string, version: number): string => `${legacyLogPrefix(table)}${padOffset(version)}.json`;

/** Tag keys that carry what the legacy log recorded per file. */
export const ETAG_TAG = 'strata.etag';
/** Tag key of a file's format when it is not Parquet. */
export const FORMAT_TAG = 'strata.format';

function toActions(entry: LegacyLogEntry): CommitActions {
  const add: AddAction[] = entry.add.map((a) => ({
    path: encodeDataPath(a.path),
    partitionValues: a.partition,
    size: a.size,
    modificationTime: entry.timestamp,
    dataChange: entry.operation === 'append',
    stats: JSON.stringify({ numRecords: a.records }),
    tags: { [ETAG_TAG]: a.etag, [FORMAT_TAG]: a.format },
  }));
  const remove = entry.remove.map((r) => ({ path: encodeDataPath(r.path), deletionTimestamp: r.deletionTimestamp, dataChange: entry.operation === 'append' }));
  return { txn: entry.txn === undefined ? [] : [{ appId: entry.txn.appId, version: entry.txn.version, lastUpdated: entry.timestamp }], add, remove };
}

/**
 * Replays a legacy log up to `upTo` (inclusive); `undefined` when the table has no legacy entry. Listing is
 * strictly ordered, so entries come in version order; a gap stops the replay (create-only writes make none).
 */
export async function loadLegacyState(storage: Storage, table: string, upTo: number, signal?: AbortSignal): Promise<TableState | undefined> {
  const prefix = legacyLogPrefix(table);
  const state = emptyState(table);
  state.legacy = true;
  let found = false;
  for await (const item of listAll(storage, { prefix, signal })) {
    const m = /^(\d{20})\.json$/.exec(item.key.slice(prefix.length));
    if (m === null) continue;
    found = true;
    const version = Number(m[1]);
    if (version > upTo || version !== state.version + 1) break;
    const entry = await getJson<LegacyLogEntry>(storage, item.key, signal);
    if (entry === undefined) break;
    if (entry.value.format !== 'strata.lake.log/1') throw new PipelineError('Corrupted', `${item.key} is not a strata.lake.log/1 entry`);
    applyCommit(state, version, toActions(entry.value));
  }
  return found ? state : undefined;
}

/** Decodes a legacy data file; Parquet has no absent-vs-null, so legacy null fields read back as absent. */
export async function decodeLegacyFile(bytes: Uint8Array, format: LegacyFormat): Promise<LakeRecord[]> {
  if (format === 'jsonl') return gunzipJsonLines<LakeRecord>(bytes);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows = (await parquetReadObjects({ file })) as LakeRecord[];
  return rows.map((row) => Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null && v !== undefined)));
}
