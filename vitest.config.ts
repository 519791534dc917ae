import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
// Tests run on the TypeScript sources (the `@strata/source` condition); see the file for how.
import { sourceConfig } from './test/support/source-config.ts';

export default mergeConfig(
  sourceConfig,
  defineConfig({
    test: {
      testTimeout: 30_000,
      hookTimeout: 60_000,
      pool: 'forks',
      reporters: ['default'],
      projects: [
        {
          extends: true,
          test: {
            name: 'strata',
            include: ['packages/*/test/**/*.test.ts', 'servers/*/test/**/*.test.ts', 'test/*/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
            exclude: [...configDefaults.exclude, 'test/ceph/**'],
          },
        },
        // The Ceph suites share one cluster, started by their project's global setup only when one of them runs.
        'test/ceph/vitest.config.ts',
      ],
    },
  }),
);
