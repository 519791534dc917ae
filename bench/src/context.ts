/**
 * What every scenario gets: the run's mode and sizes (from flags and `BENCH_*` environment variables), a
 * scratch directory, the progress bar, and a way to record a scenario that cannot run here.
 */
import type { MeasurePlan } from './measure.ts';
import type { ScenarioGroup } from './report-types.ts';

/** The run's mode: `smoke` is CI's one-second-per-scenario check, `quick` a short run, `full` the real one. */
export type BenchMode = 'smoke' | 'quick' | 'full';

/** Options shared by all scenarios. */
export interface BenchContext {
  mode: BenchMode;
  /** A scratch directory on the disk being measured (BENCH_DIR, default a temp dir). */
  dir: string;
  /** Object sizes for put/get (BENCH_SIZES, comma-separated bytes). */
  sizes: number[];
  /** Concurrency levels (BENCH_CONCURRENCY, comma-separated). */
  concurrency: number[];
  /** Keys in the list scenarios (BENCH_LIST_KEYS). */
  listKeys: number;
  /** Seconds per autocannon run (BENCH_HTTP_SECONDS). */
  httpSeconds: number;
  /** Size of the large SDK transfer in bytes (BENCH_LARGE_BYTES). */
  largeBytes: number;
  /** The most objects the scale curve fills a store with (`--scale-max`, BENCH_SCALE_MAX); undefined for the mode's sizes. */
  scaleMax?: number;
  /** The measuring plan for an operation moving `bytes` bytes. */
  plan(bytes: number, concurrency: number): MeasurePlan;
  /** Advances the progress bar with a label. */
  progress(label: string): void;
  /** Records that a scenario did not run, and why. */
  skip(scenario: string, reason: string): void;
}

/** A scenario module: measures some tiers and returns its groups. */
export interface Scenario {
  name: string;
  /** How many progress steps it will report (for the bar). */
  steps(ctx: BenchContext): number;
  run(ctx: BenchContext): Promise<ScenarioGroup[]>;
}

const KiB = 1024;
const MiB = 1024 * KiB;

const list = (v: string | undefined, fallback: number[]) => (v ? v.split(',').map((s) => Number(s.trim())).filter((n) => n > 0) : fallback);

/** Reads the mode's defaults, overridden by `BENCH_*` variables. */
export function benchDefaults(mode: BenchMode, env: NodeJS.ProcessEnv = process.env) {
  const full = mode === 'full';
  const smoke = mode === 'smoke';
  return {
    sizes: list(env.BENCH_SIZES, smoke ? [4 * KiB, 1 * MiB] : full ? [4 * KiB, 64 * KiB, MiB, 64 * MiB] : [4 * KiB, 64 * KiB, MiB, 16 * MiB]),
    concurrency: list(env.BENCH_CONCURRENCY, full ? [1, 16, 64] : [1, 16]),
    listKeys: Number(env.BENCH_LIST_KEYS ?? (smoke ? 200 : full ? 10_000 : 2_000)),
    httpSeconds: Number(env.BENCH_HTTP_SECONDS ?? (smoke ? 1 : full ? 10 : 4)),
    largeBytes: Number(env.BENCH_LARGE_BYTES ?? (smoke ? 8 * MiB : full ? 2048 * MiB : 256 * MiB)),
    /** Milliseconds a timed round may last. */
    roundMs: Number(env.BENCH_ROUND_MS ?? (smoke ? 250 : full ? 2_000 : 1_000)),
    repeats: Number(env.BENCH_REPEATS ?? (smoke ? 1 : 3)),
  };
}

/** The plan for `bytes`-sized operations: fewer operations for large objects, bounded by time. */
export function planFor(mode: BenchMode, bytes: number, concurrency: number, roundMs: number, repeats: number): MeasurePlan {
  const budget = mode === 'smoke' ? 32 * MiB : mode === 'full' ? 2048 * MiB : 512 * MiB;
  const byBytes = Math.floor(budget / Math.max(bytes, 4 * KiB) / repeats);
  const ops = Math.max(concurrency * 2, Math.min(mode === 'smoke' ? 50 : mode === 'full' ? 5_000 : 1_000, byBytes));
  return { ops, repeats, warmup: Math.min(ops, mode === 'smoke' ? 4 : 50), concurrency, maxMs: roundMs };
}
