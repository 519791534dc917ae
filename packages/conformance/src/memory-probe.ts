/**
 * Measures a process's memory growth while an operation runs, by sampling `process.memoryUsage()` (heap plus
 * ArrayBuffers, which is where stream chunks live) and rss. Used by the bounded-memory case: "memory stays
 * bounded for streams" (docs/architecture.md, "Put").
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gcFn: (() => void) | undefined;

/** A full garbage collection when the runtime allows one (flags set at run time), else nothing. */
export function collectGarbage(): void {
  if (!gcFn) {
    try {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    } catch {
      gcFn = () => {};
    }
  }
  gcFn();
}

/** Peak growth observed while `run` ran. */
export interface MemoryGrowth {
  /** Peak of heapUsed + arrayBuffers above the baseline, in bytes. */
  heap: number;
  /** Peak rss above the baseline, in bytes. */
  rss: number;
}

const sample = () => {
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.arrayBuffers, rss: m.rss };
};

/** Runs `run` while sampling memory every `intervalMs`; returns its result and the peak growth. */
export async function measureGrowth<T>(run: () => Promise<T>, intervalMs = 20): Promise<{ result: T; growth: MemoryGrowth }> {
  collectGarbage();
  const base = sample();
  const peak = { ...base };
  const take = () => {
    const s = sample();
    peak.heap = Math.max(peak.heap, s.heap);
    peak.rss = Math.max(peak.rss, s.rss);
  };
  const timer = setInterval(take, intervalMs);
  try {
    const result = await run();
    take();
    return { result, growth: { heap: peak.heap - base.heap, rss: peak.rss - base.rss } };
  } finally {
    clearInterval(timer);
  }
}
