/**
 * Tables of the earlier `_log/` format (`strata.lake.log/1`, gzip'd JSON Lines and untyped Parquet files),
 * laid out here byte for byte as that writer left them: they stay readable (time travel included) until a
 * writer rewrites them into a Delta table, which keeps their `txn` versions so retried batches stay
 * deduplicated; concurrent rewrites commit once; vacuum then removes the legacy data files, never `_log/`.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { createMemoryStorage } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { commitKey, createLakeTable, legacyLogKey, openSnapshot, vacuumTable } from '../src/index.ts';
import type { LakeRecord, LegacyLogEntry } from '../src/index.ts';
import { collect } from './helpers/collect.ts';

const rec = (id: number, dt: string): LakeRecord => ({ dt, id, name: `n${id}` });

async function putLegacyFile(storage: Storage, path: string, records: LakeRecord[], format: 'jsonl' | 'parquet') {
  const bytes = format === 'jsonl'
    ? gzipSync(records.map((r) => JSON.stringify(r) + '\n').join(''))
    : new Uint8Array(parquetWriteBuffer({ columnData: ['dt', 'id', 'name'].map((name) => ({ name, data: records.map((r) => r[name]), type: name === 'id' ? 'DOUBLE' : 'STRING' })) }));
  const info = await storage.put(`old/${path}`, bytes);
  return { path, partition: { dt: records[0]!.dt as string }, size: bytes.length, records: records.length, format, etag: info.etag };
}

/** A legacy table: two appends (txn `etl` 0 and 1), then a compaction of partition d1. */
async function legacyTable(storage: Storage): Promise<void> {
  const f0 = await putLegacyFile(storage, 'dt=d1/part-a-0000.jsonl.gz', [rec(0, 'd1'), rec(1, 'd1')], 'jsonl');
  const f1 = await putLegacyFile(storage, 'dt=d2/part-a-0001.parquet', [rec(2, 'd2')], 'parquet');
  const f2 = await putLegacyFile(storage, 'dt=d1/part-b-0000.parquet', [rec(3, 'd1')], 'parquet');
  const f3 = await putLegacyFile(storage, 'dt=d1/part-c-0000.parquet', [rec(0, 'd1'), rec(1, 'd1'), rec(3, 'd1')], 'parquet');
  const entries: LegacyLogEntry[] = [
    { format: 'strata.lake.log/1', version: 0, timestamp: 1, operation: 'append', txn: { appId: 'etl', version: 0 }, add: [f0, f1], remove: [] },
    { format: 'strata.lake.log/1', version: 1, timestamp: 2, operation: 'append', txn: { appId: 'etl', version: 1 }, add: [f2], remove: [] },
    { format: 'strata.lake.log/1', version: 2, timestamp: 3, operation: 'compact', add: [f3], remove: [f0, f2].map((f) => ({ path: f.path, deletionTimestamp: 3 })) },
  ];
  for (const e of entries) await storage.put(legacyLogKey('old', e.version), JSON.stringify(e), { ifNoneMatch: '*' });
}

const ids = (records: LakeRecord[]) => records.map((r) => r.id as number).sort((a, b) => a - b);

describe('legacy _log/ tables', () => {
  it('stay readable, with time travel, until rewritten', async () => {
    const storage = createMemoryStorage();
    await legacyTable(storage);
    const snap = await openSnapshot(storage, { table: 'old' });
    expect([snap.legacy, snap.version, snap.schema, snap.txnVersion('etl')]).toEqual([true, 2, undefined, 1]);
    expect(snap.files().map((f) => [f.path, f.format])).toEqual([['dt=d1/part-c-0000.parquet', 'parquet'], ['dt=d2/part-a-0001.parquet', 'parquet']]);
    expect(ids(await collect(snap.records()))).toEqual([0, 1, 2, 3]);
    const v0 = await openSnapshot(storage, { table: 'old', version: 0 });
    expect((await collect(v0.records())).sort((a, b) => (a.id as number) - (b.id as number))).toEqual([rec(0, 'd1'), rec(1, 'd1'), rec(2, 'd2')]);
  });

  it('are rewritten as a Delta table by the first write, keeping txn versions; vacuum then drops the legacy files', async () => {
    const storage = createMemoryStorage();
    await legacyTable(storage);
    const table = createLakeTable(storage, { table: 'old', partitionBy: ['dt'] });
    expect(await table.append([rec(3, 'd1')], { appId: 'etl', txnVersion: 1 })).toMatchObject({ duplicate: true, version: 0 });
    expect(await table.append([rec(4, 'd2')], { appId: 'etl', txnVersion: 2 })).toMatchObject({ duplicate: false, version: 1 });
    const snap = await openSnapshot(storage, { table: 'old' });
    expect([snap.legacy, snap.version, snap.txnVersion('etl')]).toEqual([false, 1, 2]);
    expect(snap.schema!.fields.map((f) => [f.name, f.type])).toEqual([['dt', 'string'], ['id', 'long'], ['name', 'string']]);
    expect(ids(await collect(snap.records()))).toEqual([0, 1, 2, 3, 4]);
    await storage.head(commitKey('old', 0));
    const later = () => Date.now() + 120_000;
    const deleted = await vacuumTable(table, { retentionMs: 60_000, now: later });
    expect(deleted.sort()).toEqual(['dt=d1/part-a-0000.jsonl.gz', 'dt=d1/part-b-0000.parquet', 'dt=d1/part-c-0000.parquet', 'dt=d2/part-a-0001.parquet']);
    await storage.head(legacyLogKey('old', 2)); // history stays
    expect(ids(await collect((await openSnapshot(storage, { table: 'old' })).records()))).toEqual([0, 1, 2, 3, 4]);
  });

  it('rewritten by two writers at once: one conversion commits, the other deletes its files', async () => {
    const storage = createMemoryStorage();
    await legacyTable(storage);
    const a = createLakeTable(storage, { table: 'old', partitionBy: ['dt'] });
    const b = createLakeTable(storage, { table: 'old', partitionBy: ['dt'] });
    await Promise.all([a.append([rec(10, 'd1')], { appId: 'A', txnVersion: 0 }), b.append([rec(20, 'd2')], { appId: 'B', txnVersion: 0 })]);
    const snap = await openSnapshot(storage, { table: 'old' });
    expect(snap.version).toBe(2);
    expect(ids(await collect(snap.records()))).toEqual([0, 1, 2, 3, 10, 20]);
    const page = await storage.list({ prefix: 'old/dt=' });
    expect(page.items).toHaveLength(4 + snap.files().length); // legacy files + live files: no orphan of the loser
  });
});
