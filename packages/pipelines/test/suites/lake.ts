/**
 * Pipeline test suite: lake. A module, not a test file: the `*.test.ts` files that call it choose the backends.
 * Every read goes through the Delta log (`openSnapshot`, `loadState`), never through a writer's memory.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '@strata/storage';
import {
  commitEntry, commitKey, compactTable, createLakeTable, deltaLogPrefix, isPipelineError, lastCheckpointKey, loadState, openSnapshot, vacuumTable,
} from '../../src/index.ts';
import type { LakeRecord, LakeSchema, LakeTableOptions } from '../../src/index.ts';
import type { Backend, BackendFactory } from '../helpers/backends.ts';
import { collect } from '../helpers/collect.ts';
import { withCrashAt } from '../helpers/faulty-storage.ts';

const SCHEMA: LakeSchema = {
  fields: [
    { name: 'dt', type: 'string', nullable: false },
    { name: 'id', type: 'long', nullable: false },
    { name: 'user', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'ok', type: 'boolean' },
    { name: 'tags', type: { type: 'array', elementType: 'string', containsNull: true } },
  ],
};

const rows = (dt: string, from: number, n: number): LakeRecord[] =>
  Array.from({ length: n }, (_, i) => ({ dt, id: from + i, user: `u${(from + i) % 7}`, amount: (from + i) * 1.5, ok: i % 2 === 0, tags: ['a', String(i)] }));

const open = (storage: Storage, table: string, options: Partial<LakeTableOptions> = {}) => createLakeTable(storage, { table, partitionBy: ['dt'], schema: SCHEMA, ...options });

async function keysUnder(storage: Storage, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await storage.list({ prefix, cursor });
    keys.push(...page.items.map((i) => i.key));
    cursor = page.cursor;
  } while (cursor !== undefined);
  return keys;
}

const dataKeys = async (storage: Storage, table: string) => (await keysUnder(storage, `${table}/`)).filter((k) => !k.includes('/_delta_log/'));
const commitKeys = async (storage: Storage, table: string) => (await keysUnder(storage, deltaLogPrefix(table))).filter((k) => k.endsWith('.json'));
const readAll = async (storage: Storage, table: string, version?: number) => collect((await openSnapshot(storage, { table, version })).records());
const byId = (a: LakeRecord, b: LakeRecord) => (a.id as number) - (b.id as number);
const ids = (records: LakeRecord[]) => records.map((r) => r.id as number).sort((a, b) => a - b);

/**
 * The ETL lake suite (Delta log, partitions, schema, commits, snapshots, checkpoints, compaction, vacuum,
 * crash safety), declared once per backend in `backends`. Run on memory by `packages/pipelines/test/lake.test.ts`
 * and on file, block and s3 (through the object server) by `test/pipelines-e2e`, so each backend runs it once.
 */
export function describeLakeSuite(backends: readonly BackendFactory[]): void {
  describe.each([...backends])('ETL lake on $name', ({ create }) => {
    let backend: Backend;
    beforeEach(async () => { backend = await create(); });
    afterEach(async () => { await backend.cleanup(); });

    it('writes Hive partitions of Parquet files committed in _delta_log, and reads back only committed files', async () => {
      const { storage } = backend;
      const table = open(storage, 'events');
      const r0 = await table.append([...rows('2026-11-22', 0, 5), ...rows('2026-11-23', 5, 3)], { appId: 'etl', txnVersion: 0 });
      expect(r0).toMatchObject({ version: 0, duplicate: false });
      expect(r0.files.map((f) => f.path)).toEqual([
        expect.stringMatching(/^dt=2026-11-22\/part-[0-9a-z]+-0000\.parquet$/),
        expect.stringMatching(/^dt=2026-11-23\/part-[0-9a-z]+-0001\.parquet$/),
      ]);
      expect(r0.files.map((f) => [f.partition, f.records])).toEqual([[{ dt: '2026-11-22' }, 5], [{ dt: '2026-11-23' }, 3]]);
      await storage.head(commitKey('events', 0));
      expect(commitKey('events', 42)).toBe('events/_delta_log/00000000000000000042.json');
      // A writer that crashed before committing: its file is in the partition but not in the table.
      await table.writeFiles(rows('2026-11-22', 100, 4));
      const snap = await openSnapshot(storage, { table: 'events' });
      expect(snap.version).toBe(0);
      expect(snap.schema?.fields.map((f) => [f.name, f.type, f.nullable])).toEqual(SCHEMA.fields.map((f) => [f.name, f.type, f.nullable ?? true]));
      expect(snap.partitionColumns).toEqual(['dt']);
      expect((await collect(snap.records())).sort(byId)).toEqual([...rows('2026-11-22', 0, 5), ...rows('2026-11-23', 5, 3)]);
      expect(ids(await collect(snap.records((p) => p.dt === '2026-11-23')))).toEqual([5, 6, 7]);
    });

    it('infers the schema from the first batch, then enforces it: a misfit names its column and writes nothing', async () => {
      const { storage } = backend;
      const table = createLakeTable(storage, { table: 't', partitionBy: ['dt'] });
      await table.append(rows('d1', 0, 3), { appId: 'etl', txnVersion: 0 });
      const schema = (await openSnapshot(storage, { table: 't' })).schema!;
      expect(schema.fields.map((f) => [f.name, f.type])).toEqual([['dt', 'string'], ['id', 'long'], ['user', 'string'], ['amount', 'double'], ['ok', 'boolean'], ['tags', { type: 'array', elementType: 'string', containsNull: true }]]);
      const before = await dataKeys(storage, 't');
      await expect(table.append([...rows('d1', 10, 2), { ...rows('d1', 12, 1)[0], id: 12.5 }], { appId: 'etl', txnVersion: 1 }))
        .rejects.toSatisfy((e) => isPipelineError(e, 'SchemaMismatch') && /record 2: column 'id' \(long\): 12\.5 is not an integer/.test((e as Error).message));
      await expect(createLakeTable(storage, { table: 't', partitionBy: ['dt'] }).append([{ ...rows('d1', 20, 1)[0], extra: 1 }], { appId: 'etl', txnVersion: 2 }))
        .rejects.toSatisfy((e) => isPipelineError(e, 'SchemaMismatch') && /column 'extra' is not in the table schema/.test((e as Error).message));
      await expect(open(storage, 't', { schema: { fields: [{ name: 'dt', type: 'string' }, { name: 'id', type: 'integer' }] } }).append(rows('d1', 30, 1), { appId: 'other', txnVersion: 0 }))
        .rejects.toSatisfy((e) => isPipelineError(e, 'SchemaMismatch'));
      expect(await dataKeys(storage, 't')).toEqual(before);
      expect((await openSnapshot(storage, { table: 't' })).version).toBe(0);
    });

    it('a retried batch (same appId and txnVersion) commits once, also from another writer', async () => {
      const { storage } = backend;
      const a = open(storage, 't');
      expect((await a.append(rows('d1', 0, 3), { appId: 'job', txnVersion: 7 })).duplicate).toBe(false);
      expect((await a.append(rows('d1', 0, 3), { appId: 'job', txnVersion: 7 })).duplicate).toBe(true);
      const b = open(storage, 't');
      expect(await b.append(rows('d1', 0, 3), { appId: 'job', txnVersion: 5 })).toMatchObject({ duplicate: true, version: 0 });
      expect((await b.append(rows('d1', 3, 1), { appId: 'other', txnVersion: 7 })).version).toBe(1);
      const snap = await openSnapshot(storage, { table: 't' });
      expect(ids(await collect(snap.records()))).toEqual([0, 1, 2, 3]);
      expect(snap.txnVersion('job')).toBe(7);
      expect(await dataKeys(storage, 't')).toHaveLength(2); // the duplicates wrote no file (or deleted theirs)
    });

    it('two writers racing on one table never commit the same version, and lose no batch', async () => {
      const { storage } = backend;
      // Both start before the table exists: the first commit creates it, the other joins it.
      const a = open(storage, 't');
      const b = open(storage, 't');
      for (let i = 0; i < 6; i++) {
        await Promise.all([
          a.append(rows('d', i * 10, 2), { appId: 'A', txnVersion: i }),
          b.append(rows('d', 1000 + i * 10, 2), { appId: 'B', txnVersion: i }),
          // The same batch retried at once through both writers (a retry racing the original) commits once.
          a.append(rows('d', 5000 + i * 10, 2), { appId: 'C', txnVersion: i }),
          b.append(rows('d', 5000 + i * 10, 2), { appId: 'C', txnVersion: i }),
        ]);
      }
      const snap = await openSnapshot(storage, { table: 't' });
      expect(snap.version).toBe(17);
      const all = ids(await collect(snap.records()));
      expect(all).toHaveLength(36);
      expect(new Set(all).size).toBe(36);
      expect(await commitKeys(storage, 't')).toEqual(Array.from({ length: 18 }, (_, v) => commitKey('t', v)));
    });

    it('time travel: a snapshot at an older version sees the table as it was; a missing version is an error', async () => {
      const { storage } = backend;
      const t = open(storage, 't');
      for (let v = 0; v < 3; v++) await t.append(rows('d', v * 10, 2), { appId: 'x', txnVersion: v });
      expect(ids(await readAll(storage, 't', 1))).toEqual([0, 1, 10, 11]);
      expect((await openSnapshot(storage, { table: 't', version: 0 })).txnVersion('x')).toBe(0);
      await expect(openSnapshot(storage, { table: 't', version: 3 })).rejects.toSatisfy((e) => isPipelineError(e, 'VersionNotFound'));
      expect((await openSnapshot(storage, { table: 'nothing' })).version).toBe(-1);
    });

    it('checkpoints every N commits; readers start from the newest one, even once the commits before it are gone', async () => {
      const { storage } = backend;
      const t = open(storage, 't', { checkpointInterval: 3 });
      for (let v = 0; v < 8; v++) await t.append(rows(`d${v % 2}`, v * 10, 2), { appId: 'x', txnVersion: v });
      const log = await keysUnder(storage, deltaLogPrefix('t'));
      expect(log.filter((k) => k.includes('.checkpoint.'))).toEqual(['t/_delta_log/00000000000000000003.checkpoint.parquet', 't/_delta_log/00000000000000000006.checkpoint.parquet']);
      expect(JSON.parse((await collectText(storage, lastCheckpointKey('t'))))).toMatchObject({ version: 6, numOfAddFiles: 7 });
      const expected = ids(await readAll(storage, 't'));
      // Metadata cleanup (PROTOCOL.md) may delete the commits a checkpoint covers: the table still opens.
      await storage.deleteMany(Array.from({ length: 6 }, (_, v) => commitKey('t', v)));
      const snap = await openSnapshot(storage, { table: 't' });
      expect([snap.version, snap.txnVersion('x'), snap.partitionColumns]).toEqual([7, 7, ['dt']]);
      expect(ids(await collect(snap.records()))).toEqual(expected);
      expect(ids(await readAll(storage, 't', 6))).toEqual(expected.filter((id) => id < 70));
      // As Delta answers time travel past a cleaned-up log: that version is gone.
      await expect(openSnapshot(storage, { table: 't', version: 4 })).rejects.toSatisfy((e) => isPipelineError(e, 'VersionNotFound'));
      // A stale or broken `_last_checkpoint` is only a hint.
      await storage.put(lastCheckpointKey('t'), JSON.stringify({ version: 3, size: 1 }));
      expect(ids(await readAll(storage, 't'))).toEqual(expected);
      await storage.put(lastCheckpointKey('t'), 'not json');
      expect(ids(await readAll(storage, 't'))).toEqual(expected);
    });

    it('compaction rewrites small files into one, committed as add + remove; vacuum deletes after retention', async () => {
      const { storage } = backend;
      const t = open(storage, 't');
      for (let v = 0; v < 4; v++) await t.append([...rows('d1', v * 10, 3), ...rows('d2', 500 + v, 1)], { appId: 'x', txnVersion: v });
      await t.writeFiles(rows('d1', 900, 2)); // debris of a crashed writer
      const before = (await readAll(storage, 't')).sort(byId);
      const results = await compactTable(t);
      expect(results.map((r) => r.partition)).toEqual(['dt=d1', 'dt=d2']);
      expect(results[0]!.removed).toHaveLength(4);
      const snap = await openSnapshot(storage, { table: 't' });
      expect(snap.files()).toHaveLength(2);
      expect(snap.files().map((f) => f.action.dataChange)).toEqual([false, false]);
      expect((await collect(snap.records())).sort(byId)).toEqual(before);
      // The version before compaction is still readable until vacuum.
      expect((await openSnapshot(storage, { table: 't', version: 3 })).files()).toHaveLength(8);

      expect(await vacuumTable(t, { retentionMs: 60_000 })).toEqual([]); // everything is younger than retention
      const later = () => Date.now() + 120_000;
      expect(await vacuumTable(t, { retentionMs: 60_000, now: later, dryRun: true })).toHaveLength(9);
      const deleted = await vacuumTable(t, { retentionMs: 60_000, now: later });
      expect(deleted).toHaveLength(9); // 8 compacted-away files + 1 never-committed file
      expect((await dataKeys(storage, 't')).sort()).toEqual(snap.files().map((f) => `t/${f.path}`).sort());
      expect((await readAll(storage, 't')).sort(byId)).toEqual(before);
      expect((await keysUnder(storage, deltaLogPrefix('t'))).length).toBeGreaterThan(0); // the log is never vacuumed
    });

    it('two compactions of the same files: one commits, the other conflicts and leaves no file behind', async () => {
      const { storage } = backend;
      const t1 = open(storage, 't');
      for (let v = 0; v < 3; v++) await t1.append(rows('d', v * 10, 2), { appId: 'x', txnVersion: v });
      const t2 = open(storage, 't');
      const [first, second] = await Promise.all([compactTable(t1), compactTable(t2)]);
      expect(first.length + second.length).toBe(1);
      const snap = await openSnapshot(storage, { table: 't' });
      expect(snap.files()).toHaveLength(1);
      expect(await dataKeys(storage, 't')).toHaveLength(4); // 3 tombstoned + 1 live, the loser's file deleted
      // The losing path, deterministically: a commit from a view older than the compaction conflicts.
      const stale = await loadState(storage, 't', { version: 2 });
      const removed = [...stale.files.keys()][0]!;
      await expect(commitEntry(storage, stale, { operation: 'OPTIMIZE', txn: [], add: [], remove: [{ path: removed, deletionTimestamp: 0, dataChange: false }] }))
        .rejects.toSatisfy((e) => isPipelineError(e, 'Conflict'));
    });

    it.each([
      ['appending to an existing table', true],
      ['creating the table', false],
    ])('a writer crashed at any step of a commit (%s, checkpoint included) leaves a readable table with all or nothing; its retry commits exactly once', async (_, seeded) => {
      const { storage } = backend;
      const batch = [...rows('d1', 0, 3), ...rows('d2', 3, 2)];
      const seed = rows('d0', 100, 1);
      const options = { checkpointInterval: 1 }; // the batch's commit is followed by a checkpoint: crash there too
      const counting = withCrashAt(storage, Infinity);
      if (seeded) await open(storage, 'probe', options).append(seed, { appId: 'etl', txnVersion: 0 });
      await open(counting, 'probe', options).append(batch, { appId: 'etl', txnVersion: 1 });
      const before = seeded ? [100] : [];
      for (let failAt = 1; failAt <= counting.calls + 1; failAt++) {
        const name = `t${failAt}`;
        if (seeded) await open(storage, name, options).append(seed, { appId: 'etl', txnVersion: 0 });
        const faulty = withCrashAt(storage, failAt);
        const crashed = await open(faulty, name, options).append(batch, { appId: 'etl', txnVersion: 1 }).then(() => false, () => true);
        // Readable at every crash point, through the log (checkpoint or not): the batch is wholly there or not at all.
        const seen = ids(await readAll(storage, name));
        expect([before, [0, 1, 2, 3, 4, ...before]], `failAt ${failAt}`).toContainEqual(seen);
        const retry = await open(storage, name, options).append(batch, { appId: 'etl', txnVersion: 1 });
        expect(retry.duplicate, `failAt ${failAt}`).toBe(!crashed || seen.length > before.length);
        expect(ids(await readAll(storage, name)), `failAt ${failAt}`).toEqual([0, 1, 2, 3, 4, ...before]);
        expect((await openSnapshot(storage, { table: name })).txnVersion('etl'), `failAt ${failAt}`).toBe(1);
      }
    });

    it('a compaction crashed at any step leaves the table readable with the same records', async () => {
      const { storage } = backend;
      const fill = async (name: string) => { const t = open(storage, name); for (let v = 0; v < 3; v++) await t.append(rows('d', v * 10, 2), { appId: 'x', txnVersion: v }); };
      await fill('probe');
      const counting = withCrashAt(storage, Infinity);
      await compactTable(open(counting, 'probe'));
      for (let failAt = 1; failAt <= counting.calls + 1; failAt++) {
        const name = `c${failAt}`;
        await fill(name);
        await compactTable(open(withCrashAt(storage, failAt), name)).catch(() => undefined);
        const files = (await openSnapshot(storage, { table: name })).files().length;
        expect([1, 3], `failAt ${failAt}`).toContain(files);
        expect(ids(await readAll(storage, name)), `failAt ${failAt}`).toEqual([0, 1, 10, 11, 20, 21]);
        await compactTable(open(storage, name));
        expect((await openSnapshot(storage, { table: name })).files(), `failAt ${failAt}`).toHaveLength(1);
      }
    });
  });
}

async function collectText(storage: Storage, key: string): Promise<string> {
  let text = '';
  for await (const chunk of (await storage.get(key)).body) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  return text;
}
