/** Unit tests of the pieces the pipelines share: the memory queue, offsets and keys (lake formats: `lake-schema.test.ts`). */
import { describe, expect, it } from 'vitest';
import {
  createMemoryQueue, escapePartitionValue, padOffset, parseIndexKey, parseSegmentKey, partitionPath, segmentKey,
} from '../src/index.ts';

describe('memory queue', () => {
  it('redelivers nacked messages and those of an iteration that ended unacked, in order', async () => {
    const q = createMemoryQueue();
    for (const id of ['a', 'b', 'c', 'd']) await q.add('m', id, { jobId: id });
    const seen: string[] = [];
    for await (const m of q.messages()) {
      seen.push(m.id);
      if (m.id === 'a') await m.ack();
      if (m.id === 'b') await m.nack(); // back to the front: delivered again next
      if (seen.length === 3) break; // 'c' left unacked by a "crashed" consumer
    }
    expect(seen).toEqual(['a', 'b', 'b']);
    expect(q.waiting().map((j) => j.id)).toEqual(['b', 'c', 'd']);
    const again: string[] = [];
    for await (const m of q.messages()) {
      again.push(m.id);
      await m.ack();
    }
    expect(again).toEqual(['b', 'c', 'd']);
    expect(q.waiting()).toEqual([]);
  });

  it('adds a jobId once while the job exists, and fails jobs after maxAttempts', async () => {
    let t = 0;
    const q = createMemoryQueue({ maxAttempts: 3, now: () => ++t });
    expect((await q.add('m', 1, { jobId: 'x' })).added).toBe(true);
    expect((await q.add('m', 2, { jobId: 'x' })).added).toBe(false);
    for (let i = 0; i < 3; i++) await q.process(() => { throw new Error(`e${i}`); });
    expect(q.failed()).toMatchObject([{ id: 'x', data: 1, attemptsMade: 3, failedReason: 'e2' }]);
    expect(q.failed()[0]!.stacktrace).toHaveLength(3);
    expect((await q.add('m', 3, { jobId: 'x' })).added).toBe(false); // still exists, in the failed list
    expect(q.remove('x')).toBe(true);
    expect((await q.add('m', 3, { jobId: 'x' })).added).toBe(true);
  });
});

describe('keys', () => {
  it('pads offsets to 20 digits so byte order is numeric order', () => {
    expect(padOffset(42)).toBe('00000000000000000042');
    expect(padOffset(Number.MAX_SAFE_INTEGER)).toHaveLength(20);
    expect(() => padOffset(-1)).toThrow(RangeError);
    expect(() => padOffset(1.5)).toThrow(RangeError);
    const keys = [9, 10, 100, 2].map((n) => segmentKey('s', n, n + 1)).sort();
    expect(keys.map((k) => parseSegmentKey('s', k)?.start)).toEqual([2, 9, 10, 100]);
    expect(parseSegmentKey('s', 's/segments/garbage')).toBeUndefined();
    expect(parseIndexKey('s', 's/index/00000000000000000007.json')).toBe(7);
  });

  it('escapes partition values as Hive does', () => {
    expect(partitionPath({ dt: '2026-11-22', region: 'eu/west=1' })).toBe('dt=2026-11-22/region=eu%2Fwest%3D1');
    expect(escapePartitionValue('')).toBe('__HIVE_DEFAULT_PARTITION__');
    expect(escapePartitionValue('é')).toBe('%C3%A9');
    expect(partitionPath({ dt: null })).toBe('dt=__HIVE_DEFAULT_PARTITION__');
  });
});
