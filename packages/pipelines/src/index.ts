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
export type * from './archive/bullmq-shapes.ts';
export * from './archive/segment.ts';
export * from './archive/stream-writer.ts';
export * from './archive/archiver.ts';
export * from './archive/replay.ts';
export * from './archive/retention.ts';

export * from './dlq/failed-jobs.ts';
export * from './dlq/snapshots.ts';
export * from './dlq/restore.ts';

export * from './lake/schema/types.ts';
export * from './lake/schema/conform.ts';
export * from './lake/schema/infer.ts';
export * from './lake/schema/decode.ts';
export { formatTimestampMicros, parseTimestampString } from './lake/schema/scalars.ts';
export * from './lake/parquet/io.ts';
export * from './lake/delta/actions.ts';
export * from './lake/delta/log-keys.ts';
export * from './lake/delta/protocol.ts';
export * from './lake/delta/state.ts';
export * from './lake/delta/checkpoint.ts';
export * from './lake/delta/log-reader.ts';
export * from './lake/stats.ts';
export * from './lake/files.ts';
export * from './lake/legacy.ts';
export * from './lake/commit.ts';
export * from './lake/table-metadata.ts';
export * from './lake/table.ts';
export * from './lake/snapshot.ts';
export * from './lake/compact.ts';
export * from './lake/vacuum.ts';
