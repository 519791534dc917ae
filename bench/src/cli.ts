/**
 * `pnpm bench [--quick|--smoke] [--only a,b]`: runs the scenarios, then writes the three outputs —
 * `results/latest.json`, `RESULTS.md` and `results/report.html` (self-contained) — under BENCH_OUT (default:
 * this package's folder). Parameters come from `BENCH_*` environment variables (see context.ts); the command
 * line is args.ts (`pnpm bench --help`), and a mistake in it exits 2 before anything runs or is written.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchUsageError, benchUsage, parseBenchArgs } from './args.ts';
import { benchDefaults, planFor } from './context.ts';
import type { BenchContext } from './context.ts';
import { evaluateGoals } from './goals.ts';
import { createProgress } from './progress.ts';
import { renderHtml } from './report-html.ts';
import { renderMarkdown } from './report-md.ts';
import type { BenchReport, ScenarioGroup } from './report-types.ts';
import { scenarios } from './scenarios/index.ts';
import { systemInfo } from './system.ts';

const scenarioNames = scenarios.map((s) => s.name);

/** Runs the benchmark and writes its outputs; returns the report. Throws {@link BenchUsageError} for a bad command line. */
export async function runBench(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<BenchReport> {
  // Before anything runs or is written: a mistyped --only must not run everything and overwrite RESULTS.md.
  const { mode, only, scaleMax } = parseBenchArgs(argv, env, scenarioNames);
  const here = dirname(dirname(fileURLToPath(import.meta.url)));
  const out = resolve(env.BENCH_OUT ?? here);
  const dir = mkdtempSync(join(env.BENCH_DIR ?? tmpdir(), 'strata-bench-'));
  const d = benchDefaults(mode, env);
  const skipped: BenchReport['skipped'] = [];
  const selected = scenarios.filter((s) => !only || only.includes(s.name));
  let progress = createProgress(0);
  const ctx: BenchContext = {
    mode,
    dir,
    sizes: d.sizes,
    concurrency: d.concurrency,
    listKeys: d.listKeys,
    httpSeconds: d.httpSeconds,
    largeBytes: d.largeBytes,
    scaleMax: scaleMax ?? (Number(env.BENCH_SCALE_MAX) || undefined),
    plan: (bytes, concurrency) => planFor(mode, bytes, concurrency, d.roundMs, d.repeats),
    progress: (label) => progress.step(label),
    skip: (scenario, reason) => skipped.push({ scenario, reason }),
  };
  progress = createProgress(selected.reduce((n, s) => n + s.steps(ctx), 0));
  const groups: ScenarioGroup[] = [];
  try {
    for (const scenario of selected) groups.push(...(await scenario.run(ctx)));
  } finally {
    progress.finish();
    rmSync(dir, { recursive: true, force: true });
  }
  const command = `pnpm bench${mode === 'full' ? '' : ` --${mode}`}${only ? ` --only=${only.join(',')}` : ''}${scaleMax ? ` --scale-max ${scaleMax}` : ''}`;
  const report: BenchReport = { system: systemInfo(env.BENCH_DIR ?? tmpdir()), mode, command, groups, goals: [], skipped };
  report.goals = evaluateGoals(report);
  mkdirSync(join(out, 'results'), { recursive: true });
  writeFileSync(join(out, 'results', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(out, 'RESULTS.md'), renderMarkdown(report));
  writeFileSync(join(out, 'results', 'report.html'), renderHtml(report));
  return report;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `--profile <recipe>`: profile the object server under load instead of running the scenarios (profile.ts).
  if (process.argv.some((a) => a === '--profile' || a.startsWith('--profile='))) {
    const { runProfileCli } = await import('./profile.ts');
    process.exit(await runProfileCli(process.argv.slice(2)));
  }
  try {
    if (parseBenchArgs(process.argv.slice(2), process.env, scenarioNames).help) {
      console.log(benchUsage(scenarioNames));
      process.exit(0);
    }
  } catch (e) {
    if (!(e instanceof BenchUsageError)) throw e;
    console.error(`pnpm bench: ${e.message}\n\n${benchUsage(scenarioNames)}`);
    process.exit(2);
  }
  const report = await runBench(process.argv.slice(2));
  const out = resolve(process.env.BENCH_OUT ?? dirname(dirname(fileURLToPath(import.meta.url))));
  console.log(renderMarkdown(report).split('## Scenarios')[0]);
  console.log(`Wrote ${join(out, 'RESULTS.md')}, ${join(out, 'results', 'latest.json')} and ${join(out, 'results', 'report.html')}`);
  process.exit(0);
}
