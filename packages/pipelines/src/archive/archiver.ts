/**
 * The queue archiver: drains a {@link MessageSource} into a stream's segments, acking each message only after
 * the batch holding it is committed (segment, commit record and state all stored). A crash at any point
 * therefore loses nothing (unacked messages are redelivered) and duplicates nothing (redeliveries of committed
 * ids are acked and dropped; see `stream-writer.ts`).
 */
import type { Storage } from '@strata/storage';
import type { MessageSource, SourceMessage } from './message-source.ts';
import { createStreamWriter } from './stream-writer.ts';
import type { StreamWriter } from './stream-writer.ts';

/** Options of {@link createArchiver}. */
export interface ArchiverOptions {
  /** The stream's name: the key prefix under which its segments, commit records and state live. */
  stream: string;
  source: MessageSource;
  /** Messages per segment at most. @default 1000 */
  batchSize?: number;
  /** In follow mode, commit a partial batch after this long without a full one. @default 1000 */
  maxBatchWaitMs?: number;
  /** Messages per gzip member (replay seeks to member boundaries). @default 256 */
  blockSize?: number;
  /** Recently committed ids kept for dropping redeliveries. @default 10000 */
  dedupeWindow?: number;
  /** This archiver's name in the state and commit records. @default a random UUID */
  writerId?: string;
}

/** Options of {@link Archiver.run}. */
export interface ArchiveRunOptions {
  /** Keep waiting for messages (until `signal` aborts) instead of returning when the source is empty. */
  follow?: boolean;
  signal?: AbortSignal;
  /** Stop after this many committed segments (for tests and bounded jobs). */
  maxBatches?: number;
}

/** What one {@link Archiver.run} did. */
export interface ArchiveRunResult {
  /** Segments committed. */
  batches: number;
  /** Messages archived. */
  archived: number;
  /** Redelivered messages that were already archived: acked, not stored again. */
  duplicates: number;
  /** The offset the next segment will start at. */
  nextOffset: number;
}

/** A queue archiver. */
export interface Archiver {
  /**
   * Drains the source into segments. Throws `PipelineError('Fenced')` when another archiver took the stream
   * over (this one then acks nothing more), and storage errors as they come; either way every message not
   * acked is redelivered by the source.
   */
  run(options?: ArchiveRunOptions): Promise<ArchiveRunResult>;
}

/** Creates an archiver for one stream. */
export function createArchiver(storage: Storage, options: ArchiverOptions): Archiver {
  const batchSize = options.batchSize ?? 1000;
  const maxWait = options.maxBatchWaitMs ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer: ${batchSize}`);

  async function flush(writer: StreamWriter, batch: SourceMessage[], result: ArchiveRunResult): Promise<void> {
    const pending = batch.map((m) => ({ id: m.id, timestamp: m.timestamp, data: m.data, ...(m.attributes ? { attributes: m.attributes } : {}) }));
    const { committed, duplicates } = await writer.commit(pending);
    // Only now is every message of the batch durable (or known to be): ack them all.
    for (const m of batch) await m.ack();
    if (committed.length > 0) result.batches++;
    result.archived += committed.length;
    result.duplicates += duplicates.length;
    result.nextOffset = writer.nextOffset;
  }

  return {
    async run(runOptions = {}) {
      const { signal, follow = false } = runOptions;
      const writer = createStreamWriter(storage, { stream: options.stream, writerId: options.writerId, blockSize: options.blockSize, dedupeWindow: options.dedupeWindow, signal });
      await writer.open();
      const result: ArchiveRunResult = { batches: 0, archived: 0, duplicates: 0, nextOffset: writer.nextOffset };
      const iterator = options.source.messages({ follow, signal })[Symbol.asyncIterator]();
      let batch: SourceMessage[] = [];
      let pendingNext: Promise<IteratorResult<SourceMessage>> | undefined;
      try {
        while (runOptions.maxBatches === undefined || result.batches < runOptions.maxBatches) {
          pendingNext ??= iterator.next();
          let step: IteratorResult<SourceMessage> | 'timeout';
          if (batch.length > 0 && follow) {
            let timer: NodeJS.Timeout | undefined;
            const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), maxWait)));
            step = await Promise.race([pendingNext, timeout]);
            clearTimeout(timer);
          } else step = await pendingNext;
          if (step === 'timeout') {
            await flush(writer, batch, result);
            batch = [];
            continue;
          }
          pendingNext = undefined;
          if (step.done) break;
          const message = step.value;
          if (writer.isDuplicate(message.id)) {
            await message.ack(); // a redelivery of a committed message (crash between commit and ack)
            result.duplicates++;
            continue;
          }
          batch.push(message);
          if (batch.length >= batchSize) {
            await flush(writer, batch, result);
            batch = [];
          }
        }
        if (batch.length > 0 && (runOptions.maxBatches === undefined || result.batches < runOptions.maxBatches)) {
          await flush(writer, batch, result);
          batch = [];
        }
      } finally {
        // Ending the iteration hands unacked messages back to the source (the batch that failed, if any). An
        // async generator runs `return` only after a pending `next` settles, so that case is not awaited.
        const closing = iterator.return?.();
        if (pendingNext === undefined) await closing;
        else void closing?.catch(() => undefined);
      }
      result.nextOffset = writer.nextOffset;
      return result;
    },
  };
}
