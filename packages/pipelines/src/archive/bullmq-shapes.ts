/**
 * The parts of BullMQ's `Queue` and `Job` this package calls, as structural types. bullmq is an optional peer
 * dependency: naming its types in the published declarations would make `tsc` fail (TS2307, cannot find module
 * 'bullmq') for every consumer who type-checks libraries (`skipLibCheck: false`) without bullmq installed, even
 * one who never touches a queue. A real `Queue` from bullmq 6 is assignable to {@link BullQueue}; the
 * type test in this package's tests checks that it stays so.
 */

/** A BullMQ job as read from a queue's completed or failed set. */
export interface BullJob {
  /** Set on every job read back from Redis; optional in BullMQ's own type. */
  readonly id?: string | undefined;
  readonly name: string;
  // BullMQ types a job's payload as `any`; `unknown` here keeps callers honest.
  readonly data: unknown;
  readonly returnvalue?: unknown;
  readonly attemptsMade: number;
  readonly timestamp: number;
  readonly processedOn?: number | undefined;
  readonly finishedOn?: number | undefined;
  readonly failedReason?: string | undefined;
  readonly stacktrace?: string[] | null | undefined;
  /** Deletes the job from Redis. */
  remove(): Promise<void>;
}

/** A BullMQ queue: what the archive source, the DLQ source and the redrive target call. */
export interface BullQueue {
  readonly name: string;
  getJobs(types: Array<'completed' | 'failed'>, start: number, end: number, asc: boolean): Promise<Array<BullJob | undefined>>;
  getJob(jobId: string): Promise<BullJob | undefined>;
  add(name: string, data: unknown, opts: { jobId: string }): Promise<unknown>;
}
