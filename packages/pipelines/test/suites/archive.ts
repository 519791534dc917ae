/**
 * Pipeline test suite: archive. A module, not a test file: the `*.test.ts` files that call it choose the backends.
 */
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '@strata/storage';
import {
  applyRetention, createArchiver, createMemoryQueue, createStreamWriter, indexKey, isPipelineError, replay, segmentKey, stateKey,
} from '../../src/index.ts';
import type { MemoryQueue } from '../../src/index.ts';
import type { Backend, BackendFactory } from '../helpers/backends.ts';
import { collect } from '../helpers/collect.ts';

async function fill(queue: MemoryQueue, n: number, from = 0, timestamp?: number): Promise<void> {
  for (let i = from; i < from + n; i++) await queue.add('msg', { n: i }, { jobId: `m${i}`, ...(timestamp !== undefined ? { timestamp } : {}) });
}

async function keys(storage: Storage, prefix: string): Promise<string[]> {
  const page = await storage.list({ prefix, limit: 1000 });
  return page.items.map((i) => i.key);
}

/**
 * The queue archive suite (segments, replay, retention, stream writer, idempotent commits), declared once per
 * backend in `backends`. Run on memory by `packages/pipelines/test/archive.test.ts` and on file, block and s3
 * (through the object server) by `test/pipelines-e2e`, so each backend runs it once.
 */
export function describeArchiveSuite(backends: readonly BackendFactory[]): void {
  describe.each([...backends])('queue archive on $name', ({ create }) => {
    let backend: Backend;
    beforeEach(async () => { backend = await create(); });
    afterEach(async () => { await backend.cleanup(); });

    it('archives a queue into zero-padded gzip JSONL segments and replays it in order', async () => {
      const { storage } = backend;
      const queue = createMemoryQueue({ name: 'orders' });
      await fill(queue, 250);
      const result = await createArchiver(storage, { stream: 'orders', source: queue, batchSize: 100, blockSize: 16 }).run();
      expect(result).toMatchObject({ batches: 3, archived: 250, duplicates: 0, nextOffset: 250 });
      expect(queue.waiting()).toHaveLength(0); // every message acked

      expect(await keys(storage, 'orders/segments/')).toEqual([
        'orders/segments/00000000000000000000-00000000000000000099.jsonl.gz',
        'orders/segments/00000000000000000100-00000000000000000199.jsonl.gz',
        'orders/segments/00000000000000000200-00000000000000000249.jsonl.gz',
      ]);
      // A segment is plain gzip'd JSON Lines (several members, one stream to any gunzip).
      const seg = await storage.get(segmentKey('orders', 100, 199));
      const chunks: Buffer[] = [];
      for await (const c of seg.body) chunks.push(c as Buffer);
      const lines = gunzipSync(Buffer.concat(chunks)).toString().trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).toHaveLength(100);
      expect(lines[0]).toMatchObject({ offset: 100, id: 'm100', data: { n: 100 } });

      const all = await collect(replay(storage, { stream: 'orders' }));
      expect(all.map((m) => m.offset)).toEqual([...Array(250).keys()]);
      expect(all.map((m) => m.id)).toEqual([...Array(250).keys()].map((i) => `m${i}`));
    });

    it('replays a range, seeking into the first segment through its index', async () => {
      const { storage } = backend;
      const queue = createMemoryQueue();
      await fill(queue, 300);
      await createArchiver(storage, { stream: 's', source: queue, batchSize: 100, blockSize: 10 }).run();
      const idx = JSON.parse((await storage.get(indexKey('s', 100)).then(async (r) => { const c: Buffer[] = []; for await (const x of r.body) c.push(x as Buffer); return Buffer.concat(c); })).toString());
      expect(idx.blocks).toHaveLength(10);
      expect(idx.blocks[3]).toMatchObject({ offset: 130, line: 30 });
      expect(idx.blocks[3].byte).toBeGreaterThan(0);

      const part = await collect(replay(storage, { stream: 's', from: 137, to: 212 }));
      expect(part.map((m) => m.offset)).toEqual(Array.from({ length: 76 }, (_, i) => 137 + i));
      expect(await collect(replay(storage, { stream: 's', from: 299 }))).toHaveLength(1);
      expect(await collect(replay(storage, { stream: 's', from: 300 }))).toHaveLength(0);
      expect(await collect(replay(storage, { stream: 's', from: 5, to: 4 }))).toHaveLength(0);
    });

    it('continues a stream across runs and drops redeliveries of committed messages', async () => {
      const { storage } = backend;
      const queue = createMemoryQueue();
      await fill(queue, 30);
      await createArchiver(storage, { stream: 's', source: queue, batchSize: 10 }).run();
      // The same messages again (a source that redelivers after a crash between commit and ack).
      await fill(queue, 10, 20);
      await fill(queue, 5, 30);
      const second = await createArchiver(storage, { stream: 's', source: queue, batchSize: 10 }).run();
      expect(second).toMatchObject({ archived: 5, duplicates: 10, nextOffset: 35 });
      const ids = (await collect(replay(storage, { stream: 's' }))).map((m) => m.id);
      expect(ids).toEqual([...Array(35).keys()].map((i) => `m${i}`));
    });

    it('recovers a segment written before a crash: adopted at restart, not written twice', async () => {
      const { storage } = backend;
      const queue = createMemoryQueue();
      await fill(queue, 10);
      // A crashed archiver: it stored segment 0..9 but neither its commit record nor the state, and acked nothing.
      const crashed = createStreamWriter(storage, { stream: 's', writerId: 'crashed' });
      await crashed.open();
      await storage.put(segmentKey('s', 0, 9), (await import('../../src/archive/segment.ts')).encodeSegment(
        queue.waiting().map((j, i) => ({ offset: i, id: j.id, timestamp: j.timestamp, data: j.data, attributes: { name: j.name } })), 4).bytes, { ifNoneMatch: '*' });
      expect(await collect(replay(storage, { stream: 's' }))).toHaveLength(0); // not committed: invisible

      const result = await createArchiver(storage, { stream: 's', source: queue, batchSize: 10 }).run();
      expect(result).toMatchObject({ archived: 0, duplicates: 10, nextOffset: 10 });
      expect(queue.waiting()).toHaveLength(0);
      expect((await collect(replay(storage, { stream: 's' }))).map((m) => m.id)).toEqual([...Array(10).keys()].map((i) => `m${i}`));
    });

    it('fences two archivers: the one whose if-match fails stops, and no offset is committed twice', async () => {
      const { storage } = backend;
      const qa = createMemoryQueue({ name: 'a' });
      const qb = createMemoryQueue({ name: 'b' });
      for (let i = 0; i < 40; i++) {
        await qa.add('a', { i }, { jobId: `a${i}` });
        await qb.add('b', { i }, { jobId: `b${i}` });
      }
      const a = createArchiver(storage, { stream: 's', source: qa, batchSize: 7, writerId: 'A' });
      const b = createArchiver(storage, { stream: 's', source: qb, batchSize: 5, writerId: 'B' });
      const outcomes = await Promise.allSettled([a.run(), b.run()]);
      const fencedCount = outcomes.filter((o) => o.status === 'rejected' && isPipelineError(o.reason, 'Fenced')).length;
      const other = outcomes.filter((o) => o.status === 'rejected' && !isPipelineError(o.reason, 'Fenced'));
      expect(other).toEqual([]);
      expect(fencedCount).toBeGreaterThanOrEqual(1);

      const msgs = await collect(replay(storage, { stream: 's' }));
      expect(msgs.map((m) => m.offset)).toEqual([...Array(msgs.length).keys()]); // contiguous, each once
      expect(new Set(msgs.map((m) => m.id)).size).toBe(msgs.length);
      // Whatever was acked is archived; whatever was not acked is still in its queue (nothing lost).
      const archived = new Set(msgs.map((m) => m.id));
      for (const q of [qa, qb]) {
        const left = new Set(q.waiting().map((j) => j.id));
        const prefix = q === qa ? 'a' : 'b';
        for (let i = 0; i < 40; i++) expect(archived.has(`${prefix}${i}`) || left.has(`${prefix}${i}`)).toBe(true);
      }
      // The survivor (or a fresh archiver) drains the rest; the stream stays gap-free and duplicate-free.
      await createArchiver(storage, { stream: 's', source: qa, batchSize: 7 }).run();
      await createArchiver(storage, { stream: 's', source: qb, batchSize: 7 }).run();
      const final = await collect(replay(storage, { stream: 's' }));
      expect(final.map((m) => m.offset)).toEqual([...Array(80).keys()]);
      expect(new Set(final.map((m) => m.id)).size).toBe(80);
    });

    it('an archiver taken over by a newer one stops at its next commit', async () => {
      const { storage } = backend;
      const q = createMemoryQueue();
      await fill(q, 20);
      const old = createStreamWriter(storage, { stream: 's', writerId: 'old' });
      await old.open();
      const fresh = createStreamWriter(storage, { stream: 's', writerId: 'new' });
      await fresh.open();
      await fresh.commit([{ id: 'x', timestamp: 1, data: 1 }]);
      const err = await old.commit([{ id: 'y', timestamp: 1, data: 2 }]).catch((e: unknown) => e);
      expect(isPipelineError(err, 'Fenced')).toBe(true);
      expect((await collect(replay(storage, { stream: 's' }))).map((m) => m.id)).toEqual(['x']);
      const state = JSON.parse(await storage.get(stateKey('s')).then(async (r) => { let s = ''; for await (const c of r.body) s += c; return s; }));
      expect(state).toMatchObject({ nextOffset: 1, owner: 'new' });
    });

    it('retention deletes whole segments before an offset or older than an age, never the tail', async () => {
      const { storage } = backend;
      const q = createMemoryQueue();
      await fill(q, 20, 0, 1_000);
      await fill(q, 20, 20, 50_000);
      await createArchiver(storage, { stream: 's', source: q, batchSize: 10 }).run();
      const byOffset = await applyRetention(storage, { stream: 's', beforeOffset: 15 });
      expect(byOffset.deletedSegments).toEqual([segmentKey('s', 0, 9)]);
      expect(byOffset.firstOffset).toBe(10);
      expect((await collect(replay(storage, { stream: 's' })))[0]?.offset).toBe(10);
      expect((await collect(replay(storage, { stream: 's', from: 3 })))[0]?.offset).toBe(10);

      const byAge = await applyRetention(storage, { stream: 's', maxAgeMs: 10_000, now: () => 40_000 });
      expect(byAge.deletedSegments).toEqual([segmentKey('s', 10, 19)]);
      const everything = await applyRetention(storage, { stream: 's', beforeOffset: 1_000 });
      expect(everything.deletedSegments).toHaveLength(2);
      expect(await keys(storage, 's/segments/')).toEqual([]);
      // The state still knows where the stream is: new messages continue the offsets.
      await fill(q, 3, 40);
      expect(await createArchiver(storage, { stream: 's', source: q }).run()).toMatchObject({ nextOffset: 43 });
      expect((await collect(replay(storage, { stream: 's' }))).map((m) => m.offset)).toEqual([40, 41, 42]);
    });

    it('follow mode commits partial batches after maxBatchWaitMs and stops on abort', async () => {
      const { storage } = backend;
      const q = createMemoryQueue();
      const ac = new AbortController();
      const running = createArchiver(storage, { stream: 's', source: q, batchSize: 100, maxBatchWaitMs: 30 }).run({ follow: true, signal: ac.signal });
      await fill(q, 3);
      for (let i = 0; i < 100 && (await collect(replay(storage, { stream: 's' }))).length < 3; i++) await new Promise((r) => setTimeout(r, 20));
      ac.abort();
      const result = await running;
      expect(result.archived).toBe(3);
      expect(q.waiting()).toHaveLength(0);
    });
  });
}
