/**
 * Latency profiles that emulate real media, off by default. Figures are typical published numbers:
 * NVMe 4 KiB random read ≈ 80 µs, write ≈ 20 µs (into the drive's cache); EBS gp3 single-digit ms (AWS EBS
 * "gp3" docs: "single-digit millisecond latency"); a 7200 rpm disk ≈ 4 ms rotational latency plus a seek that
 * grows with the distance travelled.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from './types.ts';

/** How long operations take on an emulated medium. */
export interface LatencyProfile {
  name: string;
  readMs: number;
  writeMs: number;
  flushMs: number;
  /** Extra time per page transferred. */
  perPageMs: number;
  /** Extra time for a seek across the whole device (scaled by the distance from the previous access). */
  fullSeekMs: number;
}

/** Built-in profiles. */
export const LATENCY_PROFILES = {
  nvme: { name: 'nvme', readMs: 0.08, writeMs: 0.02, flushMs: 0.2, perPageMs: 0.001, fullSeekMs: 0 },
  'ebs-gp3': { name: 'ebs-gp3', readMs: 1, writeMs: 1.5, flushMs: 2, perPageMs: 0.004, fullSeekMs: 0 },
  hdd: { name: 'hdd', readMs: 4, writeMs: 4, flushMs: 8, perPageMs: 0.03, fullSeekMs: 8 },
} as const satisfies Record<string, LatencyProfile>;

/** Below this, timers are too coarse to use at all: the wait is finished by yielding until the deadline. */
const TIMER_SLACK_MS = 1.5;
/** The longest a single wait may spin for, whatever it is asked (a bound on the CPU a sleep can burn). */
const MAX_SPIN_MS = 5;

/**
 * Waits until `performance.now()` reaches `deadline`. Node's timers have millisecond granularity and in
 * practice fire ≥ 1 ms late (libuv rounds the timeout up, then the loop must come round), so an emulated NVMe
 * read of 80 µs slept with `setTimeout` takes over 1 ms. Instead: a timer for all but the last ~1.5 ms, then
 * `setImmediate` turns — each lets I/O and other tasks run, so concurrent operations still overlap — until the
 * deadline passes. The spin is bounded by {@link MAX_SPIN_MS}.
 */
export async function sleepUntil(deadline: number): Promise<void> {
  const coarse = deadline - performance.now() - TIMER_SLACK_MS;
  if (coarse >= 1) await delay(Math.floor(coarse));
  const stop = Math.min(deadline, performance.now() + MAX_SPIN_MS);
  while (performance.now() < stop) await new Promise<void>((r) => setImmediate(r));
}

/** The real clock: `performance.now()`, and sleeps accurate to a few microseconds (see {@link sleepUntil}). */
export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => (ms > 0 ? sleepUntil(performance.now() + ms) : Promise.resolve()),
};

/** A fake clock for tests: `sleep` advances time instantly and records the total slept. */
export function createFakeClock(start = 0): Clock & { slept: number } {
  let t = start;
  const clock = {
    slept: 0,
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
      clock.slept += ms;
    },
  };
  return clock;
}

/** Computes the emulated time of one operation. */
export function operationDelay(
  profile: LatencyProfile,
  kind: 'read' | 'write' | 'flush',
  page: number,
  count: number,
  lastPage: number,
  pageCount: number,
): number {
  if (kind === 'flush') return profile.flushMs;
  const base = kind === 'read' ? profile.readMs : profile.writeMs;
  const seek = pageCount > 0 ? (profile.fullSeekMs * Math.abs(page - lastPage)) / pageCount : 0;
  return base + seek + profile.perPageMs * count;
}
