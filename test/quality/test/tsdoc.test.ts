/**
 * Every public export has TSDoc, so a package's API states its contract where it is declared. Loads each
 * package's public entry with the TypeScript compiler API, follows re-exports to the declaring symbol, and
 * lists the exports without a doc comment. A fixture package with known gaps proves the check can fail.
 */
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProgram, findPublicEntries, reportExports } from '../src/public-exports.ts';
import type { ExportReport, PublicEntry } from '../src/public-exports.ts';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const fixture = fileURLToPath(new URL('./fixtures/sample', import.meta.url));

const entries = findPublicEntries(root);
const reports = reportExports(root, entries, createProgram(root, entries.map((e) => e.file)));

const describeMissing = (missing: ExportReport[]): string =>
  missing.map((r) => `${r.entry.packageName}${r.entry.subpath === '.' ? '' : r.entry.subpath.slice(1)}: ${r.name} (${r.declaredAt})`).join('\n');

describe('public exports carry TSDoc', () => {
  it('finds the entry of every public package', () => {
    const names = new Set(entries.map((e) => e.packageName));
    for (const name of ['@strata/storage', '@strata/conformance', '@strata/block', '@strata/file', '@strata/s3', '@strata/pipelines', '@strata/object-server']) {
      expect(names, name).toContain(name);
    }
  });

  it('sees a plausible number of exports (the checker resolved `export *`)', () => {
    const storage = reports.filter((r) => r.entry.packageName === '@strata/storage');
    expect(storage.length).toBeGreaterThan(80);
    expect(storage.map((r) => r.name)).toEqual(expect.arrayContaining(['createStorage', 'StorageError', 'STORAGE_ERROR_CODES', 'withRetry']));
  });

  for (const entry of entries) {
    const label = entry.subpath === '.' ? entry.packageName : `${entry.packageName}/${entry.subpath.slice(2)}`;
    it(`${label}: every export is documented`, () => {
      const missing = reports.filter((r) => r.entry === entry && !r.documented);
      if (missing.length > 0) console.error(`exports without TSDoc:\n${describeMissing(missing)}`);
      expect(missing.map((r) => `${r.name} (${r.declaredAt})`)).toEqual([]);
    });
  }
});

describe('the TSDoc check itself (negative control)', () => {
  const entry: PublicEntry = { packageName: '@strata/quality-fixture', subpath: '.', file: join(fixture, 'src', 'index.ts') };
  const fixtureReports = reportExports(root, [entry]);

  it('reports exactly the undocumented exports, following re-exports and renames', () => {
    const missing = fixtureReports.filter((r) => !r.documented).map((r) => r.name).sort();
    expect(missing).toEqual(['BareShape', 'bare', 'localBare', 'renamedBare']);
  });

  it('accepts doc comments on the original declaration, in the entry, and tag-only comments', () => {
    const documented = fixtureReports.filter((r) => r.documented).map((r) => r.name).sort();
    expect(documented).toEqual(['DocumentedShape', 'TaggedOnly', 'documentedConst', 'local']);
  });

  it('points at the declaring file, not the re-export', () => {
    const bare = fixtureReports.find((r) => r.name === 'renamedBare');
    expect(bare?.declaredAt).toMatch(/fixtures\/sample\/src\/undocumented\.ts:5$/);
  });
});
