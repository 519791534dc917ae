/**
 * The console built from the current sources by the package's own build script (`scripts/build-ui.mjs`, as
 * `pnpm install` and `pnpm build` run it), into a temporary directory: tests serve what the sources say, never
 * a stale `dist/`. Built once per test file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BuiltConsoleAsset } from '@strata/console/assets';

/** The package directory. */
export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** What one build produced. */
export interface BuiltConsole {
  assets: readonly BuiltConsoleAsset[];
  build: string;
  /** The generated module's path. */
  modulePath: string;
  /** Removes the temporary directory. */
  remove(): void;
}

/** Runs the build script into a fresh temporary directory and imports its module. */
export async function buildConsole(): Promise<BuiltConsole> {
  const outdir = mkdtempSync(join(tmpdir(), 'strata-console-build-'));
  execFileSync(process.execPath, [join(PACKAGE_DIR, 'scripts', 'build-ui.mjs'), '--quiet', `--outdir=${outdir}`], { cwd: PACKAGE_DIR, stdio: 'pipe' });
  const modulePath = join(outdir, 'assets.js');
  const module = (await import(pathToFileURL(modulePath).href)) as { consoleAssets: readonly BuiltConsoleAsset[]; consoleBuild: string };
  return { assets: module.consoleAssets, build: module.consoleBuild, modulePath, remove: () => rmSync(outdir, { recursive: true, force: true }) };
}
