/**
 * The server view's history: a fixed-size ring of points, each derived from two consecutive scrapes of
 * `/metrics` — rates are counter differences over the time between the scrapes, latency percentiles come from
 * the histogram's bucket differences, interpolated within a bucket as Prometheus' `histogram_quantile` does
 * (https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile).
 *
 * A counter that went down means the server restarted; its new value is then the difference (Prometheus'
 * `rate` treats a reset the same way).
 */
import type { MetricsSnapshot } from './prometheus.ts';

/** One point of the charts: what happened between two scrapes. */
export interface MetricsPoint {
  /** The later scrape's time, ms since the epoch. */
  at: number;
  requestsPerSecond: number;
  clientErrorsPerSecond: number;
  serverErrorsPerSecond: number;
  /** Latency percentiles in seconds; NaN when no request finished in the interval. */
  p50: number;
  p90: number;
  p99: number;
  bytesInPerSecond: number;
  bytesOutPerSecond: number;
}

/** The increase of a counter between two scrapes, a reset counted from zero. */
const increase = (before: number, after: number) => (after >= before ? after - before : after);

/**
 * The `q` quantile (0..1) of the observations a histogram's bucket differences hold, interpolated linearly
 * within the bucket it falls in; the highest finite bound when it falls in the `+Inf` bucket; NaN when empty.
 */
export function histogramQuantile(q: number, buckets: readonly { le: number; count: number }[]): number {
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return NaN;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return lowerBound;
      const inBucket = b.count - lowerCount;
      return inBucket <= 0 ? b.le : lowerBound + (b.le - lowerBound) * ((rank - lowerCount) / inBucket);
    }
    lowerBound = b.le === Infinity ? lowerBound : b.le;
    lowerCount = b.count;
  }
  return lowerBound;
}

/** The histogram of the requests that finished between two scrapes (bucket by bucket differences). */
function bucketIncrease(before: MetricsSnapshot, after: MetricsSnapshot): { le: number; count: number }[] {
  const earlier = new Map(before.latencyBuckets.map((b) => [b.le, b.count]));
  return after.latencyBuckets.map((b) => ({ le: b.le, count: increase(earlier.get(b.le) ?? 0, b.count) }));
}

/** The point between two scrapes, or undefined when they are not in time order. */
export function pointBetween(before: MetricsSnapshot, after: MetricsSnapshot): MetricsPoint | undefined {
  const seconds = (after.at - before.at) / 1000;
  if (!(seconds > 0)) return undefined;
  const buckets = bucketIncrease(before, after);
  return {
    at: after.at,
    requestsPerSecond: increase(before.requests, after.requests) / seconds,
    clientErrorsPerSecond: increase(before.clientErrors, after.clientErrors) / seconds,
    serverErrorsPerSecond: increase(before.serverErrors, after.serverErrors) / seconds,
    p50: histogramQuantile(0.5, buckets),
    p90: histogramQuantile(0.9, buckets),
    p99: histogramQuantile(0.99, buckets),
    bytesInPerSecond: increase(before.bytesIn, after.bytesIn) / seconds,
    bytesOutPerSecond: increase(before.bytesOut, after.bytesOut) / seconds,
  };
}

/** The last `capacity` points, oldest first. */
export class SampleRing {
  readonly capacity: number;
  #points: MetricsPoint[] = [];
  #last: MetricsSnapshot | undefined;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('SampleRing: capacity must be a positive integer');
    this.capacity = capacity;
  }

  /** Adds a scrape; from the second one on, each adds a point (the oldest falls out when full). */
  add(snapshot: MetricsSnapshot): MetricsPoint | undefined {
    const point = this.#last === undefined ? undefined : pointBetween(this.#last, snapshot);
    if (this.#last === undefined || snapshot.at > this.#last.at) this.#last = snapshot;
    if (point === undefined) return undefined;
    this.#points.push(point);
    if (this.#points.length > this.capacity) this.#points.splice(0, this.#points.length - this.capacity);
    return point;
  }

  /** The points, oldest first (a copy). */
  points(): MetricsPoint[] {
    return [...this.#points];
  }

  /** Forgets everything (on sign-out). */
  clear(): void {
    this.#points = [];
    this.#last = undefined;
  }
}
