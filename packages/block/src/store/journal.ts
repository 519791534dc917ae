/**
 * The write-ahead journal: a ring of pages holding batches of records. A batch is
 *
 *   [magic u32][seq lo u32][seq hi u32][payload length u32][record count u32][reserved u32][payload][xxh64 u64]
 *
 * padded to whole pages, the hash covering everything before it. One batch is written per group commit and
 * made durable with one flush (SQLite's WAL frames with their running checksum; PostgreSQL's group commit).
 * Replay reads batches from the superblock's start position while the magic, the expected sequence number
 * and the hash all hold; the first failure is the end of the journal (a torn or stale tail). A batch that
 * would run past the end of the ring starts at ring offset 0 instead, and replay tries there too.
 */
import type { PageDevice } from '../device/types.ts';
import type { Hash64 } from '../hash.ts';
import { isStorageError } from '@strata/storage';
import type { JournalRecord } from './records.ts';

const MAGIC = 0x4e524a53; // "SJRN"
const HEAD = 24;
const TAIL = 8;

/** Bytes a batch adds around its records' JSON (header, brackets, hash). */
export const BATCH_OVERHEAD = HEAD + 2 + TAIL;

/** Encodes a batch of records into whole pages. */
export function encodeBatch(seq: number, records: JournalRecord[], pageSize: number, hash: Hash64): Buffer {
  return encodeBatchJson(seq, records.map((r) => JSON.stringify(r)), pageSize, hash);
}

/** Encodes a batch from its records already serialized (one JSON text each) into whole pages. */
export function encodeBatchJson(seq: number, records: readonly string[], pageSize: number, hash: Hash64): Buffer {
  const payload = Buffer.from(`[${records.join(',')}]`, 'utf8');
  const total = HEAD + payload.length + TAIL;
  const buf = Buffer.alloc(Math.ceil(total / pageSize) * pageSize);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(seq % 2 ** 32, 4);
  buf.writeUInt32LE(Math.floor(seq / 2 ** 32), 8);
  buf.writeUInt32LE(payload.length, 12);
  buf.writeUInt32LE(records.length, 16);
  payload.copy(buf, HEAD);
  buf.writeBigUInt64LE(hash(buf.subarray(0, HEAD + payload.length)), HEAD + payload.length);
  return buf;
}

/** A batch read back. */
export interface ReadBatch {
  records: JournalRecord[];
  /** Ring offset it was found at. */
  at: number;
  pages: number;
}

/** Why a batch could not be read at a position (the normal end of the journal, or damage). */
export type BatchMiss = { reason: string };

/** Reads the batch with sequence `seq` at ring offset `at`, or says why there is none. */
export async function readBatchAt(
  device: PageDevice,
  ringStart: number,
  ringPages: number,
  at: number,
  seq: number,
  hash: Hash64,
): Promise<ReadBatch | BatchMiss> {
  const ps = device.pageSize;
  try {
    const first = await device.read(ringStart + at, 1);
    if (first.readUInt32LE(0) !== MAGIC) return { reason: 'no batch header' };
    const got = first.readUInt32LE(4) + first.readUInt32LE(8) * 2 ** 32;
    if (got !== seq) return { reason: `sequence ${got}, expected ${seq}` };
    const len = first.readUInt32LE(12);
    const pages = Math.ceil((HEAD + len + TAIL) / ps);
    if (at + pages > ringPages) return { reason: 'batch runs past the ring' };
    const buf = pages === 1 ? first : Buffer.concat([first, await device.read(ringStart + at + 1, pages - 1)]);
    if (buf.readBigUInt64LE(HEAD + len) !== hash(buf.subarray(0, HEAD + len))) return { reason: 'batch checksum mismatch' };
    const records = JSON.parse(buf.toString('utf8', HEAD, HEAD + len)) as JournalRecord[];
    if (!Array.isArray(records) || records.length !== first.readUInt32LE(16)) return { reason: 'batch record count mismatch' };
    return { records, at, pages };
  } catch (e) {
    if (isStorageError(e) && e.code === 'Corrupted') return { reason: e.message };
    throw e;
  }
}

/** Reads the next batch: at `at`, or — for a batch that wrapped — at ring offset 0. */
export async function readNextBatch(
  device: PageDevice,
  ringStart: number,
  ringPages: number,
  at: number,
  seq: number,
  hash: Hash64,
): Promise<ReadBatch | BatchMiss> {
  const here = await readBatchAt(device, ringStart, ringPages, at, seq, hash);
  if ('records' in here || at === 0) return here;
  const wrapped = await readBatchAt(device, ringStart, ringPages, 0, seq, hash);
  return 'records' in wrapped ? wrapped : here;
}
