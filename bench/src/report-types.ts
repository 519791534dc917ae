/** The shape of a benchmark report (the JSON output), shared by the runner and the renderers. */
import type { Measurement } from './measure.ts';
import type { ProfileSection } from './profile-summary.ts';
import type { SystemInfo } from './system.ts';

/** A ratio goal, checked against the measurements of the same run. */
export interface GoalResult {
  /** The issue that states the goal. */
  issue: number;
  /** What is compared, in words. */
  goal: string;
  /** The target, e.g. `≥ 0.75×`. */
  target: string;
  /** The measured ratio (or figure), null when a scenario it needs did not run. */
  measured: number | null;
  /** How `measured` is shown (`0.82×`, `112 MB`). */
  shown: string;
  /** Whether the goal is met; null when not measured, or for a figure reported without a target. */
  met: boolean | null;
  /** A comparison reported without a target (verdict: reported). */
  reportedOnly?: boolean;
  /**
   * Why a measured goal was not judged: a row it compares was client-bound (its load generator's core was
   * saturated, so the row measured the client) or had failed requests. `met` is then null.
   */
  notJudged?: 'client-bound' | 'errors';
}

/** A group of measurements shown as one table and one chart (e.g. "4 KiB get, concurrency 1"). */
export interface ScenarioGroup {
  id: string;
  title: string;
  /** The tier ratios are computed against (raw `node:fs`, raw pread, a bare fastify route). */
  baselineTier?: string;
  measurements: Measurement[];
}

/** The whole report. */
export interface BenchReport {
  system: SystemInfo;
  mode: 'quick' | 'full' | 'smoke';
  command: string;
  groups: ScenarioGroup[];
  goals: GoalResult[];
  /** Scenarios that could not run here, with the reason (e.g. no external endpoint configured). */
  skipped: Array<{ scenario: string; reason: string }>;
  /** CPU profiles of the object server under load (`pnpm bench --profile <recipe>`), one per recipe. */
  profiles?: ProfileSection[];
}
