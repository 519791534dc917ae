/**
 * Pipeline test suite: lake. A module, not a test file: the `*.test.ts` files that call it choose the backends.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '@strata/storage';
import { catchUpState, commitEntry, compactTable, createLakeTable, emptyState, isPipelineError, logKey, openSnapshot, vacuumTable } from '../../src/index.ts';
import type { LakeFormat, LakeRecord } from '../../src/index.ts';
import type { Backend, BackendFactory } from '../helpers/backends.ts';
import { collect } from '../helpers/collect.ts';
import { withCrashAt } from '../helpers/faulty-storage.ts';

const rows = (dt: string, from: number, n: number): LakeRecord[] =>
  Array.from({ length: n }, (_, i) => ({ dt, id: from + i, user: `u${(from + i) % 7}`, amount: (from + i) * 1.5, ok: i % 2 === 0, tags: ['a', String(i)] }));

async function dataKeys(storage: Storage, table: string): Promise<string[]> {
  const page = await storage.list({ prefix: `${table}/`, limit: 1000 });
  return page.items.map((i) => i.key).filter((k) => !k.includes('/_log/'));
}

const byId = (a: LakeRecord, b: LakeRecord) => (a.id as number) - (b.id as number);

/**
 * The ETL lake suite (partitions, commits, snapshots, compaction, vacuum, crash safety), declared once per
 * backend in `backends`. Run on memory by `packages/pipelines/test/lake.test.ts` and on file, block and s3
 * (through the object server) by `test/pipelines-e2e`, so each backend runs it once.
 */
export function describeLakeSuite(backends: readonly BackendFactory[]): void {
  describe.each([...backends])('ETL lake on $name', ({ create }) => {
    let backend: Backend;
    beforeEach(async () => { backend = await create(); });
    afterEach(async () => { await backend.cleanup(); });

    it.each(['jsonl', 'parquet'] as LakeFormat[])('writes Hive partitions as %s and reads back only committed files', async (format) => {
      const { storage } = backend;
      const table = createLakeTable(storage, { table: 'events', partitionBy: ['dt'], format });
      const r0 = await table.append([...rows('2026-11-22', 0, 5), ...rows('2026-11-23', 5, 3)], { appId: 'etl', txnVersion: 0 });
      expect(r0).toMatchObject({ version: 0, duplicate: false });
      const ext = format === 'jsonl' ? 'jsonl\\.gz' : 'parquet';
      expect(r0.files.map((f) => f.path)).toEqual([
        expect.stringMatching(new RegExp(`^dt=2026-11-22/part-[0-9a-z]+-0000\\.${ext}$`)),
        expect.stringMatching(new RegExp(`^dt=2026-11-23/part-[0-9a-z]+-0001\\.${ext}$`)),
      ]);
      await storage.head(logKey('events', 0));
      expect(logKey('events', 42)).toBe('events/_log/00000000000000000042.json');
      // A writer that crashed before committing: its file is in the partition but not in the table.
      await table.writeFiles(rows('2026-11-22', 100, 4));
      const snap = await openSnapshot(storage, { table: 'events' });
      expect(snap.version).toBe(0);
      const read = (await collect(snap.records())).sort(byId);
      expect(read).toEqual([...rows('2026-11-22', 0, 5), ...rows('2026-11-23', 5, 3)]);
      const oneDay = await collect(snap.records((p) => p.dt === '2026-11-23'));
      expect(oneDay.map((r) => r.id).sort()).toEqual([5, 6, 7]);
    });

    it('a retried batch (same appId and txnVersion) commits once, also from another writer', async () => {
      const { storage } = backend;
      const a = createLakeTable(storage, { table: 't', partitionBy: ['dt'] });
      expect((await a.append(rows('d1', 0, 3), { appId: 'job', txnVersion: 7 })).duplicate).toBe(false);
      expect((await a.append(rows('d1', 0, 3), { appId: 'job', txnVersion: 7 })).duplicate).toBe(true);
      const b = createLakeTable(storage, { table: 't', partitionBy: ['dt'] });
      expect(await b.append(rows('d1', 0, 3), { appId: 'job', txnVersion: 5 })).toMatchObject({ duplicate: true, version: 0 });
      expect((await b.append(rows('d1', 3, 1), { appId: 'other', txnVersion: 7 })).version).toBe(1);
      const snap = await openSnapshot(storage, { table: 't' });
      expect((await collect(snap.records())).map((r) => r.id).sort()).toEqual([0, 1, 2, 3]);
      expect(snap.txnVersion('job')).toBe(7);
      expect(await dataKeys(storage, 't')).toHaveLength(2); // the duplicates wrote no file (or deleted theirs)
    });

    it('two writers racing on one table never commit the same version, and lose no batch', async () => {
      const { storage } = backend;
      const a = createLakeTable(storage, { table: 't', partitionBy: ['dt'] });
      const b = createLakeTable(storage, { table: 't', partitionBy: ['dt'] });
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
      const ids = (await collect(snap.records())).map((r) => r.id as number);
      expect(ids).toHaveLength(36);
      expect(new Set(ids).size).toBe(36);
      const log = await storage.list({ prefix: 't/_log/' });
      expect(log.items.map((i) => i.key)).toEqual(Array.from({ length: 18 }, (_, v) => logKey('t', v)));
    });

    it('time travel: a snapshot at an older version sees the table as it was', async () => {
      const { storage } = backend;
      const t = createLakeTable(storage, { table: 't' });
      for (let v = 0; v < 3; v++) await t.append(rows('d', v * 10, 2), { appId: 'x', txnVersion: v });
      expect((await collect((await openSnapshot(storage, { table: 't', version: 1 })).records())).length).toBe(4);
      expect((await openSnapshot(storage, { table: 'nothing' })).version).toBe(-1);
    });

    it('compaction rewrites small files into one, committed as add + remove; vacuum deletes after retention', async () => {
      const { storage } = backend;
      const t = createLakeTable(storage, { table: 't', partitionBy: ['dt'], format: 'parquet' });
      for (let v = 0; v < 4; v++) await t.append([...rows('d1', v * 10, 3), ...rows('d2', 500 + v, 1)], { appId: 'x', txnVersion: v });
      await t.writeFiles(rows('d1', 900, 2)); // debris of a crashed writer
      const before = (await collect((await openSnapshot(storage, { table: 't' })).records())).sort(byId);
      const results = await compactTable(t);
      expect(results.map((r) => r.partition)).toEqual(['dt=d1', 'dt=d2']);
      expect(results[0]!.removed).toHaveLength(4);
      const snap = await openSnapshot(storage, { table: 't' });
      expect(snap.files()).toHaveLength(2);
      expect((await collect(snap.records())).sort(byId)).toEqual(before);
      // The version before compaction is still readable until vacuum.
      expect((await openSnapshot(storage, { table: 't', version: 3 })).files()).toHaveLength(8);

      expect(await vacuumTable(t, { retentionMs: 60_000 })).toEqual([]); // everything is younger than retention
      const later = () => Date.now() + 120_000;
      const deleted = await vacuumTable(t, { retentionMs: 60_000, now: later });
      expect(deleted).toHaveLength(9); // 8 compacted-away files + 1 never-committed file
      expect((await dataKeys(storage, 't')).sort()).toEqual(snap.files().map((f) => `t/${f.path}`).sort());
      expect((await collect((await openSnapshot(storage, { table: 't' })).records())).sort(byId)).toEqual(before);
    });

    it('two compactions of the same files: one commits, the other conflicts and leaves no file behind', async () => {
      const { storage } = backend;
      const t1 = createLakeTable(storage, { table: 't' });
      for (let v = 0; v < 3; v++) await t1.append(rows('d', v * 10, 2), { appId: 'x', txnVersion: v });
      const t2 = createLakeTable(storage, { table: 't' });
      const [first, second] = await Promise.all([compactTable(t1), compactTable(t2)]);
      expect(first.length + second.length).toBe(1);
      const snap = await openSnapshot(storage, { table: 't' });
      expect(snap.files()).toHaveLength(1);
      expect(await dataKeys(storage, 't')).toHaveLength(4); // 3 tombstoned + 1 live, the loser's file deleted
      // The losing path, deterministically: a commit from a view older than the compaction conflicts.
      const stale = await catchUpState(storage, 't', emptyState(), 2);
      const removed = [...stale.files.keys()][0]!;
      await expect(commitEntry(storage, 't', stale, { operation: 'compact', add: [], remove: [{ path: removed, deletionTimestamp: 0 }] }))
        .rejects.toSatisfy((e) => isPipelineError(e, 'Conflict'));
    });

    it('a writer crashed at any step of a commit leaves no partial state; its retry commits exactly once', async () => {
      const { storage } = backend;
      const batch = [...rows('d1', 0, 3), ...rows('d2', 3, 2)];
      const counting = withCrashAt(storage, Infinity);
      await createLakeTable(counting, { table: 'probe', partitionBy: ['dt'] }).append(batch, { appId: 'etl', txnVersion: 1 });
      for (let failAt = 1; failAt <= counting.calls + 1; failAt++) {
        const name = `t${failAt}`;
        const seed = createLakeTable(storage, { table: name, partitionBy: ['dt'] });
        await seed.append(rows('d0', 100, 1), { appId: 'etl', txnVersion: 0 });
        const faulty = withCrashAt(storage, failAt + 1); // +1: the seed table's state is read first
        const crashed = await createLakeTable(faulty, { table: name, partitionBy: ['dt'] }).append(batch, { appId: 'etl', txnVersion: 1 }).then(() => false, () => true);
        const seen = (await collect((await openSnapshot(storage, { table: name })).records())).map((r) => r.id);
        // All or nothing: the batch is either wholly visible or not at all.
        expect([1, 6], `failAt ${failAt}`).toContain(seen.length);
        const retry = await createLakeTable(storage, { table: name, partitionBy: ['dt'] }).append(batch, { appId: 'etl', txnVersion: 1 });
        expect(retry.duplicate, `failAt ${failAt}`).toBe(!crashed || seen.length === 6);
        const after = (await collect((await openSnapshot(storage, { table: name })).records())).map((r) => r.id as number).sort((a, b) => a - b);
        expect(after, `failAt ${failAt}`).toEqual([0, 1, 2, 3, 4, 100]);
      }
    });
  });
}
