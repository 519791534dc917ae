/**
 * The contract suite on the block adapter over an image file, which must pass it in full, with S3's 5 MiB
 * minimum part size. Each group gets a fresh sparse image under the OS temp dir, removed after the group.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStorageContract } from '@strata/conformance';
import type { Storage } from '@strata/storage';
import { createBlockStorage } from '../src/index.ts';

const LARGE = 64 * 1024 * 1024;
const dirs = new Map<Storage, string>();

describeStorageContract(
  'block (image file)',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-block-conf-'));
    const storage = await createBlockStorage({ path: join(dir, 'store.img'), pageSize: 4096, pageCount: (2 * LARGE) / 4096 + 8192 });
    dirs.set(storage, dir);
    return storage;
  },
  {
    largeObjectBytes: LARGE,
    cleanup: async (storage) => {
      const dir = dirs.get(storage);
      if (dir) queueMicrotask(() => rmSync(dir, { recursive: true, force: true }));
    },
  },
);
