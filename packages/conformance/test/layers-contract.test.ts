/**
 * The contract suite over layered storages: a layer returns a `Storage`, so it must keep every rule.
 * withPrefix shortens the usable key length by the prefix's bytes, so the two 2048-byte corpus keys are
 * skipped there (their rejection is tested in packages/storage/test/layers.test.ts).
 */
import { describeStorageContract } from '@strata/conformance';
import { createMemoryStorage, withLatency, withMetrics, withPrefix, withReadCache, withRetry } from '@strata/storage';

describeStorageContract('withPrefix(memory)', () => withPrefix(createMemoryStorage({ minPartSize: 1024 }), 'tenant/\u00e9/'), {
  largeObjectBytes: 8 << 20,
  skip: ['round-trips key: 2048-byte key', 'round-trips key: 2048 bytes of 2-byte chars'],
});

describeStorageContract(
  'withMetrics(withRetry(withLatency(memory)))',
  () => withMetrics(withRetry(withLatency(createMemoryStorage({ minPartSize: 1024 }), { perCallMs: 0 }))),
  { largeObjectBytes: 8 << 20 },
);

describeStorageContract('withReadCache(memory)', () => withReadCache(createMemoryStorage({ minPartSize: 1024 })), { largeObjectBytes: 8 << 20 });

// A cache too small for most objects: eviction and the bypass for large objects run on every case.
describeStorageContract('withReadCache(memory), 16 KiB cache', () => withReadCache(createMemoryStorage({ minPartSize: 1024 }), { maxBytes: 16 * 1024, maxObjectBytes: 4 * 1024 }), {
  largeObjectBytes: 8 << 20,
});
