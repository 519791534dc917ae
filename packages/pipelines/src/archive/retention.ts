/**
 * Retention: deletes whole segments from the front of a stream, by offset or by age (the largest message
 * timestamp in the segment, as Kafka's `retention.ms`), and orphan segments left by crashed or fenced writers.
 *
 * The commit record is deleted before its segment, so a crash in between leaves an orphan segment (cleaned
 * by the next run), never a commit record pointing at nothing. Only segments wholly below the state's
 * `nextOffset` are touched: the tail, where live writers and recovery work, is never deleted.
 */
import type { Storage } from '@strata/storage';
import { getJson, listAll } from '../internal/objects.ts';
import type { ArchiveState, SegmentIndex } from './segment.ts';
import { indexKey, indexPrefix, parseSegmentKey, segmentsPrefix, stateKey } from './segment.ts';

/** Options of {@link applyRetention}. */
export interface RetentionOptions {
  stream: string;
  /** Delete segments whose last offset is below this one. */
  beforeOffset?: number;
  /** Delete segments whose newest message is older than this many milliseconds. */
  maxAgeMs?: number;
  /** Orphan segments (no commit record) are deleted once older than this. @default 600000 (10 min) */
  orphanGraceMs?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  signal?: AbortSignal;
}

/** What {@link applyRetention} deleted. */
export interface RetentionResult {
  deletedSegments: string[];
  deletedOrphans: string[];
  /** The first offset still stored, or `undefined` when no segment is left. */
  firstOffset: number | undefined;
}

/** Applies retention to one stream. */
export async function applyRetention(storage: Storage, options: RetentionOptions): Promise<RetentionResult> {
  const { stream, signal } = options;
  const now = (options.now ?? Date.now)();
  const state = await getJson<ArchiveState>(storage, stateKey(stream), signal);
  const limit = state?.value.nextOffset ?? 0;
  const result: RetentionResult = { deletedSegments: [], deletedOrphans: [], firstOffset: undefined };

  for await (const item of listAll(storage, { prefix: indexPrefix(stream), signal })) {
    const idx = await getJson<SegmentIndex>(storage, item.key, signal);
    if (idx === undefined) continue;
    const seg = idx.value;
    const byOffset = options.beforeOffset !== undefined && seg.end < options.beforeOffset;
    const byAge = options.maxAgeMs !== undefined && seg.maxTimestamp < now - options.maxAgeMs;
    if (seg.end >= limit || !(byOffset || byAge)) {
      result.firstOffset = seg.start;
      break; // retention removes a prefix of the stream only
    }
    await storage.delete(item.key, { signal });
    await storage.delete(seg.segment, { signal });
    result.deletedSegments.push(seg.segment);
  }

  const grace = options.orphanGraceMs ?? 600_000;
  for await (const item of listAll(storage, { prefix: segmentsPrefix(stream), signal })) {
    const range = parseSegmentKey(stream, item.key);
    if (range === undefined || range.start >= limit) continue;
    if (item.lastModified.getTime() > now - grace) continue;
    const owner = await getJson<SegmentIndex>(storage, indexKey(stream, range.start), signal);
    if (owner !== undefined && owner.value.segment === item.key) continue;
    await storage.delete(item.key, { signal });
    result.deletedOrphans.push(item.key);
  }
  return result;
}
