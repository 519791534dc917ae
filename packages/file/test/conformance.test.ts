/**
 * The contract suite on the file adapter, which must pass it in full with nothing skipped, twice: with metadata in
 * extended attributes (the default on a file system that takes them), and with every record in a metadata file
 * (`xattrs: false`, the fallback for file systems that refuse user attributes). Each group gets a fresh root
 * under the OS temp dir, removed after the group.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStorageContract } from '@strata/conformance';
import { createStorage } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { createFileAdapter } from '../src/index.ts';

const roots = new Map<Storage, string>();

for (const xattrs of [true, false]) {
  describeStorageContract(
    xattrs ? 'file' : 'file (metadata files)',
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'strata-file-conf-'));
      const adapter = createFileAdapter({ root, fsync: 'never', minPartSize: 5 * 1024 * 1024, xattrs });
      await adapter.ready();
      const storage = createStorage(adapter);
      roots.set(storage, root);
      return storage;
    },
    {
      largeObjectBytes: 64 * 1024 * 1024,
      cleanup: async (storage) => {
        const root = roots.get(storage);
        if (root) queueMicrotask(() => rmSync(root, { recursive: true, force: true }));
      },
    },
  );
}
