/**
 * The snapshot reader: the table as of one committed version, replayed from the log. Only files named by
 * committed entries are read, so files of writers that crashed (or are still writing) are never seen; each
 * file is read with `ifMatch` on the ETag its entry recorded.
 */
import type { Storage } from '@strata/storage';
import { readStream } from '../internal/streams.ts';
import { decodeRecords } from './formats.ts';
import type { LakeRecord } from './formats.ts';
import type { AddFile } from './log.ts';
import { catchUpState, emptyState } from './log.ts';

/** Options of {@link openSnapshot}. */
export interface SnapshotOptions {
  table: string;
  /** The version to read (time travel). @default the latest */
  version?: number;
  signal?: AbortSignal;
}

/** A read-only view of a table at one version. */
export interface LakeSnapshot {
  readonly table: string;
  /** The version; -1 when the table has no commit yet. */
  readonly version: number;
  /** The live data files, in path order. */
  files(filter?: (partition: Record<string, string>) => boolean): AddFile[];
  /** The highest committed txn version of an application, or -1 (Delta's `txn` lookup). */
  txnVersion(appId: string): number;
  /** Every record of the live files (optionally of matching partitions), file by file in path order. */
  records(filter?: (partition: Record<string, string>) => boolean): AsyncGenerator<LakeRecord>;
}

/** Opens a snapshot of a table. */
export async function openSnapshot(storage: Storage, options: SnapshotOptions): Promise<LakeSnapshot> {
  const { table, signal } = options;
  const state = await catchUpState(storage, table, emptyState(), options.version, signal);
  const files = (filter?: (p: Record<string, string>) => boolean) =>
    [...state.files.values()].filter((f) => filter === undefined || filter(f.partition)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    table,
    version: state.version,
    files,
    txnVersion: (appId) => state.txns.get(appId) ?? -1,
    async *records(filter) {
      for (const f of files(filter)) {
        const res = await storage.get(`${table}/${f.path}`, { ifMatch: f.etag, signal });
        yield* await decodeRecords(await readStream(res.body), f.format);
      }
    },
  };
}
