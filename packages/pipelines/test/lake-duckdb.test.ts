/**
 * The lake read by an outside engine: DuckDB (`@duckdb/node-api`) reads a table written by this package on
 * the memory adapter and copied out to local files. Every data file carries the declared column types; the
 * live set our log reader derives gives DuckDB the written row count and sums before compaction, after it,
 * as of an older version and after vacuum; DuckDB reads our checkpoints too. Globbing the data files (all an
 * outside tool can do without the log) double-counts until vacuum removes the compacted-away files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createMemoryStorage } from '@strata/storage';
import { checkpointKey, compactTable, createLakeTable, decodeDataPath, loadState, openSnapshot, vacuumTable } from '../src/index.ts';
import type { LakeSchema } from '../src/index.ts';
import { copyOut, openDuck, sqlFiles, sqlString } from './helpers/duckdb.ts';
import type { Duck } from './helpers/duckdb.ts';

const TABLE = 'lake/events';
const COMMITS = 3;
const ROWS = 1000;
const DAYS = ['2026-11-20', '2026-11-21', '2026-11-22'];

const SCHEMA: LakeSchema = {
  fields: [
    { name: 'dt', type: 'date', nullable: false },
    { name: 'id', type: 'long', nullable: false },
    { name: 'n32', type: 'integer' },
    { name: 'n16', type: 'short' },
    { name: 'n8', type: 'byte' },
    { name: 'price', type: 'decimal(12,2)' },
    { name: 'big', type: 'decimal(30,4)' },
    { name: 'ratio', type: 'double' },
    { name: 'f', type: 'float' },
    { name: 'user', type: 'string' },
    { name: 'blob', type: 'binary' },
    { name: 'ok', type: 'boolean' },
    { name: 'ts', type: 'timestamp' },
    { name: 'tags', type: { type: 'array', elementType: 'string', containsNull: true } },
  ],
};

/** DuckDB's names for the declared types (`DESCRIBE`). */
const DUCKDB_TYPES: Record<string, string> = {
  dt: 'DATE', id: 'BIGINT', n32: 'INTEGER', n16: 'SMALLINT', n8: 'TINYINT', price: 'DECIMAL(12,2)', big: 'DECIMAL(30,4)', ratio: 'DOUBLE',
  f: 'FLOAT', user: 'VARCHAR', blob: 'BLOB', ok: 'BOOLEAN', ts: 'TIMESTAMP WITH TIME ZONE', tags: 'VARCHAR[]',
};

const row = (i: number) => ({
  dt: DAYS[i % 3],
  id: i,
  n32: i % 10 === 0 ? null : i * 1000,
  n16: i % 30_000,
  n8: (i % 100) - 50,
  price: `${i}.25`,
  big: `${i}${'0'.repeat(20)}.0001`,
  ratio: i / 8,
  f: i / 4,
  user: i % 7 === 0 ? null : `u${i % 13}`,
  blob: Buffer.from([i & 0xff, 7]),
  ok: i % 3 === 0,
  ts: `2026-11-22T00:00:00.${String(i).padStart(6, '0')}Z`,
  tags: ['a', String(i)],
});

const all = Array.from({ length: COMMITS * ROWS }, (_, i) => i);
const sum = (f: (i: number) => bigint) => all.reduce((acc, i) => acc + f(i), 0n);
/** What DuckDB must find, computed from the rows written (decimals with BigInt, exactly). */
const EXPECTED = {
  n: String(COMMITS * ROWS),
  ids: String(sum(BigInt)),
  n32s: String(sum((i) => (i % 10 === 0 ? 0n : BigInt(i * 1000)))),
  n32nulls: all.filter((i) => i % 10 === 0).length,
  prices: `${sum(BigInt) + BigInt(all.length) / 4n}.${String((all.length * 25) % 100).padStart(2, '0')}`,
  bigs: `${sum((i) => BigInt(i) * 10n ** 20n)}.${String(all.length).padStart(4, '0')}`,
  micros: String(sum((i) => 1_795_305_600_000_000n + BigInt(i))),
  oks: all.filter((i) => i % 3 === 0).length,
};

const AGGREGATES = `count(*)::VARCHAR AS n, sum(id)::VARCHAR AS ids, sum(n32)::VARCHAR AS n32s, count(*) FILTER (WHERE n32 IS NULL)::INTEGER AS n32nulls,
  sum(price)::VARCHAR AS prices, sum(big)::VARCHAR AS bigs, sum(epoch_us(ts))::VARCHAR AS micros, count(*) FILTER (WHERE ok)::INTEGER AS oks`;

describe('a lake written by @strata/pipelines, read by DuckDB', () => {
  const storage = createMemoryStorage();
  const table = createLakeTable(storage, { table: TABLE, partitionBy: ['dt'], schema: SCHEMA, checkpointInterval: 2 });
  let duck: Duck;
  const dirs: { remove(): Promise<void> }[] = [];

  /** Copies the table out and returns local paths of the live files of `version` (default latest). */
  async function liveFiles(version?: number): Promise<{ dir: string; files: string[] }> {
    const snap = await openSnapshot(storage, { table: TABLE, version });
    const out = await copyOut(storage, `${TABLE}/`);
    dirs.push(out);
    return { dir: out.dir, files: snap.files().map((f) => join(out.dir, TABLE, f.path)) };
  }

  const aggregates = async (files: string[]) => (await duck.query(`SELECT ${AGGREGATES} FROM read_parquet(${sqlFiles(files)})`))[0];
  const globCount = async (dir: string) => Number((await duck.query<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM read_parquet(${sqlString(`${dir}/${TABLE}/dt=*/*.parquet`)})`))[0]!.n);

  beforeAll(async () => {
    duck = await openDuck();
    for (let c = 0; c < COMMITS; c++) {
      await table.append(Array.from({ length: ROWS }, (_, i) => row(c * ROWS + i)), { appId: 'etl', txnVersion: c });
    }
  });
  afterAll(async () => {
    duck.close();
    for (const d of dirs) await d.remove();
    await storage.close();
  });

  it('reads every data file with the declared column types and nullability', async () => {
    const { files } = await liveFiles();
    expect(files).toHaveLength(COMMITS * DAYS.length);
    for (const file of files) {
      const columns = await duck.query<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`);
      expect(Object.fromEntries(columns.map((c) => [c.column_name, c.column_type])), file).toEqual(DUCKDB_TYPES);
      const required = await duck.query<{ name: string; repetition_type: string }>(`SELECT name, repetition_type FROM parquet_schema(${sqlString(file)}) WHERE name IN ('dt', 'id', 'user')`);
      expect(Object.fromEntries(required.map((r) => [r.name, r.repetition_type]))).toEqual({ dt: 'REQUIRED', id: 'REQUIRED', user: 'OPTIONAL' });
    }
    // Values arrive exactly: microseconds, decimals beyond double precision, bytes, lists.
    const [first] = await duck.query(`SELECT ts::VARCHAR AS ts, big::VARCHAR AS big, hex(blob) AS blob, tags FROM read_parquet(${sqlFiles(files)}) WHERE id = 1234`);
    expect(first).toEqual({ ts: '2026-11-22 00:00:00.001234+00', big: '123400000000000000000000.0001', blob: 'D207', tags: ['a', '1234'] });
  });

  it('the live set of the log gives the written rows and sums, before and after compaction, and as of an older version', async () => {
    expect(await aggregates((await liveFiles()).files)).toEqual(EXPECTED);
    const results = await compactTable(table);
    expect(results.map((r) => r.partition)).toEqual(DAYS.map((d) => `dt=${d}`));
    const after = await liveFiles();
    expect(after.files).toHaveLength(DAYS.length);
    expect(await aggregates(after.files)).toEqual(EXPECTED);
    expect(await aggregates((await liveFiles(COMMITS - 1)).files)).toEqual(EXPECTED); // time travel to before compaction
    // Without the log, globbing counts the compacted-away files too: the reason readers must use the log.
    expect(await globCount(after.dir)).toBe(2 * COMMITS * ROWS);
  });

  it('vacuum leaves exactly the live files, so even a glob counts right', async () => {
    expect(await vacuumTable(table, { retentionMs: 60_000 })).toEqual([]); // all younger than the retention
    const deleted = await vacuumTable(table, { retentionMs: 60_000, now: () => Date.now() + 120_000 });
    expect(deleted).toHaveLength(COMMITS * DAYS.length);
    const { dir, files } = await liveFiles();
    expect(await aggregates(files)).toEqual(EXPECTED);
    expect(await globCount(dir)).toBe(COMMITS * ROWS);
  });

  it('reads our checkpoints: their add actions are the live set of their version', async () => {
    const state = await loadState(storage, TABLE, { version: 4 });
    const out = await copyOut(storage, `${TABLE}/`);
    dirs.push(out);
    const file = sqlString(join(out.dir, checkpointKey(TABLE, 4)));
    const adds = await duck.query<{ path: string; size: string; dt: string }>(`SELECT add.path AS path, add.size::VARCHAR AS size, add.partitionValues['dt'] AS dt FROM read_parquet(${file}) WHERE add IS NOT NULL`);
    expect(adds.map((a) => a.path).sort()).toEqual([...state.files.keys()].sort());
    for (const a of adds) expect(decodeDataPath(a.path).startsWith(`dt=${a.dt}/`)).toBe(true);
    const [meta] = await duck.query<{ partitionColumns: string[]; provider: string; minReaderVersion: number; minWriterVersion: number }>(
      `SELECT first(metaData.partitionColumns) FILTER (WHERE metaData IS NOT NULL) AS partitionColumns, first(metaData.format.provider) FILTER (WHERE metaData IS NOT NULL) AS provider,
        first(protocol.minReaderVersion) FILTER (WHERE protocol IS NOT NULL) AS minReaderVersion, first(protocol.minWriterVersion) FILTER (WHERE protocol IS NOT NULL) AS minWriterVersion FROM read_parquet(${file})`);
    expect(meta).toEqual({ partitionColumns: ['dt'], provider: 'parquet', minReaderVersion: 1, minWriterVersion: 2 });
    const [txn] = await duck.query<{ appId: string; version: string }>(`SELECT txn.appId AS appId, txn.version::VARCHAR AS version FROM read_parquet(${file}) WHERE txn IS NOT NULL`);
    expect(txn).toEqual({ appId: 'etl', version: String(COMMITS - 1) });
  });
});
