/**
 * The contract suite over layered storages: a layer returns a `Storage`, so it must keep every rule.
 * withPrefix shortens the usable key length by the prefix's bytes and declares it (`maxKeyBytes`), so the
 * corpus keys longer than that are skipped by capability and the limit itself is tested.
 */
import { describeStorageContract } from '@strata/conformance';
import { createMemoryStorage, withLatency, withMetrics, withPrefix, withReadCache, withRetry } from '@strata/storage';

describeStorageContract('withPrefix(memory)', () => withPrefix(createMemoryStorage({ minPartSize: 1024 }), 'tenant/\u00e9/'), {
  largeObjectBytes: 8 << 20,
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
