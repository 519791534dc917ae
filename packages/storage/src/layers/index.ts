/**
 * Layers: wrappers that take a {@link Storage} and return one, forwarding every method so no fast path of the
 * storage beneath is silently lost (docs/architecture.md, "Layers"). Compose them:
 * `withMetrics(withRetry(withPrefix(storage, 'tenant/')))`.
 */
export { ForwardingStorage, STORAGE_OPERATIONS, WRITE_OPERATIONS, isReplayableBody } from './forwarding.ts';
export type { CallInfo, StorageOperation } from './forwarding.ts';
export { withPrefix } from './prefix.ts';
export { withMetrics, StorageMetrics } from './metrics.ts';
export type { MetricsOptions, MetricsSnapshot, OperationMetrics, MeteredStorage } from './metrics.ts';
export { LatencyHistogram } from './histogram.ts';
export type { HistogramSnapshot } from './histogram.ts';
export { withRetry } from './retry.ts';
export type { RetryOptions } from './retry.ts';
export { withLatency } from './latency.ts';
export type { LatencyOptions, LatencyClock } from './latency.ts';
export { withReadOnly } from './read-only.ts';
export { withContentTypeFromExtension } from './content-type.ts';
export type { ContentTypeOptions } from './content-type.ts';
export { readCached, withReadCache } from './read-cache.ts';
export type { CachedRead, CachedStorage, ReadCacheOptions, ReadCacheStats } from './read-cache.ts';
