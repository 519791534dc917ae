/**
 * The part of the vitest configuration that makes tests run on the TypeScript sources, never on a build. The
 * root vitest.config.ts applies it to its projects; a project with a config file of its own (test/ceph) merges
 * it in, since file projects do not inherit the root config.
 *
 * Every package's `exports` has an `@strata/source` condition naming its `src/` entry, listed first so it
 * wins over `types`/`default` (the built `dist/`). Vitest runs test files through Vite's server-side resolver,
 * whose conditions replace the defaults — hence `node` and `development|production` (Vitest's defaults) are
 * listed too. The setup file gives the node processes tests start the same view.
 */
import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';

const conditions = ['@strata/source', 'node', 'development|production'];
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Resolution to the sources, the `#system-tools` alias (tsconfig.json `paths` names it too) and the setup file. */
export const sourceConfig = {
  resolve: { conditions, alias: { '#system-tools': here('./system-tools.ts') } },
  ssr: { resolve: { conditions } },
  test: { setupFiles: [here('./vitest-setup.ts')] },
} satisfies ViteUserConfig;
