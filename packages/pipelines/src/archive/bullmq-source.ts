/**
 * A {@link MessageSource} over a BullMQ queue's *completed* jobs: archive what workers finished, then trim it
 * from Redis. Jobs are read oldest-finished first (the completed set is scored by `finishedOn`); `ack` removes
 * the job, so a job is deleted from Redis only after its segment is committed. A crash before the ack leaves the
 * job in the completed set, where the next run finds it again (and the archiver drops it as a redelivery).
 *
 * Limitations: the queue's jobs must not use `removeOnComplete` (they would vanish before archiving);
 * `follow` polls every `pollMs` (BullMQ has no blocking read of the completed set).
 */
import type { BullJob, BullQueue } from './bullmq-shapes.ts';
import type { MessageSource, MessagesOptions, SourceMessage } from './message-source.ts';

/** Options of {@link createBullMQCompletedSource}. */
export interface BullMQSourceOptions {
  /** Jobs fetched per Redis round trip. @default 200 */
  pageSize?: number;
  /** Poll interval while following an empty queue. @default 500 */
  pollMs?: number;
}

/** Maps a finished BullMQ job to a source message (shared with the DLQ source). */
export function jobAttributes(job: BullJob): Record<string, unknown> {
  return {
    name: job.name,
    returnvalue: job.returnvalue ?? null,
    attemptsMade: job.attemptsMade,
    createdAt: job.timestamp,
    ...(job.processedOn !== undefined ? { processedOn: job.processedOn } : {}),
  };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Creates a source draining `queue`'s completed jobs. The caller owns (and closes) the queue. */
export function createBullMQCompletedSource(queue: BullQueue, options: BullMQSourceOptions = {}): MessageSource {
  const pageSize = options.pageSize ?? 200;
  const pollMs = options.pollMs ?? 500;
  return {
    name: `bullmq:${queue.name}`,
    async *messages(opts: MessagesOptions = {}) {
      // Ids delivered in this iteration and not yet acked: they stay at the head of the completed set.
      const outstanding = new Set<string>();
      while (!opts.signal?.aborted) {
        const jobs = await queue.getJobs(['completed'], outstanding.size, outstanding.size + pageSize - 1, true);
        const fresh = jobs.filter((j): j is BullJob & { id: string } => j?.id !== undefined && !outstanding.has(j.id));
        if (fresh.length === 0) {
          if (!opts.follow) return;
          await sleep(pollMs, opts.signal);
          continue;
        }
        for (const job of fresh) {
          outstanding.add(job.id);
          const message: SourceMessage = {
            id: job.id,
            data: job.data,
            timestamp: job.finishedOn ?? job.timestamp,
            attributes: jobAttributes(job),
            ack: async () => {
              await job.remove();
              outstanding.delete(job.id);
            },
            // Nothing to undo: an unacked job simply stays in the completed set.
            nack: async () => { outstanding.delete(job.id); },
          };
          yield message;
        }
      }
    },
  };
}
