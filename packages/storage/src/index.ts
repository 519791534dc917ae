/**
 * `@strata/storage`: the storage contract, its typed errors, key rules, capabilities, helpers adapters share,
 * the front wrapper, layers and the memory adapter.
 */
export * from './types.ts';
export * from './errors.ts';
export * from './keys.ts';
export * from './capabilities.ts';
export type * from './adapter.ts';
export * from './ranges.ts';
export * from './conditions.ts';
export * from './multipart-rules.ts';
export * from './checksums.ts';
export * from './body.ts';
export * from './bytes-body.ts';
export * from './list-pager.ts';
export * from './front/create-storage.ts';
export { TRACED_OPERATIONS, storageTraceChannelName } from './tracing.ts';
export type { StorageTraceContext, TracedOperation } from './tracing.ts';
export * from './content-types.ts';
export * from './memory/memory-adapter.ts';
export * from './to-storage-error.ts';
export * from './layers/index.ts';
export * from './versioning/index.ts';
export * from './upload-pager.ts';
export * from './process-lock.ts';
