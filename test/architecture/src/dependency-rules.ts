/**
 * The dependency rules of docs/architecture.md ("Packages and dependency direction": dependencies point one
 * way, down the table, never up) as data, and a checker that reads every `package.json` and every import of
 * every source and test file under `packages/` and reports each edge that breaks them:
 *
 * 1. A package depends only on packages listed above it in the table (storage, conformance, block, file, s3,
 *    pipelines), never on one below it or on a package outside `packages/` (the object server, bench, the
 *    private `test/*` packages): "Nothing in `packages/` imports from `servers/`, `bench/` or `test/`."
 * 2. "Adapters never import each other", and the pipelines "use only the contract": no package imports an
 *    adapter. Cross-adapter and through-the-server tests live in `test/*` (e.g. `test/s3-e2e`).
 * 3. A relative import never leaves its own package directory (that would be an undeclared dependency).
 *
 * devDependencies count: a test-only edge is still an edge in the workspace graph.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** The packages of `packages/`, top of the table first: each may depend only on packages before it. */
export const PACKAGE_ORDER: readonly string[] = Object.freeze([
  '@strata/storage',
  '@strata/conformance',
  '@strata/block',
  '@strata/file',
  '@strata/s3',
  '@strata/pipelines',
]);

/** The storage adapters: nothing in `packages/` imports them (they are leaves built on the contract). */
export const ADAPTERS: ReadonlySet<string> = new Set(['@strata/block', '@strata/file', '@strata/s3']);

/** One edge that breaks a rule. */
export interface Violation {
  /** The package the edge starts from, e.g. `@strata/s3`. */
  from: string;
  /** The file (relative to the root) holding the edge: a `package.json` or a source file. */
  file: string;
  /** The import specifier or dependency name. */
  target: string;
  rule: 'direction' | 'outside packages/' | 'adapter import' | 'relative escape';
}

/** A workspace package found under `packages/`. */
interface PackageInfo {
  name: string;
  dir: string;
  deps: string[];
}

// Static and dynamic imports, re-exports and side-effect imports; `import type` is an edge too.
const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"\n]+)['"]/g;
const SOURCE_RE = /\.(?:ts|mts|cts|js|mjs|cjs)$/;

/** Every import specifier in `source`, in order. Comments are not stripped: a commented import counts. */
export function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT_RE)].map((m) => m[1]!);
}

/** The package a specifier names (`@scope/name/sub` → `@scope/name`), or undefined for relative and node: ones. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (SOURCE_RE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function readPackages(root: string): PackageInfo[] {
  const base = join(root, 'packages');
  return readdirSync(base)
    .map((d) => join(base, d))
    .filter((d) => statSync(d).isDirectory() && existsSync(join(d, 'package.json')))
    .map((dir) => {
      const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | string | undefined>;
      const deps = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].flatMap((k) => Object.keys((json[k] as Record<string, string> | undefined) ?? {}));
      return { name: String(json.name), dir, deps };
    });
}

/**
 * Checks every package under `<root>/packages`. `workspace` is every `@strata/*` package name of the whole
 * workspace (servers, bench and test packages included), so an edge to one of them is recognised.
 */
export function checkDependencyRules(root: string, workspace: ReadonlySet<string> = workspaceNames(root)): Violation[] {
  const violations: Violation[] = [];
  for (const pkg of readPackages(root)) {
    const rank = PACKAGE_ORDER.indexOf(pkg.name);
    const judge = (target: string, file: string) => {
      if (!workspace.has(target) || target === pkg.name) return;
      const at = PACKAGE_ORDER.indexOf(target);
      let rule: Violation['rule'] | undefined;
      if (at < 0) rule = 'outside packages/';
      else if (ADAPTERS.has(target)) rule = 'adapter import';
      else if (rank < 0 || at > rank) rule = 'direction';
      if (rule) violations.push({ from: pkg.name, file: relative(root, file), target, rule });
    };
    for (const dep of pkg.deps) judge(dep, join(pkg.dir, 'package.json'));
    for (const file of sourceFiles(pkg.dir)) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const name = packageOf(spec);
        if (name !== undefined) {
          judge(name, file);
        } else if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          if (target !== pkg.dir && !target.startsWith(pkg.dir + sep)) {
            violations.push({ from: pkg.name, file: relative(root, file), target: spec, rule: 'relative escape' });
          }
        }
      }
    }
  }
  return violations;
}

/** The names of every workspace package (each `package.json` one or two levels below the root). */
export function workspaceNames(root: string): Set<string> {
  const names = new Set<string>();
  const visit = (dir: string, depth: number) => {
    const json = join(dir, 'package.json');
    if (dir !== root && existsSync(json)) names.add(String((JSON.parse(readFileSync(json, 'utf8')) as { name?: string }).name));
    if (depth === 0) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) visit(join(dir, e.name), depth - 1);
    }
  };
  visit(root, 2);
  return names;
}
