/**
 * The contract suite on the memory adapter, which must pass all of it. Parts are allowed down to 1 KiB so the
 * multipart cases stay fast; the large-object case streams 256 MiB (override with STRATA_LARGE_OBJECT_BYTES).
 * A second run declares fewer capabilities, so the suite's `Unsupported` branches run: a missing capability
 * must throw, never be silently ignored.
 */
import { describeStorageContract } from '@strata/conformance';
import { createMemoryAdapter, createMemoryStorage, createStorage } from '@strata/storage';
import { override } from './fixtures/broken-adapters.ts';

describeStorageContract('memory (minPartSize 1 KiB)', () => createMemoryStorage({ minPartSize: 1024 }), {
  largeObjectBytes: Number(process.env.STRATA_LARGE_OBJECT_BYTES ?? 256 * 1024 * 1024),
});

describeStorageContract(
  'memory declaring no tags, checksums or conditional puts',
  () => {
    const adapter = createMemoryAdapter({ minPartSize: 1024 });
    return createStorage(override(adapter, { capabilities: { ...adapter.capabilities, tags: false, checksums: false, conditionalPut: false } }));
  },
  { largeObjectBytes: 4 << 20 },
);
