/**
 * The server over each real backend, for tests that must hold wherever storage matters: the file adapter on a
 * temporary directory and the block adapter on an image file, both with a small minimum part size.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createBlockStorage } from '@strata/block';
import { createFileStorage } from '@strata/file';
import type { Storage } from '@strata/storage';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';
import type { AppOptions } from '../src/app.ts';

/** A backend the server can run over. */
export interface Backend {
  name: 'file' | 'block';
  open(dir: string): Promise<Storage> | Storage;
}

/** The minimum part size of both backends here (small, so multipart tests stay fast). */
export const TEST_MIN_PART_SIZE = 1024;

/** The file and block backends. */
export const BACKENDS: readonly Backend[] = [
  { name: 'file', open: (dir) => createFileStorage({ root: path.join(dir, 'data'), minPartSize: TEST_MIN_PART_SIZE }) },
  { name: 'block', open: (dir) => createBlockStorage({ path: path.join(dir, 'img'), pageCount: 4096, minPartSize: TEST_MIN_PART_SIZE }) },
];

/** Options of {@link startOver}: the app's, and a wrapper around the backend's storage (to observe calls). */
export type StartOverOptions = Partial<AppOptions> & { wrap?: (storage: Storage) => Storage };

/** A server over `backend` in a fresh temporary directory; `close` stops it and removes the directory. */
export async function startOver(backend: Backend, options: StartOverOptions = {}): Promise<TestServer> {
  const { wrap, ...appOptions } = options;
  const dir = await mkdtemp(path.join(os.tmpdir(), `strata-os-${backend.name}-`));
  const storage = await backend.open(dir);
  const server = await startServer({ ...appOptions, storage: wrap ? wrap(storage) : storage });
  return {
    ...server,
    storage,
    async close() {
      await server.close();
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `storage` with `method` observed: `onCall` runs with the arguments before each call goes through. Every
 * other member is the storage's own, bound to it (its methods use private fields).
 */
export function observe<K extends keyof Storage>(storage: Storage, method: K, onCall: (...args: unknown[]) => void): Storage {
  return new Proxy(storage, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name, target);
      if (typeof value !== 'function') return value;
      const bound = (value as (...a: unknown[]) => unknown).bind(target);
      if (name !== method) return bound;
      return (...args: unknown[]) => {
        onCall(...args);
        return bound(...args);
      };
    },
  });
}
