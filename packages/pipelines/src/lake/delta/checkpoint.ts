/**
 * Checkpoints (PROTOCOL.md, "Checkpoints", "Checkpoint Specs: V1 Spec", "Classic checkpoint", "Checkpoint
 * Schema", "Last Checkpoint File Schema"): the replayed state of one version written as a classic
 * `<version>.checkpoint.parquet`, one row per action (`protocol`, `metaData`, each `txn`, each live `add` and
 * each unexpired `remove`) with the other action columns null, then `_last_checkpoint` pointing at it.
 *
 * A checkpoint is written only after its commit exists ("Checkpoints for a given version must only be
 * created after the associated delta file has been successfully written"), create-only: two writers
 * checkpointing the same version write the same content, and the first one stands. `_last_checkpoint` is a
 * hint: readers list the log from it, so a stale or missing pointer costs a longer listing, never a wrong
 * state. Tombstones expire after `delta.deletedFileRetentionDuration` (default one week).
 */
import type { Storage } from '@strata/storage';
import { getJson, hasErrorCode } from '../../internal/objects.ts';
import { readStream } from '../../internal/streams.ts';
import { readParquetRows, writeParquet } from '../parquet/io.ts';
import type { LakeSchema, LakeType } from '../schema/types.ts';
import type { AddAction, CommitActions, MetadataAction, ProtocolAction, RemoveAction, TxnAction } from './actions.ts';
import { noActions } from './actions.ts';
import { checkpointKey, lastCheckpointKey } from './log-keys.ts';
import type { TableState } from './state.ts';

const STRING_MAP: LakeType = { type: 'map', keyType: 'string', valueType: 'string', valueContainsNull: true };
const field = (name: string, type: LakeType) => ({ name, type, nullable: true });

/** The Parquet schema of a V1 checkpoint ("Checkpoint Schema"), without the optional `*_parsed` columns. */
export const CHECKPOINT_SCHEMA: LakeSchema = {
  fields: [
    field('txn', { type: 'struct', fields: [field('appId', 'string'), field('version', 'long'), field('lastUpdated', 'long')] }),
    field('add', { type: 'struct', fields: [field('path', 'string'), field('partitionValues', STRING_MAP), field('size', 'long'), field('modificationTime', 'long'), field('dataChange', 'boolean'), field('stats', 'string'), field('tags', STRING_MAP)] }),
    field('remove', { type: 'struct', fields: [field('path', 'string'), field('deletionTimestamp', 'long'), field('dataChange', 'boolean'), field('extendedFileMetadata', 'boolean'), field('partitionValues', STRING_MAP), field('size', 'long')] }),
    field('metaData', { type: 'struct', fields: [field('id', 'string'), field('name', 'string'), field('description', 'string'), field('format', { type: 'struct', fields: [field('provider', 'string'), field('options', STRING_MAP)] }), field('schemaString', 'string'), field('partitionColumns', { type: 'array', elementType: 'string', containsNull: true }), field('createdTime', 'long'), field('configuration', STRING_MAP)] }),
    field('protocol', { type: 'struct', fields: [field('minReaderVersion', 'integer'), field('minWriterVersion', 'integer')] }),
  ],
};

/** The `_last_checkpoint` document ("Last Checkpoint File Schema"). */
export interface LastCheckpoint {
  version: number;
  /** Actions in the checkpoint. */
  size: number;
  parts?: number;
  sizeInBytes?: number;
  numOfAddFiles?: number;
}

const RETENTION_UNITS_MS: Record<string, number> = { millisecond: 1, second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 };

/** Parses a Delta interval such as `interval 7 days`, or `undefined`. */
export function parseInterval(text: string | undefined): number | undefined {
  const m = /^\s*interval\s+(\d+)\s+(millisecond|second|minute|hour|day|week)s?\s*$/i.exec(text ?? '');
  return m === null ? undefined : Number(m[1]) * RETENTION_UNITS_MS[m[2]!.toLowerCase()]!;
}

/** How long a tombstone is kept: `delta.deletedFileRetentionDuration`, default one week. */
export const tombstoneRetentionMs = (metadata: MetadataAction | undefined): number =>
  parseInterval(metadata?.configuration['delta.deletedFileRetentionDuration']) ?? RETENTION_UNITS_MS.week!;

const bigintOrNull = (n: number | undefined) => (n === undefined || n === null ? null : BigInt(n));

/** The checkpoint rows (physical form) of a state. */
function checkpointRows(state: TableState, now: number): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const { protocol: p, metadata: m } = state;
  if (p !== undefined) rows.push({ protocol: { minReaderVersion: p.minReaderVersion, minWriterVersion: p.minWriterVersion } });
  if (m !== undefined) {
    rows.push({ metaData: { ...m, name: m.name ?? null, description: m.description ?? null, createdTime: bigintOrNull(m.createdTime), format: { provider: m.format.provider, options: Object.entries(m.format.options ?? {}).map(([key, value]) => ({ key, value })) }, configuration: Object.entries(m.configuration).map(([key, value]) => ({ key, value })) } });
  }
  for (const t of state.txns.values()) rows.push({ txn: { appId: t.appId, version: BigInt(t.version), lastUpdated: bigintOrNull(t.lastUpdated) } });
  const map = (o: Record<string, string | null> | null | undefined) => (o === null || o === undefined ? null : Object.entries(o).map(([key, value]) => ({ key, value })));
  for (const a of state.files.values()) {
    rows.push({ add: { path: a.path, partitionValues: map(a.partitionValues), size: BigInt(a.size), modificationTime: BigInt(a.modificationTime), dataChange: a.dataChange, stats: a.stats ?? null, tags: map(a.tags) } });
  }
  const expiry = now - tombstoneRetentionMs(m);
  for (const r of state.tombstones.values()) {
    if ((r.deletionTimestamp ?? 0) < expiry) continue;
    // "the remove struct does not contain the stats and tags fields"
    rows.push({ remove: { path: r.path, deletionTimestamp: bigintOrNull(r.deletionTimestamp), dataChange: r.dataChange, extendedFileMetadata: r.extendedFileMetadata ?? null, partitionValues: map(r.partitionValues), size: bigintOrNull(r.size) } });
  }
  return rows;
}

/** Writes the checkpoint of `state` (already committed) and points `_last_checkpoint` at it. */
export async function writeCheckpoint(storage: Storage, state: TableState, options: { now?: number; signal?: AbortSignal } = {}): Promise<LastCheckpoint> {
  const { signal } = options;
  const rows = checkpointRows(state, options.now ?? Date.now());
  const bytes = writeParquet(rows, CHECKPOINT_SCHEMA);
  try {
    await storage.put(checkpointKey(state.table, state.version), bytes, { ifNoneMatch: '*', contentType: 'application/vnd.apache.parquet', signal });
  } catch (e) {
    if (!hasErrorCode(e, 'AlreadyExists')) throw e; // another writer checkpointed this version: same content
  }
  const last: LastCheckpoint = { version: state.version, size: rows.length, sizeInBytes: bytes.length, numOfAddFiles: state.files.size };
  await storage.put(lastCheckpointKey(state.table), JSON.stringify(last), { contentType: 'application/json', signal });
  return last;
}

/** Reads `_last_checkpoint`, or `undefined` when absent or not a valid pointer (it is only a hint). */
export async function readLastCheckpoint(storage: Storage, table: string, signal?: AbortSignal): Promise<LastCheckpoint | undefined> {
  try {
    const doc = await getJson<LastCheckpoint>(storage, lastCheckpointKey(table), signal);
    return Number.isSafeInteger(doc?.value.version) && doc!.value.version >= 0 ? doc!.value : undefined;
  } catch (e) {
    if (e instanceof SyntaxError) return undefined;
    throw e;
  }
}

const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const obj = (v: unknown): Record<string, string> => (v === null || v === undefined ? {} : (v as Record<string, string>));

/** Reads the actions of a checkpoint (all its parts, in order). */
export async function readCheckpoint(storage: Storage, keys: readonly string[], signal?: AbortSignal): Promise<CommitActions> {
  const actions = noActions();
  for (const key of keys) {
    const res = await storage.get(key, { signal });
    for (const row of await readParquetRows(await readStream(res.body))) {
      const { txn, add, remove, metaData, protocol } = row as Record<string, Record<string, unknown> | undefined | null>;
      if (protocol) actions.protocol = { ...protocol, minReaderVersion: Number(protocol.minReaderVersion), minWriterVersion: Number(protocol.minWriterVersion) } as ProtocolAction;
      if (metaData) {
        const format = (metaData.format ?? {}) as Record<string, unknown>;
        actions.metaData = { ...metaData, createdTime: num(metaData.createdTime), format: { provider: String(format.provider ?? 'parquet'), options: obj(format.options) }, configuration: obj(metaData.configuration), partitionColumns: (metaData.partitionColumns ?? []) as string[] } as MetadataAction;
      }
      if (txn) actions.txn.push({ appId: String(txn.appId), version: Number(txn.version), lastUpdated: num(txn.lastUpdated) } as TxnAction);
      if (add) actions.add.push({ ...add, partitionValues: obj(add.partitionValues), size: Number(add.size), modificationTime: Number(add.modificationTime), stats: add.stats ?? undefined, tags: add.tags ?? undefined } as AddAction);
      if (remove) actions.remove.push({ ...remove, deletionTimestamp: num(remove.deletionTimestamp), size: num(remove.size), partitionValues: remove.partitionValues ?? undefined } as RemoveAction);
    }
  }
  return actions;
}
