/**
 * Run settings shared by every property of the fuzz suite. Runs are seeded so CI sees the same cases every time:
 * a fixed seed by default, `FUZZ_SEED` to explore others, `FUZZ_RUNS` to scale every property's run count
 * (`FUZZ_RUNS=1000` runs each property 1000 times; the default counts keep the suite under a minute on two
 * cores). A failing property prints its seed, its path and the shrunk case; re-running with that `FUZZ_SEED`
 * replays it.
 */
import fc from 'fast-check';
import type { Parameters } from 'fast-check';

/** The seed every property uses unless `FUZZ_SEED` says otherwise. */
export const DEFAULT_SEED = 20_250_301;

function envInteger(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new TypeError(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** The seed of this run. */
export const FUZZ_SEED = envInteger('FUZZ_SEED') ?? DEFAULT_SEED;

/** Overrides every property's run count when set. */
const RUNS_OVERRIDE = envInteger('FUZZ_RUNS');

/** Options of {@link fuzzParameters}. */
export interface FuzzBudget {
  /** Runs of the property with the default settings. */
  runs: number;
  /**
   * Wall-clock ceiling of the property in ms, shrinking included: past it fast-check stops and reports what it
   * has (a failure found so far still fails). Keeps a slow machine from stalling CI; on an idle machine the
   * run count is what ends a property.
   */
  timeLimitMs: number;
  /** Ceiling of one run in ms (an async property that hangs fails with fast-check's timeout). */
  runTimeoutMs?: number;
}

/** fast-check parameters for one property: the suite's seed, its run count, its time bounds. */
export function fuzzParameters<T>(budget: FuzzBudget): Parameters<T> {
  const runs = RUNS_OVERRIDE ?? budget.runs;
  // An explicit larger run count gets a proportionally larger time ceiling.
  const scale = Math.max(1, runs / budget.runs);
  const plugins = [fc.interruptAfterTimeLimit(Math.round(budget.timeLimitMs * scale))];
  if (budget.runTimeoutMs !== undefined) plugins.push(fc.timeout(budget.runTimeoutMs));
  return { seed: FUZZ_SEED, numRuns: runs, plugins };
}

/** The vitest timeout of a property with `budget`: its time ceiling plus room for the last run and teardown. */
export function testTimeout(budget: FuzzBudget): number {
  const runs = RUNS_OVERRIDE ?? budget.runs;
  const scale = Math.max(1, runs / budget.runs);
  return Math.round(budget.timeLimitMs * scale) + 2 * (budget.runTimeoutMs ?? 10_000) + 10_000;
}
