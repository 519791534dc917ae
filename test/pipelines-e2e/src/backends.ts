/**
 * The file and block backends the pipeline suites run on end to end (the memory runs stay in
 * `packages/pipelines`). Each `create()` returns a fresh, empty storage in its own temp dir and a cleanup that
 * closes it and removes the dir.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBlockStorage } from '@strata/block';
import { createFileStorage } from '@strata/file';
import type { BackendFactory } from '../../../packages/pipelines/test/helpers/backends.ts';

/** A temp dir under os.tmpdir(), removed by the returned `remove()`. */
export async function tempDir(label: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `strata-pipelines-${label}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The file adapter on a temp root. */
export const FILE_BACKEND: BackendFactory = {
  name: 'file',
  async create() {
    const tmp = await tempDir('file');
    // fsync 'never' still survives a process crash (renames publish whole files); power loss is not tested here.
    const storage = createFileStorage({ root: tmp.dir, fsync: 'never' });
    return { storage, cleanup: async () => { await storage.close(); await tmp.remove(); } };
  },
};

/** The block adapter on an image file in a temp dir. */
export const BLOCK_BACKEND: BackendFactory = {
  name: 'block',
  async create() {
    const tmp = await tempDir('block');
    // A sparse image of 16 MiB (4096 pages of 4 KiB).
    const storage = await createBlockStorage({ path: join(tmp.dir, 'image.strata'), pageCount: 4096 });
    return { storage, cleanup: async () => { await storage.close(); await tmp.remove(); } };
  },
};
