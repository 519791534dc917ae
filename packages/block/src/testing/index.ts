/**
 * `@strata/block/testing`: the crash-simulating device and the crash harness, for other suites (test/*) that
 * want to sweep crash points over their own workloads on the block adapter.
 */
export { createCrashMedium, createCrashDevice, CrashError, FAULT_MODES, SECTOR } from './crash-device.ts';
export type { CrashMedium, CrashOptions, FaultMode } from './crash-device.ts';
export { DEFAULT_HARNESS, formatImage, runCrashPoint, sweepSeed } from './crash-harness.ts';
export type { HarnessConfig, CrashPointResult, SweepResult } from './crash-harness.ts';
export { planWorkload, putValue, valueBytes, CRASH_KEYS } from './crash-workload.ts';
export type { PlannedOp, Value } from './crash-workload.ts';
export { createRandom } from './prng.ts';
export type { Random } from './prng.ts';
