/**
 * The commit protocol of one archive stream, over the storage contract only.
 *
 * A batch commits in three writes, each safe to crash after:
 * 1. the segment, create-only (`<start>-<end>.jsonl.gz`);
 * 2. its commit record, create-only, named by the start offset alone (`index/<start>.json`) — the point at
 *    which the batch exists for readers; two writers racing for the same offsets cannot both pass it;
 * 3. the state, if-match (`state.json`): the fence. An archiver whose if-match fails stops without acking.
 *
 * Recovery (`catchUp`, run at open and after any conflict) walks forward from the state's `nextOffset`:
 * a commit record found there (written, then crashed before the state) is adopted; a segment found there with
 * no commit record (crashed before step 2) is committed as it stands, since a put is atomic and its messages
 * were never acked. Either way the adopted messages' ids become `recentIds`, so their redelivery is acked and
 * not archived twice.
 */
import { randomUUID } from 'node:crypto';
import type { Storage } from '@strata/storage';
import { PipelineError } from '../errors.ts';
import { firstKeyFrom, getJson, hasErrorCode, padOffset, putJsonCreateOnly, putJsonIfMatch } from '../internal/objects.ts';
import { readStream, gunzipJsonLines } from '../internal/streams.ts';
import type { ArchiveState, ArchivedMessage, SegmentIndex } from './segment.ts';
import { encodeSegment, indexKey, parseSegmentKey, segmentKey, segmentsPrefix, stateKey } from './segment.ts';

/** A message to commit: everything but its offset, which the stream assigns. */
export type PendingMessage = Omit<ArchivedMessage, 'offset'>;

/** Options of {@link createStreamWriter}. */
export interface StreamWriterOptions {
  /** The stream's name: the key prefix of its objects (no trailing slash). */
  stream: string;
  /** This writer's name in state and commit records. @default a random UUID */
  writerId?: string;
  /** Messages per gzip member (the seek granularity of replay). @default 256 */
  blockSize?: number;
  /** How many recently committed ids are kept in the state for dropping redeliveries. @default 10000 */
  dedupeWindow?: number;
  signal?: AbortSignal;
}

/** The outcome of {@link StreamWriter.commit}. */
export interface CommitResult {
  /** The committed messages with their offsets (empty when every message was a redelivery). */
  committed: ArchivedMessage[];
  /** Ids that were already archived (redeliveries): ack them, do not store them. */
  duplicates: string[];
}

/** A writer of one stream. One per process at a time; a second one fences the first. */
export interface StreamWriter {
  readonly writerId: string;
  /** The next offset to be written. */
  readonly nextOffset: number;
  /** Reads or creates the state, takes the stream over (fencing earlier writers) and recovers. */
  open(): Promise<void>;
  /** True when the id was committed recently (a redelivery). */
  isDuplicate(id: string): boolean;
  /** Commits a batch. Throws `PipelineError('Fenced')` when another writer took the stream. */
  commit(messages: readonly PendingMessage[]): Promise<CommitResult>;
}

const MAX_CONFLICT_ROUNDS = 5;
/** Bound on commit records adopted in one recovery: a guard against a corrupt loop, not a real limit. */
const MAX_ADOPT = 1_000_000;

/** Creates a stream writer. */
export function createStreamWriter(storage: Storage, options: StreamWriterOptions): StreamWriter {
  const { stream, signal } = options;
  if (stream === '' || stream.endsWith('/')) throw new TypeError(`stream must be non-empty without a trailing '/': ${stream}`);
  const writerId = options.writerId ?? randomUUID();
  const blockSize = options.blockSize ?? 256;
  const dedupeWindow = options.dedupeWindow ?? 10_000;
  let state: ArchiveState | undefined;
  let etag = '';
  let recent = new Set<string>();

  const fenced = (cause?: unknown) =>
    new PipelineError('Fenced', `archive stream '${stream}': another archiver took over (state.json changed)`, { cause });

  function remember(ids: Iterable<string>, replace: boolean): void {
    const all = replace ? [...ids] : [...recent, ...ids];
    recent = new Set(all.slice(Math.max(0, all.length - dedupeWindow)));
  }

  async function writeState(next: ArchiveState): Promise<void> {
    try {
      etag = await putJsonIfMatch(storage, stateKey(stream), next, etag, signal);
      state = next;
    } catch (e) {
      if (hasErrorCode(e, 'PreconditionFailed')) throw fenced(e);
      throw e;
    }
  }

  async function readSegmentMessages(key: string, expectedEtag?: string): Promise<ArchivedMessage[]> {
    const res = await storage.get(key, { signal, ...(expectedEtag ? { ifMatch: expectedEtag } : {}) });
    return gunzipJsonLines<ArchivedMessage>(await readStream(res.body));
  }

  /** Adopts commit records and orphan segments at and after `nextOffset`, then records them in the state. */
  async function catchUp(): Promise<void> {
    if (state === undefined) throw new Error('open() first');
    let next = state.nextOffset;
    const adopted: string[] = [];
    for (let i = 0; i < MAX_ADOPT; i++) {
      const found = await getJson<SegmentIndex>(storage, indexKey(stream, next), signal);
      if (found !== undefined) {
        const msgs = await readSegmentMessages(found.value.segment, found.value.etag);
        adopted.push(...msgs.map((m) => m.id));
        next = found.value.end + 1;
        continue;
      }
      const key = await firstKeyFrom(storage, segmentsPrefix(stream), segmentsPrefix(stream) + padOffset(next), signal);
      const range = key === undefined ? undefined : parseSegmentKey(stream, key);
      if (key === undefined || range === undefined || range.start !== next) break;
      // A segment with no commit record: its writer crashed (or was fenced) between steps 1 and 2.
      const info = await storage.head(key, { signal });
      const msgs = await readSegmentMessages(key, info.etag);
      const contiguous = msgs.length === range.end - range.start + 1 && msgs.every((m, j) => m.offset === range.start + j);
      if (!contiguous) throw new PipelineError('Corrupted', `segment ${key} does not hold offsets ${range.start}..${range.end}`);
      try {
        await putJsonCreateOnly(storage, indexKey(stream, next), buildIndex(key, info.etag, info.size, msgs, [{ offset: next, byte: 0, line: 0 }]), signal);
      } catch (e) {
        if (!hasErrorCode(e, 'AlreadyExists')) throw e;
      }
      // Loop: the commit record now exists (ours or a racing writer's) and is adopted on the next pass.
    }
    if (next !== state.nextOffset) {
      remember(adopted, false);
      await writeState({ ...state, nextOffset: next, recentIds: [...recent], owner: writerId, updatedAt: new Date().toISOString() });
    }
  }

  function buildIndex(key: string, segEtag: string, size: number, msgs: readonly ArchivedMessage[], blocks: SegmentIndex['blocks']): SegmentIndex {
    const ts = msgs.map((m) => m.timestamp);
    return {
      format: 'strata.archive.index/1',
      stream,
      start: msgs[0]!.offset,
      end: msgs[msgs.length - 1]!.offset,
      segment: key,
      etag: segEtag,
      size,
      count: msgs.length,
      blocks,
      minTimestamp: Math.min(...ts),
      maxTimestamp: Math.max(...ts),
      committedAt: new Date().toISOString(),
      writer: writerId,
    };
  }

  /** One attempt: `undefined` means a conflict was resolved by recovery and the caller should retry. */
  async function tryCommit(batch: readonly PendingMessage[]): Promise<ArchivedMessage[] | undefined> {
    const start = state!.nextOffset;
    const msgs: ArchivedMessage[] = batch.map((m, i) => ({ offset: start + i, ...m }));
    const key = segmentKey(stream, start, start + msgs.length - 1);
    const { bytes, blocks } = encodeSegment(msgs, blockSize);
    let segEtag: string;
    try {
      segEtag = (await storage.put(key, bytes, { ifNoneMatch: '*', contentType: 'application/x-ndjson', contentEncoding: 'gzip', signal })).etag;
    } catch (e) {
      if (!hasErrorCode(e, 'AlreadyExists')) throw e;
      await catchUp(); // someone wrote these offsets: adopt whatever is committed, then retry what is left
      return undefined;
    }
    try {
      await putJsonCreateOnly(storage, indexKey(stream, start), buildIndex(key, segEtag, bytes.length, msgs, blocks), signal);
    } catch (e) {
      if (!hasErrorCode(e, 'AlreadyExists')) throw e;
      const winner = await getJson<SegmentIndex>(storage, indexKey(stream, start), signal);
      // Safe to delete: the commit record for `start` names another segment, and none can ever name ours.
      if (winner !== undefined && winner.value.segment !== key) await storage.delete(key, { signal });
      await catchUp();
      return undefined;
    }
    remember(msgs.map((m) => m.id), false);
    await writeState({ ...state!, nextOffset: start + msgs.length, recentIds: [...recent], owner: writerId, updatedAt: new Date().toISOString() });
    return msgs;
  }

  return {
    writerId,
    get nextOffset() {
      return state?.nextOffset ?? 0;
    },
    async open() {
      let found = await getJson<ArchiveState>(storage, stateKey(stream), signal);
      if (found === undefined) {
        const initial: ArchiveState = { format: 'strata.archive.state/1', stream, nextOffset: 0, recentIds: [], owner: writerId, updatedAt: new Date().toISOString() };
        try {
          etag = await putJsonCreateOnly(storage, stateKey(stream), initial, signal);
          state = initial;
        } catch (e) {
          if (!hasErrorCode(e, 'AlreadyExists')) throw e;
          found = await getJson<ArchiveState>(storage, stateKey(stream), signal);
          if (found === undefined) throw fenced(e);
        }
      }
      if (found !== undefined) {
        state = found.value;
        etag = found.etag;
        remember(state.recentIds, true);
        // Take the stream over: any earlier archiver now fails its next if-match and stops (fencing token).
        await writeState({ ...state, owner: writerId, updatedAt: new Date().toISOString() });
      }
      await catchUp();
    },
    isDuplicate: (id) => recent.has(id),
    async commit(messages) {
      if (state === undefined) throw new Error('open() first');
      const duplicates: string[] = [];
      let pending = [...messages];
      for (let round = 0; round < MAX_CONFLICT_ROUNDS; round++) {
        const fresh = pending.filter((m) => !recent.has(m.id));
        duplicates.push(...pending.filter((m) => recent.has(m.id)).map((m) => m.id));
        pending = fresh;
        if (pending.length === 0) return { committed: [], duplicates };
        const committed = await tryCommit(pending);
        if (committed !== undefined) return { committed, duplicates };
      }
      throw fenced();
    },
  };
}
