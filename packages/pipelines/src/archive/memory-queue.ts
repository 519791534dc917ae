/**
 * An in-memory job queue: a {@link MessageSource} for the archiver, a failed-job source for DLQ snapshots and a
 * redrive target for restores. Semantics follow BullMQ where they matter to the pipelines: a custom job id
 * is added once while a job with that id exists (BullMQ `jobId` deduplication), jobs that fail `maxAttempts`
 * times move to a failed list with their error, attempts and timestamps, and delivered-but-unacked messages are
 * delivered again (nack, or an iteration that ends early). Not durable: for tests and single-process use.
 */
import { randomUUID } from 'node:crypto';
import type { MessageSource, MessagesOptions, SourceMessage } from './message-source.ts';

/** A job held by a {@link MemoryQueue}. */
export interface MemoryJob {
  id: string;
  name: string;
  data: unknown;
  /** When the job was added, epoch ms. */
  timestamp: number;
  attemptsMade: number;
  processedOn?: number;
  finishedOn?: number;
  failedReason?: string;
  stacktrace: string[];
}

/** Options of {@link createMemoryQueue}. */
export interface MemoryQueueOptions {
  /** The queue's name. @default 'memory' */
  name?: string;
  /** Attempts before a job moves to the failed list. @default 1 */
  maxAttempts?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/** Options of {@link MemoryQueue.add}. */
export interface MemoryAddOptions {
  /** A deterministic id: adding it again while the job exists adds nothing. @default a random UUID */
  jobId?: string;
  timestamp?: number;
}

/** The in-memory queue. */
export interface MemoryQueue extends MessageSource {
  /** Adds a job; `added` is false when a job with this `jobId` already exists (nothing changes then). */
  add(name: string, data: unknown, options?: MemoryAddOptions): Promise<{ id: string; added: boolean }>;
  /** Runs `handler` over every waiting job once; a throw counts an attempt (and fails the job at `maxAttempts`). */
  process(handler: (job: MemoryJob) => unknown): Promise<{ completed: number; failed: number }>;
  /** Copies of the failed jobs, oldest failure first. */
  failed(): MemoryJob[];
  /** Copies of the waiting jobs, in delivery order. */
  waiting(): MemoryJob[];
  /** Removes a job wherever it is (waiting, delivered or failed). */
  remove(id: string): boolean;
}

/** Creates an in-memory queue. */
export function createMemoryQueue(options: MemoryQueueOptions = {}): MemoryQueue {
  const name = options.name ?? 'memory';
  const maxAttempts = options.maxAttempts ?? 1;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be >= 1: ${maxAttempts}`);
  const now = options.now ?? Date.now;
  const jobs = new Map<string, MemoryJob>();
  let ready: string[] = [];
  const inFlight = new Set<string>();
  const failedIds: string[] = [];
  let wake: (() => void) | undefined;

  const copy = (j: MemoryJob): MemoryJob => ({ ...j, stacktrace: [...j.stacktrace] });
  const signalNew = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  async function* messages(opts: MessagesOptions = {}): AsyncGenerator<SourceMessage> {
    const mine = new Set<string>();
    try {
      while (!opts.signal?.aborted) {
        const id = ready.shift();
        if (id === undefined) {
          if (!opts.follow) return;
          await new Promise<void>((resolve) => {
            const onAbort = () => resolve();
            wake = () => {
              opts.signal?.removeEventListener('abort', onAbort);
              resolve();
            };
            opts.signal?.addEventListener('abort', onAbort, { once: true });
          });
          continue;
        }
        const job = jobs.get(id);
        if (job === undefined) continue;
        inFlight.add(id);
        mine.add(id);
        let settled = false;
        yield {
          id,
          data: job.data,
          timestamp: job.timestamp,
          attributes: { name: job.name },
          ack: async () => {
            if (settled) return;
            settled = true;
            mine.delete(id);
            inFlight.delete(id);
            jobs.delete(id);
          },
          nack: async () => {
            if (settled) return;
            settled = true;
            mine.delete(id);
            inFlight.delete(id);
            ready.unshift(id);
            signalNew();
          },
        };
      }
    } finally {
      // An iteration that ends with messages still unacked (a crashed consumer) hands them back, in order.
      const back = [...mine].filter((id) => inFlight.delete(id));
      ready = [...back, ...ready];
    }
  }

  return {
    name: `memory:${name}`,
    messages,
    async add(jobName, data, addOptions = {}) {
      const id = addOptions.jobId ?? randomUUID();
      if (jobs.has(id)) return { id, added: false };
      jobs.set(id, { id, name: jobName, data, timestamp: addOptions.timestamp ?? now(), attemptsMade: 0, stacktrace: [] });
      ready.push(id);
      signalNew();
      return { id, added: true };
    },
    async process(handler) {
      let completed = 0;
      let failed = 0;
      const batch = ready;
      ready = [];
      for (const id of batch) {
        const job = jobs.get(id);
        if (job === undefined) continue;
        job.processedOn = now();
        try {
          await handler(copy(job));
          jobs.delete(id);
          completed++;
        } catch (e) {
          job.attemptsMade++;
          job.failedReason = e instanceof Error ? e.message : String(e);
          job.stacktrace.push(e instanceof Error ? (e.stack ?? e.message) : String(e));
          job.finishedOn = now();
          if (job.attemptsMade >= maxAttempts) {
            failedIds.push(id);
            failed++;
          } else ready.push(id);
        }
      }
      return { completed, failed };
    },
    failed: () => failedIds.flatMap((id) => (jobs.has(id) ? [copy(jobs.get(id)!)] : [])),
    waiting: () => ready.flatMap((id) => (jobs.has(id) ? [copy(jobs.get(id)!)] : [])),
    remove(id) {
      const had = jobs.delete(id);
      ready = ready.filter((x) => x !== id);
      inFlight.delete(id);
      const i = failedIds.indexOf(id);
      if (i >= 0) failedIds.splice(i, 1);
      return had;
    },
  };
}
