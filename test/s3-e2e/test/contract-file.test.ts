/** The conformance suite through s3 adapter → object server → file adapter (issue 6, "Judged by"). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileStorage } from '@strata/file';
import { describeContractOverServer } from '../src/contract-over-server.ts';

describeContractOverServer('s3 → object server → file', async () => {
  const root = await mkdtemp(join(tmpdir(), 'strata-s3-file-'));
  const storage = createFileStorage({ root, fsync: 'never' });
  return {
    storage,
    dispose: async () => {
      await storage.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});
