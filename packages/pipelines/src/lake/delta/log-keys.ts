/**
 * Where a Delta table keeps its log (PROTOCOL.md, "File Types"): `<table>/_delta_log/` holds the commits
 * `<version>.json`, classic checkpoints `<version>.checkpoint.parquet`, multi-part checkpoints
 * `<version>.checkpoint.<part>.<parts>.parquet` and the `_last_checkpoint` pointer. Versions are zero-padded
 * to 20 digits, so the contract's byte-ordered listing walks the log in version order, a checkpoint
 * (`.c…`) just before the commit of the same version (`.j…`).
 */
import { padOffset } from '../../internal/objects.ts';

/** The key prefix of a table's log. */
export const deltaLogPrefix = (table: string): string => `${table}/_delta_log/`;

/** The key of the commit of `version`. */
export const commitKey = (table: string, version: number): string => `${deltaLogPrefix(table)}${padOffset(version)}.json`;

/** The key of the classic (single-file) checkpoint of `version`. */
export const checkpointKey = (table: string, version: number): string => `${deltaLogPrefix(table)}${padOffset(version)}.checkpoint.parquet`;

/** The key of the `_last_checkpoint` pointer ("Last Checkpoint File"). */
export const lastCheckpointKey = (table: string): string => `${deltaLogPrefix(table)}_last_checkpoint`;

/** A file of the log, recognized by name. */
export type LogFileName =
  | { kind: 'commit'; version: number }
  | { kind: 'checkpoint'; version: number; part: number; parts: number };

/**
 * Parses a file name inside `_delta_log/`. UUID-named (V2) checkpoints, CRC files, log compactions and other
 * names are `undefined`: they are optional for readers, and V2 checkpoints need a reader feature this package
 * refuses in the protocol check anyway.
 */
export function parseLogFileName(name: string): LogFileName | undefined {
  let m = /^(\d{20})\.json$/.exec(name);
  if (m !== null) return { kind: 'commit', version: Number(m[1]) };
  m = /^(\d{20})\.checkpoint\.parquet$/.exec(name);
  if (m !== null) return { kind: 'checkpoint', version: Number(m[1]), part: 1, parts: 1 };
  m = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/.exec(name);
  if (m !== null) return { kind: 'checkpoint', version: Number(m[1]), part: Number(m[2]), parts: Number(m[3]) };
  return undefined;
}
