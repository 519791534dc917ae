/**
 * The backend shape the pipeline suites (`suites/*.ts`) run on, and the one backend this package tests itself:
 * memory, from `@strata/storage`. The file, block and s3 runs of the same suites live in `test/pipelines-e2e`
 * (docs/architecture.md, "Packages and dependency direction": nothing in packages/ depends on an adapter or
 * on the object server).
 */
import { createMemoryStorage } from '@strata/storage';
import type { Storage } from '@strata/storage';

/** A storage under test and how to dispose of it. */
export interface Backend {
  storage: Storage;
  cleanup(): Promise<void>;
}

/** A named backend factory. Each `create()` returns a fresh, empty storage and its cleanup. */
export interface BackendFactory {
  name: string;
  create(): Promise<Backend>;
}

/** The memory adapter: a fresh `createMemoryStorage()` per storage. */
export const MEMORY_BACKEND: BackendFactory = {
  name: 'memory',
  async create() {
    const storage = createMemoryStorage();
    return { storage, cleanup: () => storage.close() };
  },
};
