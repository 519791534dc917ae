/**
 * The conformance suite through s3 adapter → object server → file adapter (the whole path must honour the
 * contract, with only the S3 adapter's documented skips), with the read cache in front of the file adapter as
 * `strata serve` runs it by default (servers/object-server/src/main.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileStorage } from '@strata/file';
import { withReadCache } from '@strata/storage';
import { describeContractOverServer } from '../src/contract-over-server.ts';

describeContractOverServer('s3 → object server → read cache → file', async () => {
  const root = await mkdtemp(join(tmpdir(), 'strata-s3-file-'));
  const file = createFileStorage({ root, fsync: 'never' });
  const storage = withReadCache(file, { maxBytes: 4 * 1024 * 1024 });
  return {
    storage,
    dispose: async () => {
      await storage.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});
