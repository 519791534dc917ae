/**
 * Pipeline test suite: dlq. A module, not a test file: the `*.test.ts` files that call it choose the backends.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasErrorCode } from '@strata/storage';
import {
  createMemoryQueue, createSnapshotStore, isPipelineError, memoryFailedSource, memoryRedriveTarget, redriveJobId, restoreSnapshot,
} from '../../src/index.ts';
import type { MemoryQueue } from '../../src/index.ts';
import type { Backend, BackendFactory } from '../helpers/backends.ts';
import { collect } from '../helpers/collect.ts';
import { withCrashAt } from '../helpers/faulty-storage.ts';

/** A queue whose jobs with an odd `n` fail, twice (maxAttempts 2). */
async function failingQueue(n: number, name = 'emails'): Promise<MemoryQueue> {
  let clock = 1_000;
  const q = createMemoryQueue({ name, maxAttempts: 2, now: () => clock++ });
  for (let i = 0; i < n; i++) await q.add('send', { n: i }, { jobId: `j${i}` });
  const handler = (job: { data: unknown }) => {
    if (((job.data as { n: number }).n & 1) === 1) throw new Error(`boom ${(job.data as { n: number }).n}`);
  };
  await q.process(handler);
  await q.process(handler);
  return q;
}

/**
 * The DLQ snapshot suite (snapshot, restore, redrive, crash safety), declared once per backend in `backends`.
 * Run on memory by `packages/pipelines/test/dlq.test.ts` and on file, block and s3 (through the object server)
 * by `test/pipelines-e2e`, so each backend runs it once.
 */
export function describeDlqSuite(backends: readonly BackendFactory[]): void {
  describe.each([...backends])('DLQ snapshots on $name', ({ create }) => {
    let backend: Backend;
    beforeEach(async () => { backend = await create(); });
    afterEach(async () => { await backend.cleanup(); });

    it('snapshots failed jobs with error, attempts and timestamps into parts plus _COMMIT', async () => {
      const { storage } = backend;
      const q = await failingQueue(10);
      expect(q.failed()).toHaveLength(5);
      const store = createSnapshotStore(storage, { queue: 'emails' });
      const m = await store.snapshot(memoryFailedSource(q), { partSize: 2 });
      expect(m.count).toBe(5);
      expect(m.parts.map((p) => p.key)).toEqual([0, 1, 2].map((i) => `emails/snapshots/${m.id}/part-000${i}.jsonl.gz`));
      await storage.head(`emails/snapshots/${m.id}/_COMMIT`);
      const jobs = await collect(store.jobs(m.id));
      expect(jobs.map((j) => j.id)).toEqual(['j1', 'j3', 'j5', 'j7', 'j9']);
      expect(jobs[0]).toMatchObject({ name: 'send', data: { n: 1 }, failedReason: 'boom 1', attemptsMade: 2 });
      expect(jobs[0]!.stacktrace).toHaveLength(2);
      expect(jobs[0]!.finishedOn).toBeGreaterThan(jobs[0]!.timestamp);
      expect((await store.list()).map((s) => s.id)).toEqual([m.id]);
    });

    it('lists only committed snapshots and diffs two of them', async () => {
      const { storage } = backend;
      const q = await failingQueue(6);
      const store = createSnapshotStore(storage, { queue: 'emails' });
      const first = await store.snapshot(memoryFailedSource(q));
      // An uncommitted snapshot (a writer that crashed before _COMMIT) is invisible.
      await storage.put('emails/snapshots/29990101T000000000Z-deadbeef/part-0000.jsonl.gz', 'x');
      q.remove('j1');
      await q.add('send', { n: 7 }, { jobId: 'j7' });
      await q.process(() => { throw new Error('again'); });
      await q.process(() => { throw new Error('again'); });
      const failedJ3 = q.failed().find((j) => j.id === 'j3');
      expect(failedJ3).toBeDefined();
      await new Promise((r) => setTimeout(r, 2)); // distinct, ordered snapshot ids
      const second = await store.snapshot(memoryFailedSource(q));
      expect((await store.list()).map((s) => s.id)).toEqual([first.id, second.id]);
      const d = await store.diff(first.id, second.id);
      expect(d).toEqual({ added: ['j7'], removed: ['j1'], changed: [] });
      await expect(store.manifest('29990101T000000000Z-deadbeef')).rejects.toSatisfy((e) => hasErrorCode(e, 'NotFound'));
      expect(await store.cleanup({ graceMs: 0, now: Date.now() + 1 })).toEqual(['29990101T000000000Z-deadbeef']);
      expect((await store.list())).toHaveLength(2);
    });

    it('diff reports jobs whose failure changed', async () => {
      const { storage } = backend;
      const q = createMemoryQueue({ maxAttempts: 1 });
      await q.add('a', 1, { jobId: 'x' });
      await q.process(() => { throw new Error('first'); });
      const store = createSnapshotStore(storage, { queue: 'q' });
      const a = await store.snapshot(memoryFailedSource(q));
      const q2 = createMemoryQueue({ maxAttempts: 1 });
      await q2.add('a', 1, { jobId: 'x' });
      await q2.process(() => { throw new Error('second'); });
      const b = await store.snapshot(memoryFailedSource(q2));
      expect(await store.diff(a.id, b.id)).toEqual({ added: [], removed: [], changed: ['x'] });
    });

    it('restores a snapshot into a queue with deterministic ids, and a second restore adds nothing', async () => {
      const { storage } = backend;
      const store = createSnapshotStore(storage, { queue: 'emails' });
      const m = await store.snapshot(memoryFailedSource(await failingQueue(20)));
      const target = createMemoryQueue({ name: 'emails-retry' });
      const r1 = await restoreSnapshot(storage, store, m.id, memoryRedriveTarget(target), { checkpointEvery: 3 });
      expect(r1).toMatchObject({ added: 10, existing: 0, total: 10 });
      expect(target.waiting().map((j) => j.id)).toEqual(['j1', 'j3', 'j5', 'j7', 'j9', 'j11', 'j13', 'j15', 'j17', 'j19'].map((id) => redriveJobId(m.id, id)));
      expect(target.waiting()[0]).toMatchObject({ name: 'send', data: { n: 1 } });
      const r2 = await restoreSnapshot(storage, store, m.id, memoryRedriveTarget(target));
      expect(r2).toMatchObject({ added: 0, resumedFrom: 10 });
      expect(target.waiting()).toHaveLength(10);
    });

    it('a restore crashed at any step and restarted adds every job exactly once', async () => {
      const { storage } = backend;
      const store = createSnapshotStore(storage, { queue: 'emails' });
      const m = await store.snapshot(memoryFailedSource(await failingQueue(14)), { partSize: 3 });
      // Count a healthy restore's storage calls, then crash at each.
      const counting = withCrashAt(storage, Infinity);
      await restoreSnapshot(counting, createSnapshotStore(counting, { queue: 'emails' }), m.id, memoryRedriveTarget(createMemoryQueue({ name: 'probe' })), { checkpointEvery: 2 });
      for (let failAt = 1; failAt <= counting.calls; failAt++) {
        const target = createMemoryQueue({ name: `t${failAt}` });
        const faulty = withCrashAt(storage, failAt);
        await expect(restoreSnapshot(faulty, createSnapshotStore(faulty, { queue: 'emails' }), m.id, memoryRedriveTarget(target), { checkpointEvery: 2 })).rejects.toThrow(/injected crash/);
        const r = await restoreSnapshot(storage, store, m.id, memoryRedriveTarget(target), { checkpointEvery: 2 });
        expect(r.added + r.existing + r.resumedFrom, `failAt ${failAt}`).toBe(7);
        const ids = target.waiting().map((j) => j.id);
        expect(ids, `failAt ${failAt}`).toHaveLength(7);
        expect(new Set(ids).size).toBe(7);
      }
    });

    it('two restorers of the same snapshot into the same target: one is fenced, nothing is added twice', async () => {
      const { storage } = backend;
      const store = createSnapshotStore(storage, { queue: 'emails' });
      const m = await store.snapshot(memoryFailedSource(await failingQueue(40)));
      const target = createMemoryQueue({ name: 'retry' });
      const results = await Promise.allSettled([
        restoreSnapshot(storage, store, m.id, memoryRedriveTarget(target), { checkpointEvery: 1 }),
        restoreSnapshot(storage, store, m.id, memoryRedriveTarget(target), { checkpointEvery: 1 }),
      ]);
      for (const r of results) if (r.status === 'rejected') expect(isPipelineError(r.reason, 'Fenced')).toBe(true);
      await restoreSnapshot(storage, store, m.id, memoryRedriveTarget(target));
      expect(target.waiting()).toHaveLength(20);
    });

    it('a snapshot writer crashed at any step leaves no visible snapshot; its retry commits exactly one', async () => {
      const { storage } = backend;
      const q = await failingQueue(12);
      const counting = withCrashAt(storage, Infinity);
      await createSnapshotStore(counting, { queue: 'probe' }).snapshot(memoryFailedSource(q), { partSize: 2 });
      for (let failAt = 1; failAt <= counting.calls; failAt++) {
        const queueName = `q${failAt}`;
        const faulty = withCrashAt(storage, failAt);
        await expect(createSnapshotStore(faulty, { queue: queueName }).snapshot(memoryFailedSource(q), { partSize: 2 })).rejects.toThrow(/injected crash/);
        const store = createSnapshotStore(storage, { queue: queueName });
        expect(await store.list(), `failAt ${failAt}`).toEqual([]);
        const m = await store.snapshot(memoryFailedSource(q), { partSize: 2 });
        expect((await store.list()).map((s) => s.id)).toEqual([m.id]);
        expect((await collect(store.jobs(m.id))).map((j) => j.id)).toEqual(['j1', 'j3', 'j5', 'j7', 'j9', 'j11']);
      }
    });
  });
}
