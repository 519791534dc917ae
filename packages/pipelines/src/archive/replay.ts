/**
 * Replay: streams archived messages back in offset order, following the chain of commit records
 * (`index/<start>.json` → segment → `index/<end+1>.json` …). Only committed segments are read; orphan segments
 * of crashed or fenced writers are never seen. The first segment is entered at the gzip member holding `from`
 * through one ranged read, as Kafka's offset index lets a fetch start mid-segment.
 */
import type { Storage } from '@strata/storage';
import { PipelineError } from '../errors.ts';
import { firstKeyFrom, getJson, listAll, padOffset } from '../internal/objects.ts';
import { streamJsonLines } from '../internal/streams.ts';
import type { ArchivedMessage, SegmentIndex } from './segment.ts';
import { blockFor, indexKey, indexPrefix, parseIndexKey } from './segment.ts';

/** Options of {@link replay}. */
export interface ReplayOptions {
  stream: string;
  /** The first offset to return (inclusive). Offsets deleted by retention are skipped. @default 0 */
  from?: number;
  /** The last offset to return (inclusive). @default the last committed offset */
  to?: number;
  signal?: AbortSignal;
}

/** The start offset of the commit record covering `offset` (the last one starting at or before it). */
async function findCovering(storage: Storage, stream: string, offset: number, signal?: AbortSignal): Promise<number | undefined> {
  const prefix = indexPrefix(stream);
  // Listing only goes forward, so probe backwards by doubling distances (O(log offset) lists), then walk forward.
  for (let distance = 1; ; distance *= 2) {
    const probe = Math.max(0, offset - distance + 1);
    const key = await firstKeyFrom(storage, prefix, prefix + padOffset(probe), signal);
    const start = key === undefined ? undefined : parseIndexKey(stream, key);
    if (start !== undefined && start <= offset) {
      let best = start;
      for await (const item of listAll(storage, { prefix, startAfter: key, signal })) {
        const s = parseIndexKey(stream, item.key);
        if (s === undefined || s > offset) break;
        best = s;
      }
      return best;
    }
    if (probe === 0) return start; // nothing at or before `offset`: the earliest segment left, if any
  }
}

/** Streams the committed messages `from..to` of a stream in offset order. */
export async function* replay(storage: Storage, options: ReplayOptions): AsyncGenerator<ArchivedMessage> {
  const { stream, signal } = options;
  const from = options.from ?? 0;
  const to = options.to ?? Number.MAX_SAFE_INTEGER;
  if (from > to) return;
  let start = await findCovering(storage, stream, from, signal);
  let first = true;
  while (start !== undefined && start <= to) {
    const found = await getJson<SegmentIndex>(storage, indexKey(stream, start), signal);
    if (found === undefined) return; // the end of the committed chain
    const index = found.value;
    const block = first ? blockFor(index, from) : { offset: index.start, byte: 0, line: 0 };
    first = false;
    // ifMatch: a segment replaced under its commit record is corruption, not data.
    const res = await storage.get(index.segment, { ifMatch: index.etag, signal, ...(block.byte > 0 ? { range: { start: block.byte } } : {}) });
    let expected = block.offset;
    for await (const message of streamJsonLines<ArchivedMessage>(res.body)) {
      if (message.offset !== expected++) throw new PipelineError('Corrupted', `segment ${index.segment}: offset ${message.offset} out of sequence`);
      if (message.offset > to) return;
      if (message.offset >= from) yield message;
    }
    if (expected !== index.end + 1) throw new PipelineError('Corrupted', `segment ${index.segment} ends at ${expected - 1}, not ${index.end}`);
    start = index.end + 1;
  }
}

/** The committed range of a stream, from its commit records: `undefined` when nothing is committed. */
export async function committedRange(storage: Storage, stream: string, signal?: AbortSignal): Promise<{ first: number; next: number } | undefined> {
  let first: number | undefined;
  let next = 0;
  for await (const item of listAll(storage, { prefix: indexPrefix(stream), signal })) {
    const s = parseIndexKey(stream, item.key);
    if (s === undefined) continue;
    first ??= s;
    const idx = await getJson<SegmentIndex>(storage, item.key, signal);
    if (idx !== undefined) next = Math.max(next, idx.value.end + 1);
  }
  return first === undefined ? undefined : { first, next };
}
