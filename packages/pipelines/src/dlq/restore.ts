/**
 * Restore (redrive) of a committed DLQ snapshot into a queue, idempotently.
 *
 * Two mechanisms make a restore that is interrupted and started again add every job exactly once:
 * - progress (`restore-<target>.json`: how many jobs of the snapshot are added) is advanced with if-match
 *   every `checkpointEvery` jobs, so a restart resumes there — and a second restorer running at the same time
 *   fails its if-match and stops (`PipelineError('Fenced')`);
 * - jobs added since the last checkpoint are added again on restart with the same deterministic job id
 *   (`redrive-<snapshot>-<job>`), which the target ignores while the job exists (BullMQ `jobId` semantics).
 */
import type { Storage } from '@strata/storage';
import { PipelineError } from '../errors.ts';
import { getJson, hasErrorCode, putJsonCreateOnly, putJsonIfMatch } from '../internal/objects.ts';
import type { RedriveTarget } from './failed-jobs.ts';
import { snapshotPrefix } from './snapshots.ts';
import type { SnapshotStore } from './snapshots.ts';

/** The progress object of one restore. */
export interface RestoreProgress {
  format: 'strata.dlq.restore/1';
  snapshotId: string;
  target: string;
  /** Jobs of the snapshot (in snapshot order) known to be on the target. */
  done: number;
  completed: boolean;
  updatedAt: string;
}

/** Options of {@link restoreSnapshot}. */
export interface RestoreOptions {
  /** Jobs between progress checkpoints. @default 100 */
  checkpointEvery?: number;
  signal?: AbortSignal;
}

/** What {@link restoreSnapshot} did. */
export interface RestoreResult {
  /** Jobs added to the target by this call. */
  added: number;
  /** Jobs that were already on the target (re-added after an interruption, or redriven before). */
  existing: number;
  /** Jobs skipped because recorded progress says they were done. */
  resumedFrom: number;
  /** Total jobs in the snapshot. */
  total: number;
}

/** The deterministic id of a redriven job: no `:` and never integer-only, as BullMQ requires of custom ids. */
export const redriveJobId = (snapshotId: string, jobId: string): string => `redrive-${snapshotId}-${jobId}`.replace(/:/g, '_');

/** Redrives every job of a committed snapshot into `target`, resuming recorded progress. */
export async function restoreSnapshot(storage: Storage, store: SnapshotStore, snapshotId: string, target: RedriveTarget, options: RestoreOptions = {}): Promise<RestoreResult> {
  const { signal } = options;
  const every = options.checkpointEvery ?? 100;
  if (!/^[A-Za-z0-9._-]+$/.test(target.name)) throw new TypeError(`target name must match [A-Za-z0-9._-]+: ${target.name}`);
  const manifest = await store.manifest(snapshotId); // throws NotFound unless committed
  const key = `${snapshotPrefix(store.queue, snapshotId)}restore-${target.name}.json`;

  let current = await getJson<RestoreProgress>(storage, key, signal);
  if (current === undefined) {
    const initial: RestoreProgress = { format: 'strata.dlq.restore/1', snapshotId, target: target.name, done: 0, completed: false, updatedAt: new Date().toISOString() };
    try {
      current = { value: initial, etag: await putJsonCreateOnly(storage, key, initial, signal) };
    } catch (e) {
      if (!hasErrorCode(e, 'AlreadyExists')) throw e;
      current = await getJson<RestoreProgress>(storage, key, signal);
      if (current === undefined) throw e;
    }
  }
  const result: RestoreResult = { added: 0, existing: 0, resumedFrom: current.value.done, total: manifest.count };
  if (current.value.completed) return result;

  let progress = current;
  const save = async (done: number, completed: boolean) => {
    const next: RestoreProgress = { ...progress.value, done, completed, updatedAt: new Date().toISOString() };
    try {
      progress = { value: next, etag: await putJsonIfMatch(storage, key, next, progress.etag, signal) };
    } catch (e) {
      if (hasErrorCode(e, 'PreconditionFailed')) throw new PipelineError('Fenced', `restore of ${snapshotId} into ${target.name} is being run by another process`, { cause: e });
      throw e;
    }
  };

  let i = 0;
  for await (const job of store.jobs(snapshotId)) {
    if (i++ < progress.value.done) continue;
    const added = await target.add({ jobId: redriveJobId(snapshotId, job.id), name: job.name, data: job.data });
    if (added) result.added++;
    else result.existing++;
    if (i % every === 0) await save(i, false);
  }
  await save(i, true);
  return result;
}
