/**
 * The queue side of DLQ snapshots: a source of failed jobs and a target to redrive them into, with adapters for
 * the in-memory queue and BullMQ. Redrive uses deterministic job ids on the target, so adding a job twice (a
 * restore resumed after a crash) adds it once: BullMQ ignores an `add` whose `jobId` exists, and so does the
 * memory queue.
 */
import type { BullJob, BullQueue } from '../archive/bullmq-shapes.ts';
import type { MemoryQueue } from '../archive/memory-queue.ts';

/** A failed job as snapshotted: payload, error, attempts and timestamps (epoch ms). */
export interface FailedJobRecord {
  id: string;
  name: string;
  data: unknown;
  /** The last error message (BullMQ `failedReason`). */
  failedReason: string;
  /** Error stacks, one per failed attempt (may be empty). */
  stacktrace: string[];
  attemptsMade: number;
  /** When the job was created. */
  timestamp: number;
  processedOn?: number;
  /** When the job last failed. */
  finishedOn?: number;
}

/** Where failed jobs are read from. */
export interface FailedJobSource {
  /** The queue's name, e.g. `bullmq:emails`. */
  readonly name: string;
  /** Every failed job, oldest failure first. */
  failedJobs(): AsyncIterable<FailedJobRecord>;
}

/** A job to add on redrive. */
export interface RedriveJob {
  /** A deterministic id: adding it again while it exists adds nothing. */
  jobId: string;
  name: string;
  data: unknown;
}

/** A queue to redrive into. */
export interface RedriveTarget {
  /** Used in the progress object's key (`restore-<name>.json`): letters, digits, `-`, `_`, `.`. */
  readonly name: string;
  /** Adds the job unless a job with its id exists; resolves to whether it was added. */
  add(job: RedriveJob): Promise<boolean>;
}

/** The in-memory queue's failed list as a source. */
export function memoryFailedSource(queue: MemoryQueue): FailedJobSource {
  return {
    name: queue.name,
    async *failedJobs() {
      for (const j of queue.failed()) {
        yield {
          id: j.id, name: j.name, data: j.data, failedReason: j.failedReason ?? '', stacktrace: j.stacktrace,
          attemptsMade: j.attemptsMade, timestamp: j.timestamp,
          ...(j.processedOn !== undefined ? { processedOn: j.processedOn } : {}),
          ...(j.finishedOn !== undefined ? { finishedOn: j.finishedOn } : {}),
        };
      }
    },
  };
}

/** The in-memory queue as a redrive target. */
export function memoryRedriveTarget(queue: MemoryQueue, name = queue.name.replace(/[^A-Za-z0-9._-]/g, '_')): RedriveTarget {
  return { name, add: async (job) => (await queue.add(job.name, job.data, { jobId: job.jobId })).added };
}

/** Maps a BullMQ job to a snapshot record. */
function fromBullJob(job: BullJob): FailedJobRecord {
  return {
    id: String(job.id), name: job.name, data: job.data, failedReason: job.failedReason ?? '',
    stacktrace: job.stacktrace ?? [], attemptsMade: job.attemptsMade, timestamp: job.timestamp,
    ...(job.processedOn != null ? { processedOn: job.processedOn } : {}),
    ...(job.finishedOn != null ? { finishedOn: job.finishedOn } : {}),
  };
}

/** A BullMQ queue's failed set as a source, read in pages of `pageSize`, oldest failure first. */
export function bullmqFailedSource(queue: BullQueue, pageSize = 500): FailedJobSource {
  return {
    name: `bullmq:${queue.name}`,
    async *failedJobs() {
      // The failed set can change while it is read; a snapshot is of what was seen (ids are deduplicated).
      const seen = new Set<string>();
      for (let start = 0; ; start += pageSize) {
        const jobs = await queue.getJobs(['failed'], start, start + pageSize - 1, true);
        for (const j of jobs) {
          if (j?.id === undefined || seen.has(j.id)) continue;
          seen.add(j.id);
          yield fromBullJob(j);
        }
        if (jobs.length < pageSize) return;
      }
    },
  };
}

/** A BullMQ queue as a redrive target. BullMQ forbids `:` and integer-only custom ids; callers' ids avoid both. */
export function bullmqRedriveTarget(queue: BullQueue, name = queue.name.replace(/[^A-Za-z0-9._-]/g, '_')): RedriveTarget {
  return {
    name,
    async add(job) {
      if ((await queue.getJob(job.jobId)) !== undefined) return false;
      // `add` with an existing jobId is a no-op in BullMQ, so a race between the check and the add is harmless.
      await queue.add(job.name, job.data, { jobId: job.jobId });
      return true;
    },
  };
}
