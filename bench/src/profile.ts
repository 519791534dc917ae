/**
 * `pnpm bench --profile <recipe> [--seconds N] [--keep]` (or `tsx src/profile.ts <recipe> …`): runs the object
 * server with `node --cpu-prof` under one round of the load an HTTP row uses (wrk on its own core, presigned
 * URLs), stops it so V8 writes the profile, and prints a flame summary — the top functions by self and by
 * inclusive time. The summary is also written as a section into the report (results/latest.json,
 * RESULTS.md, results/report.html under BENCH_OUT), replacing an earlier profile of the same recipe; the
 * measured tables are left as they were. `--keep` keeps the `.cpuprofile` (for Chrome DevTools or speedscope).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateGoals } from './goals.ts';
import { chooseGenerator, runLoadRound } from './load/run-load.ts';
import { bodyPattern } from './load/wrk-lua.ts';
import { CpuProfileError, summarizeCpuProfile } from './profile-summary.ts';
import type { CpuProfile, ProfileSection, ProfileWindow } from './profile-summary.ts';
import { renderHtml } from './report-html.ts';
import { renderMarkdown } from './report-md.ts';
import { renderProfileMarkdown } from './report-profile.ts';
import type { BenchReport } from './report-types.ts';
import { HTTP_GROUPS } from './scenarios/http.ts';
import type { HttpGroupSpec } from './scenarios/http.ts';
import { requestPaths, startHttpServer, warmUp } from './scenarios/http-targets.ts';
import type { HttpServerId } from './scenarios/http-targets.ts';
import { systemInfo } from './system.ts';

const benchDir = dirname(dirname(fileURLToPath(import.meta.url)));
const repoRoot = dirname(benchDir);

/** What each recipe loads: one row of an HTTP group. */
export const PROFILE_RECIPES: Record<string, { group: string; server: HttpServerId }> = {
  get4k: { group: 'http-get', server: 'strata-file' },
  'get4k-nocache': { group: 'http-get', server: 'strata-file-nocache' },
  get1m: { group: 'http-get-1mib', server: 'strata-file' },
  put4k: { group: 'http-put', server: 'strata-file' },
  'put4k-block': { group: 'http-put', server: 'strata-block' },
};

export const PROFILE_USAGE = `Usage: pnpm bench --profile <recipe> [--seconds N] [--keep]
  recipes: ${Object.keys(PROFILE_RECIPES).join(', ')}
  --seconds N  seconds of load (default 10)
  --keep       keep the .cpuprofile and print its path`;

/** Thrown for a bad profile command line. */
export class ProfileUsageError extends Error {
  override readonly name = 'ProfileUsageError';
}

/** Reads `--profile <recipe> [--seconds N] [--keep]` (the recipe may also come first, without `--profile`). */
export function parseProfileArgs(argv: string[]): { recipe: string; seconds: number; keep: boolean } {
  const at = argv.indexOf('--profile');
  const eq = argv.find((a) => a.startsWith('--profile='));
  const recipe = eq ? eq.slice('--profile='.length) : at >= 0 ? argv[at + 1] : argv.find((a) => !a.startsWith('-'));
  if (!recipe || !(recipe in PROFILE_RECIPES)) throw new ProfileUsageError(`unknown or missing recipe ${JSON.stringify(recipe ?? '')}\n${PROFILE_USAGE}`);
  const s = argv.indexOf('--seconds');
  const seconds = s >= 0 ? Number(argv[s + 1]) : 10;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 600) throw new ProfileUsageError(`--seconds must be a whole number from 1 to 600\n${PROFILE_USAGE}`);
  return { recipe, seconds, keep: argv.includes('--keep') };
}

/** Waits (bounded) for the `.cpuprofile` V8 writes as the process exits. */
async function findProfile(dir: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
    if (file) return join(dir, file);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no .cpuprofile appeared in ${dir}: did the server exit cleanly?`);
}

/** Runs one profile; returns its report section and the profile file. */
export async function profileRecipe(recipe: string, seconds: number, scratch: string): Promise<{ section: ProfileSection; file: string }> {
  const spec = PROFILE_RECIPES[recipe] as { group: string; server: HttpServerId };
  const group = HTTP_GROUPS.find((g) => g.id === spec.group) as HttpGroupSpec;
  const choice = chooseGenerator();
  const profDir = join(scratch, 'cpuprof');
  // The target's node flags (servers/spawn.ts reads them when it builds the command line).
  const saved = process.env.BENCH_NODE_ARGS;
  process.env.BENCH_NODE_ARGS = `${saved ?? ''} --cpu-prof --cpu-prof-dir=${profDir}`.trim();
  let live;
  try {
    live = await startHttpServer(spec.server, scratch);
  } finally {
    if (saved === undefined) delete process.env.BENCH_NODE_ARGS;
    else process.env.BENCH_NODE_ARGS = saved;
  }
  let round;
  // V8 stamps profile samples with the monotonic clock process.hrtime reads (both CLOCK_MONOTONIC on Linux),
  // so the load round's span here selects its samples there.
  let window: ProfileWindow | undefined;
  try {
    const paths = await requestPaths(live, group.method, group.size, group.keys);
    await warmUp(live.origin, group.method, paths, group.method === 'PUT' ? Buffer.from(bodyPattern(group.size)) : undefined, 200);
    const startUs = Number(process.hrtime.bigint() / 1000n);
    round = await runLoadRound(choice.generator, {
      origin: live.origin,
      method: group.method,
      paths,
      bodyBytes: group.method === 'PUT' ? group.size : undefined,
      connections: group.connections,
      seconds,
      serverPid: live.server.pid,
      scriptDir: join(scratch, 'wrk-scripts'),
      name: `profile-${recipe}`,
    });
    window = { startUs, endUs: Number(process.hrtime.bigint() / 1000n) };
  } finally {
    await live.server.stop();
  }
  const file = await findProfile(profDir);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  let summary;
  let scope = 'the load round only';
  try {
    summary = summarizeCpuProfile(profile, { root: repoRoot, window });
  } catch (e) {
    if (!(e instanceof CpuProfileError)) throw e;
    summary = summarizeCpuProfile(profile, { root: repoRoot });
    scope = 'the whole server process, start-up included (the load window did not match the profile clock)';
  }
  const section: ProfileSection = {
    recipe,
    title: `${live.tier}, ${group.scenario.replace(/^http /, '')}, ${group.connections} connections, ${seconds} s of load`,
    command: `pnpm bench --profile ${recipe} --seconds ${seconds}`,
    scope,
    date: new Date().toISOString(),
    load: {
      generator: choice.note ? `${choice.generator} (${choice.note})` : choice.generator,
      okPerSec: round.okPerSec,
      generatorCpuPct: round.generatorCpuPct,
      serverCpuPct: round.serverCpuPct,
      errors: round.non2xx + round.socketErrors,
    },
    summary,
  };
  return { section, file };
}

/** Adds `section` to the report under `out` (replacing one of the same recipe) and rewrites its three files. */
export function writeProfileIntoReport(out: string, section: ProfileSection): void {
  const json = join(out, 'results', 'latest.json');
  const report: BenchReport = existsSync(json)
    ? (JSON.parse(readFileSync(json, 'utf8')) as BenchReport)
    : { system: systemInfo(tmpdir()), mode: 'smoke', command: section.command, groups: [], goals: [], skipped: [] };
  if (!existsSync(json)) report.goals = evaluateGoals(report);
  report.profiles = [...(report.profiles ?? []).filter((p) => p.recipe !== section.recipe), section];
  mkdirSync(join(out, 'results'), { recursive: true });
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(out, 'RESULTS.md'), renderMarkdown(report));
  writeFileSync(join(out, 'results', 'report.html'), renderHtml(report));
}

/** The command: returns the exit code. */
export async function runProfileCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let args;
  try {
    args = parseProfileArgs(argv);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return 2;
  }
  const scratch = mkdtempSync(join(env.BENCH_DIR ?? tmpdir(), 'strata-profile-'));
  try {
    const { section, file } = await profileRecipe(args.recipe, args.seconds, scratch);
    console.log(renderProfileMarkdown(section));
    const out = resolve(env.BENCH_OUT ?? benchDir);
    writeProfileIntoReport(out, section);
    console.log(`Wrote the profile section into ${join(out, 'RESULTS.md')}, ${join(out, 'results', 'latest.json')} and ${join(out, 'results', 'report.html')}`);
    if (args.keep) console.log(`CPU profile kept at ${file}`);
    return 0;
  } finally {
    if (!args.keep) rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(await runProfileCli(process.argv.slice(2)));
}
