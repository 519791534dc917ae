/**
 * Typed columns: every Delta primitive type (and arrays, maps, structs) written to real Parquet files and read
 * back exactly; a value that does not fit its column is a `SchemaMismatch` naming the column, never a silent
 * cast; partition values and statistics in the protocol's forms; protocol versions this package refuses.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@strata/storage';
import type { Storage } from '@strata/storage';
import {
  applyActions, commitKey, conformRecords, createLakeTable, emptyState, fileStats, inferSchema, isPipelineError, normalizeSchema, openSnapshot, readParquet,
  readParquetRows, schemaFromString, writeParquet, assertWritable,
} from '../src/index.ts';
import type { LakeRecord, LakeSchema, LakeType } from '../src/index.ts';

const ALL_TYPES: LakeSchema = normalizeSchema({
  fields: [
    { name: 'b', type: 'boolean' }, { name: 'i8', type: 'byte' }, { name: 'i16', type: 'short' }, { name: 'i32', type: 'integer' },
    { name: 'i64', type: 'long' }, { name: 'f32', type: 'float' }, { name: 'f64', type: 'double' }, { name: 'd9', type: 'decimal(9,3)' },
    { name: 'd18', type: 'decimal(18,0)' }, { name: 'd38', type: 'decimal(38,10)' }, { name: 's', type: 'string' }, { name: 'bin', type: 'binary' },
    { name: 'day', type: 'date' }, { name: 'ts', type: 'timestamp' },
    { name: 'list', type: { type: 'array', elementType: 'long', containsNull: false } },
    { name: 'map', type: { type: 'map', keyType: 'string', valueType: 'decimal(5,2)', valueContainsNull: true } },
    { name: 'st', type: { type: 'struct', fields: [{ name: 'x', type: 'integer', nullable: false }, { name: 'y', type: 'string' }] } },
  ],
});

async function roundTrip(schema: LakeSchema, records: LakeRecord[]): Promise<LakeRecord[]> {
  return readParquet(writeParquet(conformRecords(records, schema), schema), schema);
}

describe('typed columns through Parquet', () => {
  it('round-trips every type exactly, in its JavaScript form', async () => {
    const record = {
      b: true, i8: -128, i16: 32_767, i32: -2_147_483_648, i64: 2n ** 62n, f32: 0.5, f64: Math.PI, d9: '-123456.789', d18: 999_999_999_999_999_999n,
      d38: '1234567890123456789012345678.0123456789', s: 'ünïcødé ✓', bin: new Uint8Array([0, 255, 7]), day: '1969-12-31', ts: new Date('2026-11-22T10:00:00.123Z'),
      list: [1, 2n ** 60n], map: { a: '1.50', b: null }, st: { x: 1, y: null },
    };
    const [back] = await roundTrip(ALL_TYPES, [record, Object.fromEntries(Object.keys(record).map((k) => [k, null]))]);
    expect(back).toEqual({ ...record, d18: '999999999999999999', list: [1, 2n ** 60n], i64: 2n ** 62n });
    expect((await roundTrip(ALL_TYPES, [{ i64: 42, d9: 1.5, f32: 1 }]))[0]).toMatchObject({ i64: 42, d9: '1.500', f32: 1, s: null, st: null });
  });

  it('keeps timestamps to the microsecond (UTC), whatever zone the input names', async () => {
    const schema = normalizeSchema({ fields: [{ name: 'ts', type: 'timestamp' }] });
    const rows = conformRecords([{ ts: '2026-11-22T10:00:00.123456Z' }, { ts: '2026-11-22T12:00:00.000001+02:00' }, { ts: '1969-12-31T23:59:59.999999Z' }], schema);
    const raw = await readParquetRows(writeParquet(rows, schema), { exact: true });
    expect(raw.map((r) => r.ts)).toEqual([1_795_341_600_123_456n, 1_795_341_600_000_001n, -1n]);
    expect((await readParquet(writeParquet(rows, schema), schema))[2]).toEqual({ ts: new Date('1969-12-31T23:59:59.999Z') });
  });

  it.each<[LakeType, unknown, RegExp]>([
    ['long', 1.5, /1\.5 is not an integer/],
    ['long', '7', /"7" is not an integer/],
    ['long', 2 ** 63, /out of range/],
    ['integer', 2 ** 31, /out of range/],
    ['byte', 128, /out of range/],
    ['float', 1e39, /beyond the range of float/],
    ['double', '1.0', /is not a number/],
    ['boolean', 1, /is not a boolean/],
    ['string', 12, /12 is not a string/],
    ['binary', 'abc', /is not a Uint8Array/],
    ['decimal(10,2)', '12.345', /3 digits after the point; the scale is 2/],
    ['decimal(4,2)', 123.4, /more than 2 digits before the point/],
    ['decimal(10,2)', 1e21, /is not a decimal/],
    ['date', '2026-02-30', /is not a 'YYYY-MM-DD' date/],
    ['date', new Date('2026-11-22T10:00:00Z'), /is not a UTC midnight/],
    ['timestamp', '2026-11-22T10:00:00', /with a time zone/],
    ['timestamp', '2026-11-22T10:00:00.1234567Z', /below the microsecond/],
    ['timestamp', 1_700_000_000_000, /is not a Date or an ISO 8601 string/],
    [{ type: 'array', elementType: 'integer', containsNull: false }, [1, null], /column 'c\[1\]' \(integer\) is not nullable/],
    [{ type: 'struct', fields: [{ name: 'x', type: 'integer' }] }, { x: 1, z: 2 }, /column 'c\.z' is not in the table schema/],
  ])('a %j column refuses %j, naming the column', (type, value, message) => {
    const schema = normalizeSchema({ fields: [{ name: 'ok', type: 'long' }, { name: 'c', type }] });
    let error: unknown;
    try {
      conformRecords([{ ok: 1, c: null }, { ok: 2, c: value }], schema);
    } catch (e) {
      error = e;
    }
    expect(isPipelineError(error, 'SchemaMismatch'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/^record 1: column 'c/);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses null in a non-nullable column and unknown columns', () => {
    const schema = normalizeSchema({ fields: [{ name: 'id', type: 'long', nullable: false }] });
    expect(() => conformRecords([{ id: undefined }], schema)).toThrow(/column 'id' \(long\) is not nullable/);
    expect(() => conformRecords([{ id: 1, other: 2 }], schema)).toThrow(/column 'other' is not in the table schema/);
  });

  it('infers long, double, string, boolean, timestamp, binary, arrays and structs; refuses mixed and all-null columns', () => {
    const schema = inferSchema([{ a: 1, b: 1, c: 'x', d: true, e: new Date(0), f: new Uint8Array(1), g: ['x'], h: { k: 1 } }, { a: 2, b: 2.5, c: null }]);
    expect(schema.fields.map((f) => [f.name, f.type])).toEqual([
      ['a', 'long'], ['b', 'double'], ['c', 'string'], ['d', 'boolean'], ['e', 'timestamp'], ['f', 'binary'],
      ['g', { type: 'array', elementType: 'string', containsNull: true }], ['h', { type: 'struct', fields: [{ name: 'k', type: 'long', nullable: true, metadata: {} }] }],
    ]);
    expect(() => inferSchema([{ m: 1 }, { m: 'two' }])).toThrow(/column 'm' mixes integer and string values/);
    expect(() => inferSchema([{ n: null }])).toThrow(/column 'n' holds only nulls/);
  });

  it('validates declared schemas: decimal range, duplicate names ignoring case, partition columns', () => {
    expect(() => normalizeSchema({ fields: [{ name: 'd', type: 'decimal(39,2)' }] })).toThrow(/out of range/);
    expect(() => normalizeSchema({ fields: [{ name: 'a', type: 'long' }, { name: 'A', type: 'long' }] })).toThrow(/declared twice/);
    expect(() => normalizeSchema({ fields: [{ name: 'a', type: 'long' }] }, ['dt'])).toThrow(/partition column 'dt' is not a column/);
    expect(() => normalizeSchema({ fields: [{ name: 'b', type: 'binary' }] }, ['b'])).toThrow(/must be primitive and not binary/);
    expect(() => schemaFromString('{"type":"struct","fields":[{"name":"v","type":"variant","nullable":true,"metadata":{}}]}')).toSatisfy((f: () => unknown) => {
      try { f(); } catch (e) { return isPipelineError(e, 'Unsupported'); }
      return false;
    });
  });
});

describe('partition values and statistics in the protocol forms', () => {
  it('writes typed partition values as strings, Hive-escaped directories, URI-encoded paths, and reads them back', async () => {
    const storage = createMemoryStorage();
    const schema: LakeSchema = { fields: [{ name: 'day', type: 'date' }, { name: 'region', type: 'string' }, { name: 'n', type: 'long' }, { name: 'ts', type: 'timestamp' }] };
    const t = createLakeTable(storage, { table: 'p', partitionBy: ['day', 'region', 'ts'], schema });
    const { files } = await t.append([
      { day: '2026-11-22', region: 'eu/west=1 50%', n: 1, ts: '2026-11-22T10:00:00.5Z' },
      { day: null, region: '', n: 2, ts: null },
    ], { appId: 'a', txnVersion: 0 });
    expect(files.map((f) => [f.path.replace(/part-.*$/, ''), f.partition, f.action.path.replace(/part-.*$/, '')])).toEqual([
      ['day=2026-11-22/region=eu%2Fwest%3D1 50%25/ts=2026-11-22T10%3A00%3A00.500000Z/', { day: '2026-11-22', region: 'eu/west=1 50%', ts: '2026-11-22T10:00:00.500000Z' },
        'day=2026-11-22/region=eu%252Fwest%253D1%2050%2525/ts=2026-11-22T10%253A00%253A00.500000Z/'],
      ['day=__HIVE_DEFAULT_PARTITION__/region=__HIVE_DEFAULT_PARTITION__/ts=__HIVE_DEFAULT_PARTITION__/', { day: null, region: null, ts: null },
        'day=__HIVE_DEFAULT_PARTITION__/region=__HIVE_DEFAULT_PARTITION__/ts=__HIVE_DEFAULT_PARTITION__/'],
    ]);
    await storage.head(`p/${files[0]!.path}`);
    const snap = await openSnapshot(storage, { table: 'p' });
    const read: LakeRecord[] = [];
    for await (const r of snap.records((p) => p.region === 'eu/west=1 50%')) read.push(r);
    expect(read).toEqual([{ day: '2026-11-22', region: 'eu/west=1 50%', n: 1, ts: new Date('2026-11-22T10:00:00.500Z') }]);
  });

  it('keeps string bounds exact or prefixed, in code point order; no bounds for NaN, booleans or binary', () => {
    const schema = normalizeSchema({ fields: [{ name: 's', type: 'string' }, { name: 'x', type: 'double' }, { name: 'b', type: 'boolean' }, { name: 'd', type: 'decimal(21,1)' }] });
    const long = 'z'.repeat(40);
    const rows = conformRecords([{ s: '\u{1F600}', x: NaN, b: true, d: '12345678901234567890.1' }, { s: '\uFFFF', x: 1, b: null, d: '-1' }, { s: long, x: 2, b: false, d: null }], schema);
    expect(JSON.parse(fileStats(rows, schema, []))).toEqual({
      numRecords: 3,
      minValues: { s: 'z'.repeat(32), d: -1 },
      maxValues: { s: '\u{1F600}', d: 12345678901234567000 }, // U+1F600 follows U+FFFF in code point (UTF-8) order
      nullCount: { s: 0, x: 0, b: 1, d: 1 },
    });
    expect(fileStats(rows, schema, [])).toContain('"d":12345678901234567890.1}'); // exact digits in the JSON text
    const cut = conformRecords([{ s: 'a' }, { s: long }], schema);
    expect(JSON.parse(fileStats(cut, schema, [])).maxValues).toEqual({}); // a cut maximum would be too low: none
  });
});

describe('protocol versions', () => {
  it('refuses tables that need reader or writer features this package lacks', () => {
    const state = emptyState('t');
    expect(() => applyActions(state, { protocol: { minReaderVersion: 2, minWriterVersion: 5 }, txn: [], add: [], remove: [] })).toThrow(/reader version 2/);
    expect(() => applyActions(state, { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors'] }, txn: [], add: [], remove: [] })).toThrow(/deletionVectors/);
    expect(() => assertWritable({ minReaderVersion: 1, minWriterVersion: 4 }, undefined, 't')).toThrow(/writer version 4/);
    expect(() => assertWritable({ minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['appendOnly', 'rowTracking'] }, undefined, 't')).toThrow(/rowTracking/);
    expect(() => assertWritable({ minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['appendOnly'] }, undefined, 't')).not.toThrow();
    expect(() => applyActions(emptyState('t'), { txn: [], remove: [], add: [{ path: 'f', partitionValues: {}, size: 1, modificationTime: 0, dataChange: true, deletionVector: { storageType: 'i' } }] })).toThrow(/deletion vector/);
  });
});

describe('tables created by two writers at once', () => {
  /** A storage whose first put of version 0 lets `first` create the table just before it goes through. */
  function racing(storage: Storage, first: () => Promise<unknown>): Storage {
    let raced = false;
    return new Proxy(storage, {
      get(target, prop, receiver) {
        if (prop === 'put') {
          return async (...args: Parameters<Storage['put']>) => {
            if (!raced && args[0] === commitKey('r', 0)) {
              raced = true;
              await first();
            }
            return target.put(...args);
          };
        }
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
  const dataFiles = async (storage: Storage) => (await storage.list({ prefix: 'r/x=' })).items.length + (await storage.list({ prefix: 'r/part-' })).items.length;

  it('the loser of an inferred schema writes its batch again for the winner\'s schema, when it fits', async () => {
    const storage = createMemoryStorage();
    const a = createLakeTable(storage, { table: 'r' });
    const b = createLakeTable(racing(storage, () => a.append([{ x: 1.5 }], { appId: 'A', txnVersion: 0 })), { table: 'r' });
    expect(await b.append([{ x: 2 }], { appId: 'B', txnVersion: 0 })).toMatchObject({ version: 1, duplicate: false });
    const snap = await openSnapshot(storage, { table: 'r' });
    expect(snap.schema!.fields.map((f) => f.type)).toEqual(['double']);
    const read: LakeRecord[] = [];
    for await (const r of snap.records()) read.push(r);
    expect(read.map((r) => r.x).sort()).toEqual([1.5, 2]);
    expect(await dataFiles(storage)).toBe(2); // the first attempt's file (written as long) is gone
  });

  it('and fails with SchemaMismatch, leaving no file, when it does not fit', async () => {
    const storage = createMemoryStorage();
    const a = createLakeTable(storage, { table: 'r' });
    const b = createLakeTable(racing(storage, () => a.append([{ x: 1 }], { appId: 'A', txnVersion: 0 })), { table: 'r' });
    await expect(b.append([{ x: 2.5 }], { appId: 'B', txnVersion: 0 })).rejects.toSatisfy((e) => isPipelineError(e, 'SchemaMismatch') && /column 'x' \(long\)/.test((e as Error).message));
    expect(await dataFiles(storage)).toBe(1);
  });
});
