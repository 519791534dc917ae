/** Device counters and latency histograms (power-of-two µs buckets, like HdrHistogram's coarse mode). */
import type { DeviceStats, LatencyHistogram } from './types.ts';

const BUCKETS = 32;

/** An empty histogram. */
export function createHistogram(): LatencyHistogram {
  return { count: 0, totalMs: 0, maxMs: 0, buckets: new Array<number>(BUCKETS).fill(0) };
}

/** Records one operation of `ms` milliseconds. */
export function recordLatency(h: LatencyHistogram, ms: number): void {
  h.count++;
  h.totalMs += ms;
  if (ms > h.maxMs) h.maxMs = ms;
  const us = Math.max(0, ms * 1000);
  const i = Math.min(BUCKETS - 1, us < 1 ? 0 : Math.ceil(Math.log2(us + 1)));
  h.buckets[i] = (h.buckets[i] ?? 0) + 1;
}

/** Zeroed device stats. */
export function createStats(): DeviceStats {
  return {
    reads: 0,
    writes: 0,
    flushes: 0,
    discards: 0,
    pagesRead: 0,
    pagesWritten: 0,
    bytesRead: 0,
    bytesWritten: 0,
    corruptPages: 0,
    latency: { read: createHistogram(), write: createHistogram(), flush: createHistogram() },
  };
}

/** Counts one read of `pages` pages, `bytes` in all. */
export function countRead(s: DeviceStats, pages: number, bytes: number): void {
  s.reads++;
  s.pagesRead += pages;
  s.bytesRead += bytes;
}

/** Counts one write of `pages` pages, `bytes` in all. */
export function countWrite(s: DeviceStats, pages: number, bytes: number): void {
  s.writes++;
  s.pagesWritten += pages;
  s.bytesWritten += bytes;
}

/** A deep copy, so callers can diff snapshots. */
export function snapshotStats(s: DeviceStats): DeviceStats {
  return structuredClone(s);
}
