/**
 * Replaying a Delta log from storage (PROTOCOL.md, "Checkpoints", "Last Checkpoint File", "Action
 * Reconciliation"). To open version V: read `_last_checkpoint` as a hint, list `_delta_log/` from there (the
 * contract's listing is ordered, so versions come in order), start from the newest complete checkpoint at or
 * before V ("For time travel, the checkpoint used must not be newer than the time travel version") and apply
 * the commits after it up to V. A table without any `_delta_log/` commit falls back to the legacy `_log/`.
 */
import type { Storage } from '@strata/storage';
import { PipelineError } from '../../errors.ts';
import { listAll, padOffset } from '../../internal/objects.ts';
import { readStream } from '../../internal/streams.ts';
import { loadLegacyState } from '../legacy.ts';
import { parseCommit } from './actions.ts';
import { readCheckpoint, readLastCheckpoint } from './checkpoint.ts';
import { commitKey, deltaLogPrefix, parseLogFileName } from './log-keys.ts';
import { applyActions, applyCommit, emptyState } from './state.ts';
import type { TableState } from './state.ts';

interface LogListing {
  commits: Map<number, string>;
  /** Complete checkpoints: version → part keys in part order. */
  checkpoints: Map<number, string[]>;
  latest: number;
  /** True when the log goes on past `upTo`. */
  beyond: boolean;
}

async function listLog(storage: Storage, table: string, fromVersion: number, upTo: number, signal?: AbortSignal): Promise<LogListing> {
  const prefix = deltaLogPrefix(table);
  const commits = new Map<number, string>();
  const parts = new Map<number, { parts: number; keys: Map<number, string> }>();
  let latest = -1;
  let beyond = false;
  // `startAfter` the bare padded version: every name of that version (`<v>.json`, `<v>.checkpoint…`) follows it.
  const startAfter = fromVersion > 0 ? `${prefix}${padOffset(fromVersion)}` : undefined;
  for await (const item of listAll(storage, { prefix, startAfter, signal })) {
    const name = parseLogFileName(item.key.slice(prefix.length));
    if (name === undefined) continue;
    if (name.version > upTo) {
      beyond = true;
      break;
    }
    if (name.kind === 'commit') {
      commits.set(name.version, item.key);
      latest = Math.max(latest, name.version);
      continue;
    }
    const entry = parts.get(name.version) ?? { parts: name.parts, keys: new Map() };
    if (entry.parts === name.parts) entry.keys.set(name.part, item.key);
    parts.set(name.version, entry);
  }
  const checkpoints = new Map<number, string[]>();
  // "readers must ignore multi-part checkpoints with missing parts"
  for (const [version, { parts: n, keys }] of parts) if (keys.size === n) checkpoints.set(version, [...keys].sort(([a], [b]) => a - b).map(([, k]) => k));
  return { commits, checkpoints, latest, beyond };
}

async function readCommitInto(storage: Storage, state: TableState, version: number, key: string, signal?: AbortSignal): Promise<void> {
  const res = await storage.get(key, { signal });
  applyCommit(state, version, parseCommit((await readStream(res.body)).toString('utf8'), key));
}

/**
 * Loads a table as of `version` (default: the latest). A requested version the log does not have is
 * `PipelineError('VersionNotFound')`; a table with no log at all is an empty state (version -1).
 */
export async function loadState(storage: Storage, table: string, options: { version?: number; signal?: AbortSignal } = {}): Promise<TableState> {
  const { signal } = options;
  const upTo = options.version ?? Number.MAX_SAFE_INTEGER;
  const hint = await readLastCheckpoint(storage, table, signal);
  let listing = await listLog(storage, table, hint !== undefined && hint.version <= upTo ? hint.version : 0, upTo, signal);
  const usable = (l: LogListing) => [...l.checkpoints.keys()].some((v) => v <= upTo) || l.commits.has(0);
  // A pointer to a checkpoint that is not there (or a cleaned-up log start): list the whole log instead.
  if (!usable(listing) && hint !== undefined) listing = await listLog(storage, table, 0, upTo, signal);
  if (listing.commits.size === 0 && listing.checkpoints.size === 0) {
    const legacy = await loadLegacyState(storage, table, upTo, signal);
    return checkVersion(legacy ?? emptyState(table), options.version, listing.beyond);
  }
  const state = emptyState(table);
  const base = Math.max(-1, ...[...listing.checkpoints.keys()].filter((v) => v <= upTo));
  if (base >= 0) {
    applyActions(state, await readCheckpoint(storage, listing.checkpoints.get(base)!, signal));
    state.version = base;
  } else if (!listing.commits.has(0)) {
    throw new PipelineError('Corrupted', `table '${table}': the log starts after version 0 and has no checkpoint to start from`);
  }
  for (let v = state.version + 1; v <= Math.min(upTo, listing.latest); v++) {
    const key = listing.commits.get(v);
    if (key === undefined) throw new PipelineError('Corrupted', `table '${table}': log gap, no commit ${v} before ${listing.latest}`);
    await readCommitInto(storage, state, v, key, signal);
  }
  return checkVersion(state, options.version, listing.beyond);
}

function checkVersion(state: TableState, version: number | undefined, logGoesOn: boolean): TableState {
  if (version !== undefined && state.version !== version) {
    const why = logGoesOn ? 'its commit is no longer in the log (cleaned up)' : `the log ends at version ${state.version}`;
    throw new PipelineError('VersionNotFound', `table '${state.table}' cannot be read as of version ${version}: ${why}`);
  }
  return state;
}

/**
 * Brings `state` forward to the latest version (or `upTo`) in place, reading only the commits after
 * `state.version`. A state still empty, or replayed from a legacy log, is loaded anew (checkpoints included).
 */
export async function catchUpState(storage: Storage, state: TableState, upTo = Number.MAX_SAFE_INTEGER, signal?: AbortSignal): Promise<TableState> {
  if (state.version < 0 || state.legacy) {
    let fresh = await loadState(storage, state.table, { signal });
    if (fresh.version > upTo) fresh = await loadState(storage, state.table, { version: upTo, signal });
    if (fresh.version > state.version || fresh.legacy !== state.legacy) Object.assign(state, fresh);
    return state;
  }
  const prefix = deltaLogPrefix(state.table);
  for await (const item of listAll(storage, { prefix, startAfter: commitKey(state.table, state.version), signal })) {
    const name = parseLogFileName(item.key.slice(prefix.length));
    if (name?.kind !== 'commit' || name.version <= state.version) continue;
    if (name.version > upTo || name.version !== state.version + 1) break;
    await readCommitInto(storage, state, name.version, item.key, signal);
  }
  return state;
}
