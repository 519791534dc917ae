#!/usr/bin/env node
// Runs the whole vitest suite and ends with one plain summary line ("N passed, N failed, N skipped") that CI
// reads; vitest's own closing lines are not in CI's list of known runners. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'strata-test-'));
const report = join(dir, 'vitest.json');
const run = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
let summary = 'no report';
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = r.numPendingTests + r.numTodoTests;
  summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`;
  // A file that fails before any test runs (an import error, say) reports no assertions; count those apart.
  const broken = r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
  if (broken > 0) summary += ` (${broken} test files failed to run)`;
} catch (e) {
  summary = `0 passed, 1 failed (no vitest report: ${e.message})`;
}
rmSync(dir, { recursive: true, force: true });
console.log(`\n${summary}`);
process.exit(run.status ?? 1);
