/**
 * The `ceph` project of the root vitest config: every file here runs against one single-node Ceph cluster that
 * `src/global-setup.ts` starts before the first of them (only when one is selected) and stops after the last.
 */
import { defineProject, mergeConfig } from 'vitest/config';
import { sourceConfig } from '../support/source-config.ts';

// File projects do not inherit the root config: the workspace packages resolve to their sources through this.
export default mergeConfig(sourceConfig, defineProject({
  test: {
    name: 'ceph',
    root: import.meta.dirname,
    include: ['test/**/*.test.ts'],
    globalSetup: ['src/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
}));
