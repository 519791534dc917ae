/**
 * The conformance suite through s3 adapter → object server → block adapter on an image file: the whole path
 * must honour the contract, with only the S3 adapter's documented skips.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBlockStorage } from '@strata/block';
import { describeContractOverServer } from '../src/contract-over-server.ts';

describeContractOverServer('s3 → object server → block', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'strata-s3-block-'));
  // A sparse 1 GiB image: every group's bucket lives on this one device.
  const storage = await createBlockStorage({ path: join(dir, 'store.img'), pageSize: 4096, pageCount: 262_144 });
  return {
    storage,
    dispose: async () => {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
