/**
 * The Delta log as written: every commit file is newline-delimited JSON with one action per line, and each
 * action type carries the fields PROTOCOL.md requires (one test per action type, checked by the independent
 * transcription in `helpers/delta-protocol.ts`, which a negative control shows can fail). Checkpoints hold
 * one action per row and `_last_checkpoint` points at the newest.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@strata/storage';
import { CHECKPOINT_SCHEMA, checkpointKey, compactTable, createLakeTable, deltaLogPrefix, lastCheckpointKey, readParquetRows } from '../src/index.ts';
import type { LakeSchema } from '../src/index.ts';
import { readStream } from '../src/internal/streams.ts';
import {
  addProblems, commitInfoProblems, lastCheckpointProblems, metadataProblems, protocolProblems, removeProblems, txnProblems,
} from './helpers/delta-protocol.ts';

type Json = Record<string, unknown>;

const SCHEMA: LakeSchema = {
  fields: [
    { name: 'dt', type: 'date', nullable: false },
    { name: 'id', type: 'long', nullable: false },
    { name: 'price', type: 'decimal(9,2)' },
    { name: 'name', type: 'string' },
  ],
};
const DATA_COLUMNS = ['id', 'price', 'name'];

describe('Delta log entries written by the lake', () => {
  const storage = createMemoryStorage();
  const commits: { key: string; lines: string[]; actions: Json[] }[] = [];
  const all = (type: string) => commits.flatMap((c) => c.actions.filter((a) => a[type] !== undefined).map((a) => a[type] as Json));

  beforeAll(async () => {
    const table = createLakeTable(storage, { table: 'sales', partitionBy: ['dt'], schema: SCHEMA, checkpointInterval: 3 });
    for (let v = 0; v < 4; v++) {
      const batch = Array.from({ length: 10 }, (_, i) => ({ dt: `2026-11-2${i % 2}`, id: v * 10 + i, price: `${i}.5`, name: i % 3 === 0 ? null : `n/${i}` }));
      await table.append(batch, { appId: 'etl-job', txnVersion: v });
    }
    await compactTable(table);
    const prefix = deltaLogPrefix('sales');
    const page = await storage.list({ prefix });
    for (const item of page.items.filter((i) => i.key.endsWith('.json'))) {
      const text = (await readStream((await storage.get(item.key)).body)).toString('utf8');
      const lines = text.split('\n').filter((l) => l !== '');
      commits.push({ key: item.key.slice(prefix.length), lines, actions: lines.map((l) => JSON.parse(l) as Json) });
    }
  });

  it('names commits by 20-digit version, one JSON action per line, without actions that reconcile with each other', () => {
    expect(commits.map((c) => c.key)).toEqual(Array.from({ length: 6 }, (_, v) => `${String(v).padStart(20, '0')}.json`));
    for (const { key, actions } of commits) {
      for (const action of actions) expect(Object.keys(action), key).toHaveLength(1);
      // "A single log entry MUST NOT include more than one action that reconciles with each other."
      const paths = actions.flatMap((a) => ['add', 'remove'].filter((t) => a[t]).map((t) => `${t}:${(a[t] as Json).path as string}`));
      expect(new Set(paths).size, key).toBe(paths.length);
      expect(actions.filter((a) => a.metaData).length, key).toBeLessThanOrEqual(1);
      expect(actions.filter((a) => a.protocol).length, key).toBeLessThanOrEqual(1);
      const apps = actions.filter((a) => a.txn).map((a) => (a.txn as Json).appId);
      expect(new Set(apps).size, key).toBe(apps.length);
    }
  });

  it('protocol: the first version holds it, with the lowest versions the table needs (non-nullable columns: writer 2)', () => {
    expect(commits[0]!.actions.some((a) => a.protocol)).toBe(true);
    const protocols = all('protocol');
    expect(protocols).toEqual([{ minReaderVersion: 1, minWriterVersion: 2 }]);
    for (const p of protocols) expect(protocolProblems(p)).toEqual([]);
  });

  it('metaData: the first version holds it, with id, format, schemaString, partitionColumns and configuration', () => {
    const [meta, ...more] = all('metaData');
    expect(more).toEqual([]);
    expect(commits[0]!.actions.some((a) => a.metaData)).toBe(true);
    expect(metadataProblems(meta!)).toEqual([]);
    expect(meta).toMatchObject({ format: { provider: 'parquet', options: {} }, partitionColumns: ['dt'], configuration: { 'delta.checkpointInterval': '3' } });
    expect(JSON.parse(meta!.schemaString as string)).toEqual({
      type: 'struct',
      fields: [
        { name: 'dt', type: 'date', nullable: false, metadata: {} },
        { name: 'id', type: 'long', nullable: false, metadata: {} },
        { name: 'price', type: 'decimal(9,2)', nullable: true, metadata: {} },
        { name: 'name', type: 'string', nullable: true, metadata: {} },
      ],
    });
  });

  it('add: path, partitionValues, size, modificationTime, dataChange and stats (numRecords, minValues, maxValues, nullCount)', () => {
    const adds = all('add');
    expect(adds).toHaveLength(4 * 2 + 2);
    for (const a of adds) expect(addProblems(a, ['dt'], DATA_COLUMNS), a.path as string).toEqual([]);
    expect(adds[0]!.path).toMatch(/^dt=2026-11-2[01]\/part-[0-9a-z]+-000[01]\.parquet$/);
    const stats = JSON.parse(adds[0]!.stats as string) as Json;
    expect(stats).toEqual({
      numRecords: 5,
      minValues: { id: 0, price: 0.5, name: 'n/2' },
      maxValues: { id: 8, price: 8.5, name: 'n/8' },
      nullCount: { id: 0, price: 0, name: 2 },
    });
    expect(all('add').filter((a) => a.dataChange === false)).toHaveLength(2); // the compaction's
  });

  it('remove: compaction removes the files it rewrote, with dataChange false and a deletionTimestamp', () => {
    const removes = all('remove');
    expect(removes).toHaveLength(8);
    for (const r of removes) expect(removeProblems(r), r.path as string).toEqual([]);
    expect(removes.every((r) => r.dataChange === false && r.extendedFileMetadata === true)).toBe(true);
    const added = new Set(all('add').map((a) => a.path));
    expect(removes.every((r) => added.has(r.path))).toBe(true);
  });

  it('txn: every append records its application id and version', () => {
    const txns = all('txn');
    expect(txns.map((t) => [t.appId, t.version])).toEqual([0, 1, 2, 3].map((v) => ['etl-job', v]));
    for (const t of txns) expect(txnProblems(t)).toEqual([]);
  });

  it('commitInfo: first line of every commit, with timestamp and operation', () => {
    for (const { key, actions } of commits) {
      expect(Object.keys(actions[0]!), key).toEqual(['commitInfo']);
      expect(commitInfoProblems(actions[0]!.commitInfo as Json), key).toEqual([]);
    }
    expect(all('commitInfo').map((c) => c.operation)).toEqual(['WRITE', 'WRITE', 'WRITE', 'WRITE', 'OPTIMIZE', 'OPTIMIZE']);
    expect(all('commitInfo').map((c) => c.isBlindAppend)).toEqual([true, true, true, true, false, false]);
  });

  it('checkpoint: a classic Parquet checkpoint every N commits, one action per row, pointed at by _last_checkpoint', async () => {
    const rows = await readParquetRows(await readStream((await storage.get(checkpointKey('sales', 3))).body));
    const columns = CHECKPOINT_SCHEMA.fields.map((f) => f.name);
    for (const row of rows) expect(columns.filter((c) => row[c] !== undefined && row[c] !== null)).toHaveLength(1);
    const count = (c: string) => rows.filter((r) => r[c]).length;
    expect([count('protocol'), count('metaData'), count('txn'), count('add'), count('remove')]).toEqual([1, 1, 1, 8, 0]);
    const last = JSON.parse((await readStream((await storage.get(lastCheckpointKey('sales'))).body)).toString('utf8')) as Json;
    expect(lastCheckpointProblems(last)).toEqual([]);
    expect(last).toMatchObject({ version: 3, size: rows.length, numOfAddFiles: 8 });
  });

  it('the checks themselves fail on actions that lack required fields (negative control)', () => {
    expect(protocolProblems({ minReaderVersion: 1 })).toHaveLength(1);
    expect(metadataProblems({ id: 'x', schemaString: '{}', partitionColumns: ['dt'] })).toHaveLength(5);
    expect(addProblems({ path: 'a b%zz', partitionValues: {}, size: 1, dataChange: true, stats: '{"numRecords":1,"minValues":{"dt":1}}' }, ['dt'], ['id'])).toHaveLength(4);
    expect(removeProblems({ path: 'x', deletionTimestamp: 1.5 })).toHaveLength(2);
    expect(txnProblems({ appId: '', version: '1' })).toHaveLength(2);
    expect(commitInfoProblems({ operation: 1 })).toHaveLength(2);
    expect(lastCheckpointProblems({})).toHaveLength(2);
  });
});
