/**
 * Latency statistics: percentiles over recorded samples, and the median-of-repeats summary the reports use
 * ("medians with min–max"). Samples are kept whole: a benchmark run records at most a few hundred thousand.
 */

/** Percentiles of one set of latency samples, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** The value at quantile `q` (0..1) of ascending `sorted`, by nearest rank. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Summarises latency samples (milliseconds). */
export function summarize(samples: number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const s of sorted) sum += s;
  return {
    count: sorted.length,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

/** A median with the spread of the repeats it came from. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Median, min and max of repeated measurements of one figure. */
export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN };
}

/** Points of an empirical CDF, thinned to at most `points` for charts: [latencyMs, fraction]. */
export function cdf(samples: number[], points = 60): Array<[number, number]> {
  const sorted = Float64Array.from(samples).sort();
  if (sorted.length === 0) return [];
  const out: Array<[number, number]> = [];
  for (let i = 1; i <= points; i++) {
    const q = i / points;
    out.push([quantile(sorted, q), q]);
  }
  return out;
}
