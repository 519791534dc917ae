/**
 * Negative controls: the contract suite runs in a child vitest over deliberately broken
 * memory adapters (test/fixtures/broken-adapters.ts) and must report failures — in the case family that owns
 * the broken rule, and only there — while the unbroken control passes every case. A suite that cannot fail
 * proves nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../../..');

interface AssertionResult {
  ancestorTitles: string[];
  fullName: string;
  status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo';
}
interface JsonReport {
  testResults: { name: string; assertionResults: AssertionResult[] }[];
}

/** Per fixture: the case families (group names) expected to fail, and those allowed to fail alongside. */
const CONTROLS: Record<string, { must: string[]; may?: string[] }> = {
  // ListObjectVersions merges storage listings in UTF-8 order, so the versioning layer's listing breaks too.
  'utf16-order': { must: ['list', 'keys', 'listAll'], may: ['versioning'] },
  'non-atomic-put': { must: ['atomicity'] },
  'racing-conditional-put': { must: ['conditional put'] },
  'ignores-if-match': { must: ['conditional put'] },
  // An ETag that is not the MD5 breaks every case that checks it against node:crypto, and move, whose copy is
  // pinned to the ETag head reported (the medium's copy compares the real one).
  'wrong-etag': {
    must: ['put and get', 'keys', 'copy'],
    may: ['list', 'read conditions', 'conditional put', 'atomicity', 'metadata', 'large objects', 'exists and move'],
  },
};

describe('negative controls: the suite fails on broken adapters', () => {
  const byFixture = new Map<string, AssertionResult[]>();

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-negative-'));
    const out = join(dir, 'report.json');
    try {
      const args = ['node_modules/vitest/vitest.mjs', 'run', '--config', 'packages/conformance/test/fixtures/vitest.config.ts'];
      // The child exits non-zero because broken fixtures fail: that is the point, so read the report either way.
      await run(process.execPath, [...args, '--reporter=json', `--outputFile=${out}`], { cwd: root, maxBuffer: 64 << 20 }).catch(() => undefined);
      const report = JSON.parse(await readFile(out, 'utf8')) as JsonReport;
      for (const file of report.testResults) byFixture.set(basename(file.name, '.fixture.ts'), file.assertionResults);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);

  const failedFamilies = (name: string) => new Set((byFixture.get(name) ?? []).filter((a) => a.status === 'failed').map((a) => a.ancestorTitles[1] ?? '?'));

  it('the unbroken control passes every case, and the suite has at least 120 distinct cases', () => {
    const results = byFixture.get('control') ?? [];
    expect(results.filter((a) => a.status === 'failed').map((a) => a.fullName)).toEqual([]);
    expect(new Set(results.map((a) => a.fullName)).size).toBeGreaterThanOrEqual(120);
    expect(results.filter((a) => a.status === 'passed').length).toBeGreaterThanOrEqual(120);
  });

  for (const [name, { must, may = [] }] of Object.entries(CONTROLS)) {
    it(`${name}: the suite reports failures in ${must.join(', ')}`, () => {
      const results = byFixture.get(name);
      expect(results, `fixture ${name} ran`).toBeDefined();
      const failed = failedFamilies(name);
      for (const family of must) expect([...failed], `failing families of ${name}`).toContain(family);
      for (const family of failed) expect([...must, ...may], `unexpected failing family for ${name}`).toContain(family);
    });
  }
});
