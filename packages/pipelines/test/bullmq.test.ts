/**
 * The BullMQ integrations against a real redis-server (started here on a free loopback port).
 */
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { createMemoryStorage } from '@strata/storage';
import {
  bullmqFailedSource, bullmqRedriveTarget, createArchiver, createBullMQCompletedSource, createSnapshotStore, redriveJobId, replay, restoreSnapshot,
} from '../src/index.ts';
import { collect } from './helpers/collect.ts';
import { startRedis } from './helpers/redis.ts';
import type { RedisServer } from './helpers/redis.ts';
import { withCrashAt } from './helpers/faulty-storage.ts';

let redis: RedisServer;
const queues: Queue[] = [];
const connection = () => ({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null });
const newQueue = (name: string) => {
  const q = new Queue(name, { connection: connection() });
  queues.push(q);
  return q;
};

/** Runs a worker over `queue` until `expected` jobs have finished (completed or failed), then closes it. */
async function work(queue: Queue, expected: number, processor: (data: { n: number }) => unknown): Promise<void> {
  let finished = 0;
  await new Promise<void>((resolve, reject) => {
    const worker = new Worker(queue.name, async (job) => processor(job.data as { n: number }), { connection: connection(), concurrency: 4 });
    const done = () => { if (++finished === expected) worker.close().then(resolve, reject); };
    worker.on('completed', done);
    worker.on('failed', (job) => { if (job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1)) done(); });
    worker.on('error', reject);
  });
}

beforeAll(async () => { redis = await startRedis(); });
afterAll(async () => {
  for (const q of queues) await q.close();
  await redis?.stop();
});

describe.skipIf(skipWithout('redis-server'))('BullMQ on a real redis-server', () => {
  it('archives completed jobs, removing each from redis only after its segment is committed', async () => {
    const queue = newQueue('archive-me');
    for (let i = 0; i < 45; i++) await queue.add('job', { n: i }, { jobId: `job-${i}` });
    await work(queue, 45, (d) => ({ doubled: d.n * 2 }));
    expect(await queue.getCompletedCount()).toBe(45);

    const storage = createMemoryStorage();
    const source = createBullMQCompletedSource(queue, { pageSize: 7 });
    // A crash mid-way: the first batches commit, then storage dies. Uncommitted jobs stay in redis.
    const faulty = withCrashAt(storage, 12);
    await expect(createArchiver(faulty, { stream: 'bull/archive-me', source, batchSize: 10 }).run()).rejects.toThrow(/injected/);
    const committed = await collect(replay(storage, { stream: 'bull/archive-me' }));
    expect(await queue.getCompletedCount()).toBe(45 - committed.length);

    const result = await createArchiver(storage, { stream: 'bull/archive-me', source, batchSize: 10 }).run();
    expect(result.nextOffset).toBe(45);
    expect(await queue.getCompletedCount()).toBe(0);
    const all = await collect(replay(storage, { stream: 'bull/archive-me' }));
    expect(all.map((m) => m.id).sort()).toEqual([...Array(45).keys()].map((i) => `job-${i}`).sort());
    expect(all.map((m) => m.offset)).toEqual([...Array(45).keys()]);
    const m7 = all.find((m) => m.id === 'job-7')!;
    expect(m7).toMatchObject({ data: { n: 7 }, attributes: { name: 'job', returnvalue: { doubled: 14 }, attemptsMade: expect.any(Number) } });
  });

  it('snapshots the failed set and redrives it into another queue exactly once, across an interruption', async () => {
    const queue = newQueue('flaky');
    for (let i = 0; i < 12; i++) await queue.add('send', { n: i }, { jobId: `mail-${i}`, attempts: 2 });
    await work(queue, 12, (d) => { if (d.n % 3 === 0) throw new Error(`smtp down for ${d.n}`); return 'ok'; });
    expect(await queue.getFailedCount()).toBe(4);

    const storage = createMemoryStorage();
    const store = createSnapshotStore(storage, { queue: 'flaky' });
    const snap = await store.snapshot(bullmqFailedSource(queue, 3), { partSize: 2 });
    expect(snap.count).toBe(4);
    const jobs = await collect(store.jobs(snap.id));
    expect(jobs.map((j) => j.id).sort()).toEqual(['mail-0', 'mail-3', 'mail-6', 'mail-9']);
    expect(jobs[0]).toMatchObject({ name: 'send', attemptsMade: 2, failedReason: expect.stringMatching(/^smtp down for/) });
    expect(jobs[0]!.stacktrace.length).toBeGreaterThan(0);
    expect(jobs[0]!.finishedOn).toBeGreaterThanOrEqual(jobs[0]!.timestamp);

    const retry = newQueue('flaky-retry');
    // Interrupted after two jobs went in (the crash hits the progress write), then restarted.
    const faulty = withCrashAt(storage, 6); // manifest, progress (absent), progress create, manifest, part 0, then the checkpoint
    await expect(restoreSnapshot(faulty, createSnapshotStore(faulty, { queue: 'flaky' }), snap.id, bullmqRedriveTarget(retry), { checkpointEvery: 2 })).rejects.toThrow(/injected/);
    const partial = await retry.getWaitingCount();
    expect(partial).toBe(2);
    const r = await restoreSnapshot(storage, store, snap.id, bullmqRedriveTarget(retry), { checkpointEvery: 2 });
    expect(r.added + r.existing + r.resumedFrom).toBe(4);
    expect(await retry.getWaitingCount()).toBe(4);
    const waiting = await retry.getWaiting();
    expect(waiting.map((j) => j.id).sort()).toEqual(['mail-0', 'mail-3', 'mail-6', 'mail-9'].map((id) => redriveJobId(snap.id, id)).sort());
    // A second full restore adds nothing.
    await restoreSnapshot(storage, store, snap.id, bullmqRedriveTarget(retry));
    expect(await retry.getWaitingCount()).toBe(4);
  });
});
