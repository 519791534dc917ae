/**
 * Builds the workspace's publishable packages and packs them as `pnpm publish` would: `pnpm pack` runs each
 * package's `prepack` build and rewrites `workspace:*` and `catalog:` versions to real ones.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { run } from './run.ts';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '..', '..', '..');

/** A workspace package that is published (not `private`). */
export interface PublicPackage {
  name: string;
  version: string;
  dir: string;
}

/** Every package under `packages/` and `servers/` that is not private. */
export function publicPackages(): PublicPackage[] {
  return ['packages', 'servers'].flatMap((parent) =>
    readdirSync(join(ROOT, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(ROOT, parent, entry.name))
      .flatMap((dir) => {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string; private?: boolean };
        return manifest.private ? [] : [{ name: manifest.name, version: manifest.version, dir }];
      }),
  );
}

/** The workspace's TypeScript compiler (`tsc`), run with `node`. */
export const TSC = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');

/**
 * How to run pnpm: the pnpm running this test (`pnpm test` sets npm_execpath to it), else the version the root
 * package.json's `packageManager` names, through `npx --yes`.
 */
function pnpmCommand(): [string, string[]] {
  const execPath = process.env.npm_execpath;
  if (execPath !== undefined && basename(execPath).startsWith('pnpm')) return [process.execPath, [execPath]];
  const { packageManager } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { packageManager: string };
  return ['npx', ['--yes', packageManager]];
}

/**
 * Builds every package (`tsc -b tsconfig.build.json`, incremental: quick when nothing changed), then packs
 * `packages` into `destination`; resolves with each package's tarball path, by name. The build comes first so
 * the packs' own `prepack` builds, running two at a time, find everything up to date and write nothing.
 */
export async function buildAndPack(packages: readonly PublicPackage[], destination: string): Promise<Map<string, string>> {
  await run(process.execPath, [TSC, '-b', 'tsconfig.build.json'], { cwd: ROOT, timeoutMs: 180_000 });
  const [pnpm, pnpmArgs] = pnpmCommand();
  const filters = packages.flatMap((p) => ['--filter', p.name]);
  await run(pnpm, [...pnpmArgs, '--recursive', ...filters, 'pack', '--pack-destination', destination], { cwd: ROOT, timeoutMs: 120_000 });
  // pnpm names a tarball `<scope>-<name>-<version>.tgz`.
  const tarballOf = (p: PublicPackage) => join(destination, `${p.name.replace(/^@/, '').replace('/', '-')}-${p.version}.tgz`);
  const present = new Set(readdirSync(destination).map((f) => join(destination, f)));
  const missing = packages.filter((p) => !present.has(tarballOf(p)));
  if (missing.length > 0) throw new Error(`pnpm pack made no tarball for ${missing.map((p) => p.name).join(', ')}`);
  return new Map(packages.map((p) => [p.name, tarballOf(p)]));
}
