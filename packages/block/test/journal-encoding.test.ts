/**
 * The journal batch format, pinned: records written with their staged bytes spliced in (`serializeRecord`) parse
 * to the records that were committed, with their UTF-8 length counted right, a batch is laid out as journal.ts documents it (header, JSON array, xxh64,
 * zeroed padding) and reads back through `readBatchAt`, and a store reopened on the same device replays staged
 * puts whose keys and metadata are not ASCII.
 */
import { describe, expect, it } from 'vitest';
import { createStorage, readBytes } from '@strata/storage';
import { createBlockAdapter, createMemoryDevice } from '../src/index.ts';
import { loadHash64 } from '../src/hash.ts';
import { encodeBatch, readBatchAt, serializeRecord } from '../src/store/journal.ts';
import type { JournalRecord, StoredObject } from '../src/store/records.ts';

const hash = await loadHash64();

const object = (over: Partial<StoredObject> = {}): StoredObject => ({
  key: 'dir/ключ "quoted" \\ back',
  size: 6,
  etag: '0123456789abcdef0123456789abcdef',
  lastModified: 1_700_000_000_000,
  headers: { contentType: 'text/plain; charset=utf-8' },
  // A metadata entry named like the spliced member, empty like a placeholder would be.
  userMetadata: { inline: '', note: 'é},"inline":"x' },
  tags: { t: 'v' },
  extents: [],
  ...over,
});

const RECORDS: JournalRecord[] = [
  { op: 'put', obj: object({ inline: Buffer.from('hello!').toString('base64') }) },
  { op: 'put', obj: object({ inline: '', size: 0 }) },
  { op: 'put', obj: object({ extents: [[10, 2, 5000, 7]], size: 5000, checksums: { crc32: 'AAAAAA==' } }) },
  { op: 'put', obj: object({ inline: Buffer.alloc(3000, 0xfe).toString('base64'), checksums: { sha256: 'abc=' }, checksumType: 'FULL_OBJECT' }) },
  { op: 'mpDone', uploadId: 'u-1', obj: object({ inline: 'QUJD', partCount: 2 }) },
  { op: 'del', key: 'gone' },
  { op: 'mpAbort', uploadId: 'u-2' },
];

/** A record's whole JSON text, from its serialized pieces. */
function jsonOf(rec: JournalRecord): string {
  const { text, inline } = serializeRecord(rec);
  return inline === undefined ? text : `${text}${inline}"}}`;
}

describe('journal encoding', () => {
  it('writes each record as JSON text that parses to the record, with its UTF-8 length', () => {
    for (const rec of RECORDS) {
      const text = jsonOf(rec);
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(rec)));
      expect(serializeRecord(rec).bytes).toBe(Buffer.byteLength(text));
    }
  });

  it('lays a batch out as header, JSON array of the records, xxh64 and zero padding', async () => {
    const pageSize = 512;
    const buf = encodeBatch(41, RECORDS, pageSize, hash);
    const payload = Buffer.from(`[${RECORDS.map(jsonOf).join(',')}]`, 'utf8');
    expect(buf.length % pageSize).toBe(0);
    expect(buf.length).toBe(Math.ceil((24 + payload.length + 8) / pageSize) * pageSize);
    expect(buf.readUInt32LE(0)).toBe(0x4e524a53);
    expect(buf.readUInt32LE(4)).toBe(41);
    expect(buf.readUInt32LE(8)).toBe(0);
    expect(buf.readUInt32LE(12)).toBe(payload.length);
    expect(buf.readUInt32LE(16)).toBe(RECORDS.length);
    expect(buf.readUInt32LE(20)).toBe(0);
    expect(buf.subarray(24, 24 + payload.length).equals(payload)).toBe(true);
    expect(buf.readBigUInt64LE(24 + payload.length)).toBe(hash(buf.subarray(0, 24 + payload.length)));
    expect(buf.subarray(24 + payload.length + 8).every((b) => b === 0)).toBe(true);

    const device = await createMemoryDevice({ pageSize, pageCount: 64 });
    await device.write(2, buf, 1);
    const read = await readBatchAt(device, 2, 32, 0, 41, hash);
    expect('records' in read && read.records).toEqual(JSON.parse(JSON.stringify(RECORDS)));
    await device.close();
  });

  it('replays staged puts with non-ASCII keys and metadata after a reopen', async () => {
    const device = await createMemoryDevice({ pageSize: 4096, pageCount: 2048 });
    const first = createStorage(await createBlockAdapter({ device }));
    const keys = ['plain', 'ünïcødé/ключ/鍵', 'quote"and\\slash', 'inline'];
    await Promise.all(keys.map((key, i) => first.put(key, Buffer.alloc(4096, i + 1), { userMetadata: { inline: 'é', 'x-y': '"}' } })));
    // Reopen on the same pages without closing: what was acknowledged comes back from the journal alone.
    const second = createStorage(await createBlockAdapter({ device }));
    for (const [i, key] of keys.entries()) {
      const got = await second.get(key);
      expect((await readBytes(got)).equals(Buffer.alloc(4096, i + 1))).toBe(true);
      expect(got.info.userMetadata).toEqual({ inline: 'é', 'x-y': '"}' });
    }
  });
});
