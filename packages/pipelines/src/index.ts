/**
 * `@strata/pipelines`: queue archives, DLQ snapshots and ETL lake outputs, written against the storage
 * contract only (create-only puts, if-match puts, strictly ordered listing), so they run unchanged on every
 * adapter: memory, block, file and S3.
 */
export * from './errors.ts';
export type { Versioned } from './internal/objects.ts';
export { padOffset } from './internal/objects.ts';

export type * from './archive/message-source.ts';
export * from './archive/memory-queue.ts';
export * from './archive/bullmq-source.ts';
export * from './archive/segment.ts';
export * from './archive/stream-writer.ts';
export * from './archive/archiver.ts';
export * from './archive/replay.ts';
export * from './archive/retention.ts';

export * from './dlq/failed-jobs.ts';
export * from './dlq/snapshots.ts';
export * from './dlq/restore.ts';

export * from './lake/formats.ts';
export * from './lake/log.ts';
export * from './lake/commit.ts';
export * from './lake/table.ts';
export * from './lake/snapshot.ts';
export * from './lake/maintenance.ts';
