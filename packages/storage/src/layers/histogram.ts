/**
 * A fixed-memory latency histogram with logarithmic buckets (8 per power of two, so a reported percentile is
 * within ~9% above the true value; the maximum is exact). Like HdrHistogram's idea at a fraction of its
 * precision: constant memory however many samples, cheap to record, mergeable.
 */

const SUB = 8;
const MIN_MS = 0.001;
const BUCKETS = SUB * 40; // 1 µs · 2^40 ≈ 12.7 days: every realistic latency fits.

/** A summary of recorded values (milliseconds). */
export interface HistogramSnapshot {
  count: number;
  /** Mean of the recorded values (exact). */
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  /** The largest value recorded (exact). */
  max: number;
  min: number;
}

/** Records durations in milliseconds and answers percentiles. */
export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKETS + 1);
  #count = 0;
  #sum = 0;
  #max = 0;
  #min = Infinity;

  /** Records one value (negative and NaN are recorded as 0). */
  record(ms: number): void {
    const v = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.#counts[bucketOf(v)]! += 1;
    this.#count += 1;
    this.#sum += v;
    if (v > this.#max) this.#max = v;
    if (v < this.#min) this.#min = v;
  }

  /** The number of values recorded. */
  get count(): number {
    return this.#count;
  }

  /** The value at quantile `q` (0..1): the upper bound of its bucket, clamped to the exact max. */
  quantile(q: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(upperBound(i), this.#max);
    }
    return this.#max;
  }

  /** The summary (all zeros when empty). */
  snapshot(): HistogramSnapshot {
    const n = this.#count;
    return {
      count: n,
      mean: n ? this.#sum / n : 0,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      max: this.#max,
      min: n ? this.#min : 0,
    };
  }

  /** Forgets every value. */
  reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#sum = 0;
    this.#max = 0;
    this.#min = Infinity;
  }
}

function bucketOf(ms: number): number {
  if (ms <= MIN_MS) return 0;
  return Math.min(BUCKETS, Math.ceil(Math.log2(ms / MIN_MS) * SUB));
}

function upperBound(bucket: number): number {
  return MIN_MS * 2 ** (bucket / SUB);
}
