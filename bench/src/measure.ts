/**
 * The measuring loop: a warm-up, then `repeats` timed rounds of `ops` operations each at a given concurrency.
 * Each round yields ops/s and MB/s; the report keeps the median round with min–max, and the latency samples of
 * all rounds for percentiles and CDFs. Every loop is bounded in count and in time (`maxMs`).
 */
import { performance } from 'node:perf_hooks';
import type { LoadFacts } from './load/load-round.ts';
import { cdf, spread, summarize } from './stats.ts';
import type { LatencySummary, Spread } from './stats.ts';

/** How much to measure. */
export interface MeasurePlan {
  /** Operations per timed round. */
  ops: number;
  /** Timed rounds. */
  repeats: number;
  /** Untimed operations before the first round. */
  warmup: number;
  /** Operations in flight at once. */
  concurrency: number;
  /** A round stops early after this long, so a slow tier cannot stall the run. */
  maxMs: number;
}

/** One measured scenario on one tier. */
export interface Measurement {
  scenario: string;
  tier: string;
  concurrency: number;
  /** Bytes moved per operation (0 for metadata operations). */
  bytesPerOp: number;
  latency: LatencySummary;
  opsPerSec: Spread;
  mbPerSec: Spread;
  cdf: Array<[number, number]>;
  /** Free-form extras (peak RSS, request errors, …). */
  extra?: Record<string, number | string>;
  /**
   * For a row measured under HTTP load: the generator, its CPU and the server's, and whether the row can be
   * trusted (not client-bound, no failed requests). Rows without it were measured in process.
   */
  load?: LoadFacts;
}

/** Runs `op(i)` per the plan and returns its measurement. `op` gets a running index for key choice. */
export async function measure(
  scenario: string,
  tier: string,
  bytesPerOp: number,
  plan: MeasurePlan,
  op: (i: number) => Promise<unknown>,
): Promise<Measurement> {
  let index = 0;
  await runRound(plan.warmup, Math.min(plan.concurrency, Math.max(1, plan.warmup)), plan.maxMs, () => op(index++), []);
  const samples: number[] = [];
  const rates: number[] = [];
  for (let r = 0; r < plan.repeats; r++) {
    const started = performance.now();
    const done = await runRound(plan.ops, plan.concurrency, plan.maxMs, () => op(index++), samples);
    const seconds = (performance.now() - started) / 1000;
    rates.push(done / seconds);
  }
  const opsPerSec = spread(rates);
  const mb = (v: number) => (v * bytesPerOp) / (1024 * 1024);
  return {
    scenario,
    tier,
    concurrency: plan.concurrency,
    bytesPerOp,
    latency: summarize(samples),
    opsPerSec,
    mbPerSec: { median: mb(opsPerSec.median), min: mb(opsPerSec.min), max: mb(opsPerSec.max) },
    cdf: cdf(samples),
  };
}

/** Runs up to `count` operations with `concurrency` workers, recording each latency in ms; returns how many ran. */
async function runRound(count: number, concurrency: number, maxMs: number, op: () => Promise<unknown>, samples: number[]): Promise<number> {
  const deadline = performance.now() + maxMs;
  let started = 0;
  let finished = 0;
  const worker = async () => {
    while (started < count && performance.now() < deadline) {
      started++;
      const t0 = performance.now();
      await op();
      samples.push(performance.now() - t0);
      finished++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return finished;
}
