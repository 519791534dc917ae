/**
 * What an installed package must look like to be consumable, checked file by file: only its build, README and
 * LICENSE (no TypeScript source beside the `.d.ts`), `exports` and `bin` naming files that exist, versions npm
 * understands, and every package its JavaScript or declarations import declared as a dependency or peer.
 * Each check returns the problems it found, as sentences; an empty list is a pass.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** The fields of package.json the audit reads. */
export interface Manifest {
  name: string;
  exports?: unknown;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** Every file of the installed package at `dir`, relative and sorted, without its own node_modules. */
export function packageFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .filter((f) => !f.split('/').includes('node_modules'))
    .sort();
}

/**
 * Files outside the build (`dist/`, `bin/`, declarations written by hand beside them), README and LICENSE, and
 * TypeScript sources other than declarations.
 */
export function unexpectedFiles(files: readonly string[]): string[] {
  const allowed = (f: string) =>
    ['package.json', 'README.md', 'LICENSE'].includes(f) || f.startsWith('dist/') || f.startsWith('bin/') || /\.d\.(c|m)?ts$/.test(f);
  const source = (f: string) => /\.(c|m)?tsx?$/.test(f) && !/\.d\.(c|m)?ts$/.test(f);
  return files.filter((f) => !allowed(f) || source(f)).map((f) => `ships ${f}`);
}

/** `exports` targets (every condition but the workspace's `@strata/source`) and `bin` files that are missing. */
export function missingEntryPoints(dir: string, manifest: Manifest): string[] {
  const targets: string[] = [];
  const walk = (value: unknown, condition: string) => {
    if (condition === '@strata/source') return;
    if (typeof value === 'string') targets.push(value);
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(manifest.exports, '');
  if (targets.length === 0) return ['has no exports'];
  const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
  return [...targets, ...bins].filter((t) => !existsSync(join(dir, t))).map((t) => `names ${t}, which it does not ship`);
}

/** Dependency versions npm cannot resolve (`workspace:`, `catalog:` and other pnpm-only protocols). */
export function unpublishableVersions(manifest: Manifest): string[] {
  const fields = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'] as const;
  return fields.flatMap((field) =>
    Object.entries(manifest[field] ?? {})
      .filter(([, range]) => /^(workspace|catalog|link):/.test(range))
      .map(([name, range]) => `${field}.${name} is ${range}`),
  );
}

/** The package a bare specifier names (`@scope/a/b` → `@scope/a`); undefined for relative paths and builtins. */
function packageName(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:') || specifier.startsWith('#')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return builtinModules.includes(name) ? undefined : name;
}

/**
 * Packages imported by the build's `.js` and `.d.ts` files (static and dynamic imports, `export … from`,
 * `import type`, `/// <reference types>`; TypeScript's own scanner, so comments do not count) that the manifest
 * does not declare in `dependencies`, `peerDependencies` or `optionalDependencies`.
 */
export function undeclaredImports(dir: string, manifest: Manifest, files: readonly string[]): string[] {
  const declared = new Set([manifest.name, ...Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies })]);
  const problems: string[] = [];
  for (const file of files.filter((f) => /\.(m|c)?js$|\.d\.(m|c)?ts$/.test(f))) {
    const scanned = ts.preProcessFile(readFileSync(join(dir, file), 'utf8'), true, true);
    const specifiers = [...scanned.importedFiles, ...scanned.typeReferenceDirectives.map((r) => ({ fileName: `@types/${r.fileName}` }))].map((r) => r.fileName);
    for (const name of new Set(specifiers.map(packageName))) {
      // `@types/node` comes with every Node project; the other `@types/*` must be declared like any package.
      if (name !== undefined && name !== '@types/node' && !declared.has(name)) problems.push(`${file} imports ${name}, which it does not declare`);
    }
  }
  return problems;
}

/**
 * Packages the build's declarations import that are optional peers (`peerDependenciesMeta[name].optional`):
 * a consumer who has not installed one gets TS2307 from the package's own `.d.ts` as soon as it type-checks
 * libraries (`skipLibCheck: false`), whether or not it uses the feature that needs the peer.
 */
export function optionalPeersInDeclarations(dir: string, manifest: Manifest & { peerDependenciesMeta?: Record<string, { optional?: boolean }> }, files: readonly string[]): string[] {
  const optional = new Set(Object.entries(manifest.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional === true).map(([n]) => n));
  const problems: string[] = [];
  for (const file of files.filter((f) => /\.d\.(m|c)?ts$/.test(f))) {
    const scanned = ts.preProcessFile(readFileSync(join(dir, file), 'utf8'), true, true);
    for (const name of new Set(scanned.importedFiles.map((r) => packageName(r.fileName)))) {
      if (name !== undefined && optional.has(name)) problems.push(`${file} imports the optional peer ${name}`);
    }
  }
  return problems;
}
