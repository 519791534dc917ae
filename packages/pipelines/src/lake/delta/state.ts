/**
 * A table snapshot as the replay of its log (PROTOCOL.md, "Action Reconciliation"): one protocol, one
 * metadata (the latest seen wins), the latest `txn` per application id, the live `add` per path and the
 * `remove` tombstones that vacuum needs. Commits apply in version order with no gap; checkpoint rows apply
 * as one replayed state.
 */
import { PipelineError } from '../../errors.ts';
import type { AddAction, CommitActions, MetadataAction, ProtocolAction, RemoveAction, TxnAction } from './actions.ts';
import { assertReadable } from './protocol.ts';
import { schemaFromString } from '../schema/types.ts';
import type { LakeSchema } from '../schema/types.ts';

/** The table as of one version. */
export interface TableState {
  readonly table: string;
  /** The version replayed up to; -1 for a table with no commit. */
  version: number;
  protocol?: ProtocolAction;
  metadata?: MetadataAction;
  /** Live files by their log `path`. */
  files: Map<string, AddAction>;
  /** Removed files by their log `path`, kept for vacuum (and time travel) until they expire. */
  tombstones: Map<string, RemoveAction>;
  /** The latest `txn` per application id. */
  txns: Map<string, TxnAction>;
  /** True when replayed from the pre-Delta `_log/` of older versions of this package (read-only). */
  legacy: boolean;
}

/** An empty state of `table` (no version yet). */
export function emptyState(table: string): TableState {
  return { table, version: -1, files: new Map(), tombstones: new Map(), txns: new Map(), legacy: false };
}

/** Applies one version's actions (or a checkpoint's, which carry no version of their own) in place. */
export function applyActions(state: TableState, actions: CommitActions): void {
  if (actions.protocol !== undefined) {
    assertReadable(actions.protocol, state.table);
    state.protocol = actions.protocol;
  }
  if (actions.metaData !== undefined) state.metadata = actions.metaData;
  // "For txn actions, the latest version seen for a given appId wins."
  for (const txn of actions.txn) state.txns.set(txn.appId, txn);
  for (const remove of actions.remove) {
    state.files.delete(remove.path);
    state.tombstones.set(remove.path, remove);
  }
  for (const add of actions.add) {
    if (add.deletionVector !== undefined && add.deletionVector !== null) {
      throw new PipelineError('Unsupported', `table '${state.table}': file ${add.path} has a deletion vector (a reader feature this package does not implement)`);
    }
    state.files.set(add.path, add);
    state.tombstones.delete(add.path);
  }
}

/** Applies the commit of `version`, which must follow `state.version` directly. */
export function applyCommit(state: TableState, version: number, actions: CommitActions): void {
  if (version !== state.version + 1) throw new PipelineError('Corrupted', `table '${state.table}': log gap, version ${version} after ${state.version}`);
  applyActions(state, actions);
  state.version = version;
}

/** A deep-enough copy of a state (maps copied, actions shared: they are never mutated). */
export function copyState(state: TableState): TableState {
  return { ...state, files: new Map(state.files), tombstones: new Map(state.tombstones), txns: new Map(state.txns) };
}

const schemaCache = new Map<string, LakeSchema>();

/** The parsed schema of a state's metadata, or `undefined` for a table without one (legacy or empty). */
export function schemaOf(state: TableState): LakeSchema | undefined {
  const text = state.metadata?.schemaString;
  if (text === undefined) return undefined;
  let schema = schemaCache.get(text);
  if (schema === undefined) {
    schema = schemaFromString(text);
    if (schemaCache.size > 100) schemaCache.clear();
    schemaCache.set(text, schema);
  }
  return schema;
}

/** The highest committed version of an application's transactions, or -1. */
export function txnVersionOf(state: TableState, appId: string): number {
  return state.txns.get(appId)?.version ?? -1;
}
