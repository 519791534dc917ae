/**
 * Crash at every step: an archiver whose storage dies at its Nth call (for every N of a full run) leaves only
 * whole committed batches visible, and the archiver run after it ends with every message exactly once.
 */
import { describe, expect, it } from 'vitest';
import { createArchiver, createMemoryQueue, replay } from '../../src/index.ts';
import type { BackendFactory } from '../helpers/backends.ts';
import { collect } from '../helpers/collect.ts';
import { withCrashAt } from '../helpers/faulty-storage.ts';

const N = 23;
const BATCH = 10;

/**
 * The queue archive crash-at-every-call suite, declared once per backend in `backends`. Run on memory by
 * `packages/pipelines/test/archive-faults.test.ts` and on file, block and s3 (through the object server) by
 * `test/pipelines-e2e`, so each backend runs it once.
 */
export function describeArchiveFaultsSuite(backends: readonly BackendFactory[]): void {
  describe.each([...backends])('queue archive crash recovery on $name', ({ create }) => {
    it('a crash at any storage call leaves no partial state and the retry archives each message once', async () => {
      // Count the calls of a healthy run first, then crash at each one of them in turn.
      const probe = await create();
      const probeQueue = createMemoryQueue();
      for (let i = 0; i < N; i++) await probeQueue.add('m', { i }, { jobId: `m${i}` });
      const counting = withCrashAt(probe.storage, Infinity);
      await createArchiver(counting, { stream: 's', source: probeQueue, batchSize: BATCH }).run();
      const total = counting.calls;
      await probe.cleanup();
      expect(total).toBeGreaterThan(10);

      for (let failAt = 1; failAt <= total; failAt++) {
        const { storage, cleanup } = await create();
        try {
          const queue = createMemoryQueue();
          for (let i = 0; i < N; i++) await queue.add('m', { i }, { jobId: `m${i}` });
          const faulty = withCrashAt(storage, failAt);
          await expect(createArchiver(faulty, { stream: 's', source: queue, batchSize: BATCH }).run()).rejects.toThrow(/injected crash/);

          // Visible state after the crash: whole batches only, contiguous offsets, no duplicate.
          const seen = await collect(replay(storage, { stream: 's' }));
          expect(seen.length % BATCH === 0 || seen.length === N, `failAt ${failAt}: ${seen.length} visible`).toBe(true);
          expect(seen.map((m) => m.offset)).toEqual([...Array(seen.length).keys()]);
          // Nothing acked that is not durable.
          const waiting = new Set(queue.waiting().map((j) => j.id));
          const archived = new Set(seen.map((m) => m.id));
          for (let i = 0; i < N; i++) expect(waiting.has(`m${i}`) || archived.has(`m${i}`), `failAt ${failAt}: m${i} lost`).toBe(true);

          // The retry (a new process with the same queue) finishes the job: each message exactly once.
          await createArchiver(storage, { stream: 's', source: queue, batchSize: BATCH }).run();
          const after = await collect(replay(storage, { stream: 's' }));
          expect(after.map((m) => m.offset), `failAt ${failAt}`).toEqual([...Array(N).keys()]);
          expect(after.map((m) => m.id).sort(), `failAt ${failAt}`).toEqual([...Array(N).keys()].map((i) => `m${i}`).sort());
          expect(queue.waiting()).toHaveLength(0);
        } finally {
          await cleanup();
        }
      }
    });
  });
}
