/**
 * The global setup of the `ceph` project: starts one single-node Ceph cluster (scripts/ceph/cluster.mjs) before
 * the first Ceph test file and stops it, by pid, after the last. The test files read it with `inject('ceph')`
 * (through `src/ceph.ts`), which also decides what a missing or failed cluster means for them.
 *
 * It never throws: a failure here would abort the whole vitest run, the other projects' tests included. A
 * missing tool or a failed start is handed to the test files instead, where it skips or fails them by name.
 */
import type { TestProject } from 'vitest/node';
import { CEPH_INSTALL_HINT, missingCephTools, startCephCluster } from '../../../scripts/ceph/cluster.mjs';
import type { CephProvided } from './ceph.ts';

/** The whole start-up is bounded: a cluster that does not answer within this fails the Ceph tests. */
const START_TIMEOUT_MS = 60_000;

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const missing = missingCephTools();
  if (missing.length > 0) {
    const reason = `Ceph tools missing on PATH: ${missing.join(', ')} (install: ${CEPH_INSTALL_HINT})`;
    console.warn(`ceph: ${reason}`);
    project.provide('ceph', { state: 'missing', reason } satisfies CephProvided);
    return undefined;
  }
  try {
    const cluster = await startCephCluster({ timeoutMs: START_TIMEOUT_MS });
    console.log(`ceph: gateway ${cluster.endpoint} up in ${cluster.startupMs} ms (${cluster.dir})`);
    const [user] = cluster.users;
    if (user === undefined) throw new Error('the cluster has no user');
    project.provide('ceph', { state: 'up', endpoint: cluster.endpoint, user, startupMs: cluster.startupMs, conf: cluster.conf } satisfies CephProvided);
    return async () => {
      const began = Date.now();
      await cluster.stop();
      console.log(`ceph: cluster stopped in ${Date.now() - began} ms`);
    };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    console.error(`ceph: ${reason}`);
    project.provide('ceph', { state: 'failed', reason } satisfies CephProvided);
    return undefined;
  }
}
