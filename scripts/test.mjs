#!/usr/bin/env node
/**
 * `pnpm test`: runs the whole vitest suite (extra arguments go to vitest), then ends with
 *
 * - the test groups skipped for want of a system tool, each with its reason (test/support/system-tools.ts
 *   records them in the file STRATA_SKIP_LOG names; with CI set nothing is skipped, a missing tool fails), and
 * - one plain summary line, `N passed, N failed, N skipped`, that CI reads (vitest's own closing lines are not
 *   in CI's list of known runners).
 *
 * A test file that failed outside any test — its import, or a `beforeAll`/`afterAll` hook, after which vitest
 * reports the file's tests as skipped — counts as one failed test, and so does an error vitest reports outside
 * every file: the summary never says `0 failed` for a run that failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), 'strata-test-'));
const report = join(dir, 'vitest.json');
const skipLog = join(dir, 'skipped.jsonl');
const run = spawnSync(
  process.execPath,
  [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, STRATA_SKIP_LOG: skipLog } },
);

/** `{ file, tool, reason }` of every skipped group, once each. */
function skippedGroups() {
  if (!existsSync(skipLog)) return [];
  const lines = readFileSync(skipLog, 'utf8').split('\n').filter(Boolean);
  return [...new Map(lines.map((l) => JSON.parse(l)).map((s) => [`${s.file}\0${s.reason}`, s])).values()];
}

/** The summary line and the files that failed outside a test, from vitest's JSON report. */
function summarize() {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const brokenFiles = r.testResults
    .filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'))
    .map((f) => `${relative(root, f.name)}${f.message ? `: ${f.message.split('\n')[0]}` : ' (a hook failed)'}`);
  let failed = r.numFailedTests + brokenFiles.length;
  // Vitest exits non-zero for errors outside every test file too (an unhandled rejection after a test ended).
  const unattributed = run.status !== 0 && failed === 0;
  if (unattributed) failed = 1;
  const skipped = r.numPendingTests + r.numTodoTests;
  const notes = [
    ...brokenFiles.map((f) => `failed outside a test: ${f}`),
    ...(unattributed ? [`vitest exited with ${run.status} (an error outside the tests: see above)`] : []),
  ];
  return { line: `${r.numPassedTests} passed, ${failed} failed, ${skipped} skipped`, notes };
}

let summary;
try {
  summary = summarize();
} catch (e) {
  summary = { line: '0 passed, 1 failed, 0 skipped', notes: [`no vitest report: ${e.message}`] };
}
const skips = skippedGroups();
rmSync(dir, { recursive: true, force: true });

if (skips.length > 0) {
  console.log('\nSkipped for want of a system tool (.ci/run installs them; with CI=true a missing tool fails):');
  for (const s of skips) console.log(`  ${s.file}: ${s.reason}`);
}
for (const note of summary.notes) console.log(note);
console.log(`\n${summary.line}`);
process.exit(run.status ?? 1);
