/**
 * Runs before each test file (vitest.config.ts `setupFiles`). Node processes that tests
 * start — fixtures under `node --import tsx`, the `strata` and `strata-block` bins — run the workspace's
 * TypeScript sources, as the tests themselves do: `--conditions=@strata/source` selects each package's `src/`
 * entry over its `dist/` build, and tsx's loader runs TypeScript. A test that wants a pristine process (the
 * production bundle, the packed packages of test/consumer) sets its own NODE_OPTIONS.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const SOURCE_CONDITION = '--conditions=@strata/source';
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const current = process.env.NODE_OPTIONS ?? '';
if (!current.includes(SOURCE_CONDITION)) {
  process.env.NODE_OPTIONS = [current, SOURCE_CONDITION, `--import=${tsxLoader}`].filter(Boolean).join(' ');
}
