/**
 * A scale curve on one in-process backend (file, block or memory adapter), run in a process of its own so the
 * RSS reported at each size is the store's — not what the bench process kept from earlier scenarios or from
 * another backend. Started by `runScaleChild` (run-scale-child.ts); reads its job from BENCH_SCALE_JOB (JSON {@link ScaleJob})
 * and prints `SCALE-PROGRESS <label>` per size and one final `SCALE-RESULT <json>` ({@link CurveResult}).
 *
 * The file adapter runs with `fsync: 'never'`: only the fill writes, and the rows measure reads, which never
 * fsync. The block adapter's `maxKeys` is set to the curve's last size (at most its documented default of
 * 1,000,000), so the last row is measured at the key limit, and a put of one more key is checked to fail
 * `NoSpace` with reason `KeyLimit` as its README states.
 */
import { join } from 'node:path';
import { createBlockStorage } from '@strata/block';
import { openFileStorage } from '@strata/file';
import { createMemoryStorage, isStorageError } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { runCurve } from './scale-curve.ts';
import type { CurveResult } from './scale-curve.ts';
import type { ScaleJob } from './run-scale-child.ts';
import { BLOCK_DEFAULT_MAX_KEYS, OBJECT_BYTES } from './scale-plan.ts';
import { storageTarget } from './scale-target.ts';

async function openBackend(job: ScaleJob): Promise<Storage> {
  if (job.backend === 'memory') return createMemoryStorage();
  if (job.backend === 'file') return openFileStorage({ root: join(job.dir, 'file'), fsync: 'never' });
  const maxKeys = Math.min(BLOCK_DEFAULT_MAX_KEYS, job.sizes.at(-1) ?? BLOCK_DEFAULT_MAX_KEYS);
  return createBlockStorage({ path: join(job.dir, 'block.img'), create: true, maxKeys });
}

/** At the block adapter's last size: a put of a new key must fail NoSpace (KeyLimit); returns what happened. */
async function checkKeyLimit(storage: Storage, objects: number): Promise<Record<string, string>> {
  try {
    await storage.put('scale-over-the-limit', Buffer.alloc(OBJECT_BYTES));
    return { keyLimit: `a new key was accepted at ${objects} keys` };
  } catch (e) {
    if (isStorageError(e) && e.code === 'NoSpace' && e.reason === 'KeyLimit') return { keyLimit: `at limit (${objects}): new key refused NoSpace/KeyLimit` };
    throw e;
  }
}

async function main(): Promise<void> {
  const job = JSON.parse(process.env.BENCH_SCALE_JOB ?? '') as ScaleJob;
  const storage = await openBackend(job);
  const target = storageTarget(storage);
  let result: CurveResult;
  try {
    result = await runCurve({
      backend: job.name,
      target,
      sizes: job.sizes,
      plan: job.plan,
      deadline: job.deadline,
      atSize: async (objects) => (job.backend === 'block' && objects === job.sizes.at(-1) ? checkKeyLimit(storage, objects) : undefined),
      progress: (label) => console.log(`SCALE-PROGRESS ${label}`),
    });
  } finally {
    await target.close();
  }
  console.log(`SCALE-RESULT ${JSON.stringify(result)}`);
}

await main();
