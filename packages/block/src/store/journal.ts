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
  return encodeBatchJson(seq, records.map(serializeRecord), pageSize, hash);
}

/**
 * A record as JSON, in at most two pieces: `text`, then — for an object staged in its record — its base64
 * bytes `inline` and the closing `"}}`. `bytes` is the UTF-8 length of the whole.
 */
export interface SerializedRecord {
  text: string;
  inline?: string;
  bytes: number;
}

/** What closes a record after its `inline` text: the string, the object, the record. */
const INLINE_CLOSE = '"}}';

/**
 * One record as JSON. An object staged in its record (`inline`, base64) is spliced in as it is, last in `obj`
 * (and `obj` last in the record): `JSON.stringify` scans every character of a string for escapes, about a
 * nanosecond a byte, ~5 µs for a 4 KiB object's record, and base64 text never needs one. It is kept as a piece
 * of its own (joining it to the rest would copy it once more), and its UTF-8 length is its length (base64 is
 * ASCII), so only the rest is measured. The JSON parses to the same record (only the order of keys differs),
 * so replay and older journals read alike.
 */
export function serializeRecord(rec: JournalRecord): SerializedRecord {
  const obj = 'obj' in rec ? rec.obj : undefined;
  if (obj?.inline === undefined) {
    const text = JSON.stringify(rec);
    return { text, bytes: Buffer.byteLength(text) };
  }
  // Undefined members are left out: the record keeps at least `op`, the object at least `key`, so neither is `{}`.
  const head = JSON.stringify({ ...rec, obj: undefined }).slice(0, -1);
  const body = JSON.stringify({ ...obj, inline: undefined }).slice(0, -1);
  const text = `${head},"obj":${body},"inline":"`;
  return { text, inline: obj.inline, bytes: Buffer.byteLength(text) + obj.inline.length + INLINE_CLOSE.length };
}

/**
 * Encodes a batch of serialized records into whole pages. The pieces are written straight into the page buffer:
 * joining them first and encoding the joined string cost more than serializing them (a flattened copy, a UTF-8
 * pass and a second copy of ~5 KiB a record).
 */
export function encodeBatchJson(seq: number, records: readonly SerializedRecord[], pageSize: number, hash: Hash64): Buffer {
  let payloadLength = 2 + Math.max(0, records.length - 1);
  for (const r of records) payloadLength += r.bytes;
  const total = HEAD + payloadLength + TAIL;
  const buf = Buffer.allocUnsafe(Math.ceil(total / pageSize) * pageSize);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(seq % 2 ** 32, 4);
  buf.writeUInt32LE(Math.floor(seq / 2 ** 32), 8);
  buf.writeUInt32LE(payloadLength, 12);
  buf.writeUInt32LE(records.length, 16);
  buf.writeUInt32LE(0, 20);
  let at = HEAD;
  buf[at++] = 0x5b; // [
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as SerializedRecord;
    if (i > 0) buf[at++] = 0x2c; // ,
    const start = at;
    at += buf.write(r.text, at, 'utf8');
    if (r.inline !== undefined) {
      at += buf.write(r.inline, at, 'latin1');
      at += buf.write(INLINE_CLOSE, at, 'latin1');
    }
    if (at - start !== r.bytes) throw new Error(`journal record ${i} encodes to ${at - start} bytes, not the ${r.bytes} counted`);
  }
  buf[at++] = 0x5d; // ]
  buf.writeBigUInt64LE(hash(buf.subarray(0, at)), at);
  // The padding after the hash is zeroed, as before: no stale memory reaches the medium.
  buf.fill(0, at + TAIL);
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
