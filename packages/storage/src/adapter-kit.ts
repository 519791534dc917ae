/**
 * `@strata/storage/adapter`: the entry point for adapter authors. It holds the adapter SPI
 * ({@link StorageAdapter} and the types an adapter receives and returns), {@link createStorage} (the front
 * wrapper that turns an adapter into a `Storage`), and the helpers adapters share so that each does not keep
 * its own copy: multipart assembly, the errno table, the standard header names, body and paging helpers.
 *
 * Services that only use a `Storage` import `@strata/storage`.
 */
export type * from './adapter.ts';
export * from './types.ts';
export * from './errors.ts';
export * from './keys.ts';
export * from './capabilities.ts';
export { createStorage } from './front/create-storage.ts';
export type { CreateStorageOptions } from './front/create-storage.ts';
export * from './body.ts';
export * from './checksums.ts';
export * from './ranges.ts';
export * from './conditions.ts';
export * from './list-pager.ts';
export * from './upload-pager.ts';
export * from './multipart-rules.ts';
export * from './multipart-assembly.ts';
export * from './native-errors.ts';
export * from './standard-headers.ts';
export * from './content-types.ts';
export * from './process-lock.ts';
