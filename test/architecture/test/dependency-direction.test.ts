/**
 * docs/architecture.md, "Packages and dependency direction": adapters never import each other, nothing in
 * `packages/` imports from `servers/`, `bench/` or `test/`, and dependencies point down the table. Checked over
 * every package.json and every import under packages/, so a test that reaches for the object server from an
 * adapter's own folder fails here (that is how `packages/s3/test` once depended on `@strata/object-server`; those
 * tests now live in `test/s3-e2e` and `test/pipelines-e2e`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ORDER, checkDependencyRules, importsOf, packageOf, workspaceNames } from '../src/dependency-rules.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('the workspace', () => {
  it('knows every package of packages/ and the packages outside it', () => {
    const names = workspaceNames(ROOT);
    for (const p of PACKAGE_ORDER) expect(names, p).toContain(p);
    expect(names).toContain('@strata/object-server');
    expect(names).toContain('@strata/test-s3-e2e');
  });

  it('has no edge against the dependency direction of ARCHITECTURE.md', () => {
    expect(checkDependencyRules(ROOT)).toEqual([]);
  });
});

describe('the checker can fail', () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-architecture-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const pkg = (dir: string, name: string, deps: Record<string, Record<string, string>> = {}) =>
    write(`${dir}/package.json`, JSON.stringify({ name, ...deps }));

  it('reports each kind of bad edge, in package.json and in imports', () => {
    pkg('packages/storage', '@strata/storage');
    pkg('packages/conformance', '@strata/conformance', { dependencies: { '@strata/storage': 'workspace:*' } });
    pkg('packages/file', '@strata/file', { devDependencies: { '@strata/storage': 'workspace:*', '@strata/block': 'workspace:*' } });
    pkg('packages/block', '@strata/block');
    pkg('packages/s3', '@strata/s3', { devDependencies: { '@strata/object-server': 'workspace:*' } });
    pkg('packages/pipelines', '@strata/pipelines');
    pkg('servers/object-server', '@strata/object-server');
    pkg('test/s3-e2e', '@strata/test-s3-e2e');
    write('packages/storage/src/index.ts', "export * from './keys.ts';\nimport { describeStorageContract } from '@strata/conformance';\n");
    write('packages/s3/test/e2e.test.ts', "import { buildApp } from '@strata/object-server/src/app.ts';\nimport type { X } from '../../../test/s3-e2e/src/x.ts';\n");
    write('packages/pipelines/test/backends.ts', "const m = await import('@strata/file');\nimport { createMemoryStorage } from '@strata/storage';\n");
    const got = checkDependencyRules(root).map((v) => `${v.from} ${v.rule} ${v.target} (${v.file})`).sort();
    expect(got).toEqual([
      '@strata/file adapter import @strata/block (packages/file/package.json)',
      '@strata/pipelines adapter import @strata/file (packages/pipelines/test/backends.ts)',
      '@strata/s3 outside packages/ @strata/object-server (packages/s3/package.json)',
      '@strata/s3 outside packages/ @strata/object-server (packages/s3/test/e2e.test.ts)',
      '@strata/s3 relative escape ../../../test/s3-e2e/src/x.ts (packages/s3/test/e2e.test.ts)',
      '@strata/storage direction @strata/conformance (packages/storage/src/index.ts)',
    ]);
  });
});

describe('import parsing', () => {
  it('finds static, type, side-effect, dynamic and re-export imports', () => {
    const src = [
      "import { a } from './a.ts';",
      "import type { B } from '@strata/storage';",
      "import '@strata/file';",
      "const c = await import('@strata/block');",
      "export { d } from \"@strata/s3/src/d.ts\";",
      "const e = require('node:fs');",
    ].join('\n');
    expect(importsOf(src)).toEqual(['./a.ts', '@strata/storage', '@strata/file', '@strata/block', '@strata/s3/src/d.ts', 'node:fs']);
    expect(['./a.ts', '@strata/s3/src/d.ts', 'vitest', 'node:fs'].map(packageOf)).toEqual([undefined, '@strata/s3', 'vitest', undefined]);
  });
});
