/**
 * The archive's on-storage layout and its encodings.
 *
 * ```
 * <stream>/state.json                                         the archiver's position (if-match, fencing)
 * <stream>/segments/<start>-<end>.jsonl.gz                    immutable batches, create-only
 * <stream>/index/<start>.json                                 the commit record of a segment, create-only
 * ```
 *
 * Offsets are zero-padded to 20 digits so byte order is numeric order. A segment is gzip'd JSON Lines written as
 * several gzip members of `blockSize` lines; its index records where each member starts (offset → byte
 * position and line), so a replay from the middle does one ranged read at a member boundary (RFC 1952 §2.2:
 * concatenated members are one gzip stream). The index is also the *commit record*: it is named by the start
 * offset alone, so of two archivers that batched the same offsets differently (different end offsets, hence
 * different segment names) exactly one can commit — the same role Kafka's remote log metadata plays in KIP-405.
 */
import { gzipSync } from 'node:zlib';
import { padOffset } from '../internal/objects.ts';

/** One archived message, as stored (one JSON line) and as replayed. */
export interface ArchivedMessage {
  offset: number;
  id: string;
  timestamp: number;
  data: unknown;
  attributes?: Record<string, unknown>;
}

/** Where a gzip member of a segment starts. */
export interface SegmentBlock {
  /** The offset of the member's first message. */
  offset: number;
  /** Byte position of the member in the segment object. */
  byte: number;
  /** Line number (0-based) of the member's first message in the decompressed segment. */
  line: number;
}

/** The commit record of one segment, at `<stream>/index/<start>.json`. */
export interface SegmentIndex {
  format: 'strata.archive.index/1';
  stream: string;
  start: number;
  end: number;
  /** The segment's key. */
  segment: string;
  /** The segment's ETag, checked on every read (`ifMatch`). */
  etag: string;
  size: number;
  count: number;
  blocks: SegmentBlock[];
  /** Smallest and largest message timestamp: retention by age uses the largest, as Kafka's `retention.ms`. */
  minTimestamp: number;
  maxTimestamp: number;
  committedAt: string;
  writer: string;
}

/** The per-stream state at `<stream>/state.json`. */
export interface ArchiveState {
  format: 'strata.archive.state/1';
  stream: string;
  /** The offset the next segment starts at; every offset below it is committed (or deleted by retention). */
  nextOffset: number;
  /** Ids of the most recently committed messages: redeliveries of these are acked, not archived again. */
  recentIds: string[];
  /** The archiver that last took the stream over; older ones fail their next if-match and stop. */
  owner: string;
  updatedAt: string;
}

/** The key of the state object. */
export const stateKey = (stream: string): string => `${stream}/state.json`;
/** The prefix of the segments. */
export const segmentsPrefix = (stream: string): string => `${stream}/segments/`;
/** The prefix of the commit records. */
export const indexPrefix = (stream: string): string => `${stream}/index/`;
/** The key of the segment holding offsets `start..end`. */
export const segmentKey = (stream: string, start: number, end: number): string =>
  `${segmentsPrefix(stream)}${padOffset(start)}-${padOffset(end)}.jsonl.gz`;
/** The key of the commit record of the segment starting at `start`. */
export const indexKey = (stream: string, start: number): string => `${indexPrefix(stream)}${padOffset(start)}.json`;

const SEGMENT_RE = /^(\d{20})-(\d{20})\.jsonl\.gz$/;
const INDEX_RE = /^(\d{20})\.json$/;

/** Parses a segment key's offsets, or `undefined` for a foreign key. */
export function parseSegmentKey(stream: string, key: string): { start: number; end: number } | undefined {
  const m = SEGMENT_RE.exec(key.slice(segmentsPrefix(stream).length));
  return m === null || !key.startsWith(segmentsPrefix(stream)) ? undefined : { start: Number(m[1]), end: Number(m[2]) };
}

/** Parses a commit record key's start offset, or `undefined`. */
export function parseIndexKey(stream: string, key: string): number | undefined {
  const m = INDEX_RE.exec(key.slice(indexPrefix(stream).length));
  return m === null || !key.startsWith(indexPrefix(stream)) ? undefined : Number(m[1]);
}

/** Encodes contiguous messages as gzip members of `blockSize` lines and returns the bytes and the block table. */
export function encodeSegment(messages: readonly ArchivedMessage[], blockSize: number): { bytes: Buffer; blocks: SegmentBlock[] } {
  const members: Buffer[] = [];
  const blocks: SegmentBlock[] = [];
  let byte = 0;
  for (let i = 0; i < messages.length; i += blockSize) {
    const slice = messages.slice(i, i + blockSize);
    // Deterministic bytes for the same messages (no mtime in the header: Node writes 0), so a retried
    // batch produces the same segment and its create-only put can be recognised as the same write.
    const member = gzipSync(slice.map((m) => JSON.stringify(m) + '\n').join(''));
    blocks.push({ offset: slice[0]!.offset, byte, line: i });
    members.push(member);
    byte += member.length;
  }
  return { bytes: Buffer.concat(members), blocks };
}

/** The block to start reading at for `offset`: the last one whose first offset is at or before it. */
export function blockFor(index: SegmentIndex, offset: number): SegmentBlock {
  let chosen = index.blocks[0] ?? { offset: index.start, byte: 0, line: 0 };
  for (const b of index.blocks) if (b.offset <= offset) chosen = b;
  return chosen;
}
