/**
 * The bench command line: `pnpm bench [--quick | --smoke] [--only <scenario,…>]` and `pnpm bench --help`
 * (`pnpm bench --profile <recipe>` is profile.ts's, read before this).
 *
 * Every mistake is a {@link BenchUsageError} raised before anything runs (the command exits 2 with the usage):
 * an unknown flag, both modes at once, or a scenario name that does not exist — in `--only` or in
 * `BENCH_ONLY`. A mistyped `--only` therefore never runs the whole suite and never overwrites `RESULTS.md`.
 */
import { parseArgs } from 'node:util';
import type { BenchMode } from './context.ts';

/** The usage text; `scenarios` are the names `--only` accepts. */
export function benchUsage(scenarios: readonly string[]): string {
  return `Usage: pnpm bench [--quick | --smoke] [--only <scenario,…>] [--scale-max <objects>]

Runs the benchmark scenarios, then writes RESULTS.md, results/latest.json and results/report.html (under
BENCH_OUT, default the bench folder). Parameters come from BENCH_* environment variables (src/context.ts).

Options:
  --quick               shorter rounds, fewer sizes (minutes)
  --smoke               one short round of everything, to prove it runs; figures mean nothing
  --only <names>        only these scenarios, comma-separated [BENCH_ONLY]: ${scenarios.join(', ')}
  --scale-max <objects> the scale curve stops at this many objects (default 10^6; --quick 10^5) [BENCH_SCALE_MAX]
  -h, --help            show this help

pnpm bench --profile <recipe> [--seconds N] [--keep] profiles the object server under load instead (src/profile.ts).
`;
}

/** A command-line mistake; the command prints it with the usage and exits 2. */
export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

/** The parsed command line. */
export interface BenchArgs {
  mode: BenchMode;
  /** The scenarios to run, in the order given; undefined for all. */
  only?: string[];
  /** `--help` was given: print the usage and run nothing. */
  help: boolean;
  /** `--scale-max`: the most objects of the scale curve; undefined for the mode's sizes. */
  scaleMax?: number;
}

/** Parses `argv` (after the script name) and `BENCH_ONLY`; `scenarios` are the known scenario names. */
export function parseBenchArgs(argv: readonly string[], env: NodeJS.ProcessEnv, scenarios: readonly string[]): BenchArgs {
  let values: { quick?: boolean; smoke?: boolean; only?: string; help?: boolean; 'scale-max'?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean' },
        smoke: { type: 'boolean' },
        only: { type: 'string' },
        'scale-max': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    // node:util's parse errors (unknown option, missing value, stray argument) carry ERR_PARSE_ARGS_* codes.
    throw new BenchUsageError(e instanceof Error ? e.message : String(e));
  }
  if (values.quick && values.smoke) throw new BenchUsageError('--quick and --smoke exclude each other');
  const mode: BenchMode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';
  const onlyArg = values.only ?? env.BENCH_ONLY;
  let only: string[] | undefined;
  if (onlyArg !== undefined) {
    const source = values.only !== undefined ? '--only' : 'BENCH_ONLY';
    only = onlyArg.split(',').map((s) => s.trim()).filter(Boolean);
    if (only.length === 0) throw new BenchUsageError(`${source} names no scenario (known: ${scenarios.join(', ')})`);
    const unknown = only.filter((name) => !scenarios.includes(name));
    if (unknown.length > 0) {
      throw new BenchUsageError(`${source}: unknown scenario ${unknown.join(', ')} (known: ${scenarios.join(', ')})`);
    }
  }
  const scaleMaxArg = values['scale-max'];
  const scaleMax = scaleMaxArg === undefined ? undefined : Number(scaleMaxArg);
  if (scaleMax !== undefined && !(Number.isSafeInteger(scaleMax) && scaleMax >= 10)) {
    throw new BenchUsageError(`--scale-max must be a whole number of objects, at least 10, got ${scaleMaxArg}`);
  }
  return { mode, only, help: values.help ?? false, ...(scaleMax === undefined ? {} : { scaleMax }) };
}
