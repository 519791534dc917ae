/**
 * `@strata/block`: a page-device emulator (memory or image file, per-page xxh64 integrity, latency profiles,
 * stats) and the block adapter — a crash-safe key store on those pages (superblocks, allocator, journal,
 * checkpoints, recovery) implementing the storage contract — plus its tools (create, info, fsck).
 */
export * from './device/types.ts';
export { createMemoryDevice, openFileDevice } from './device/index.ts';
export type { MemoryDeviceOptions, FileDeviceOptions } from './device/index.ts';
export { openPageDevice, assertPageSize } from './device/page-device.ts';
export type { PageDeviceOptions } from './device/page-device.ts';
export { PageLayout, GUARD_BYTES } from './device/layout.ts';
export { loadHash64, loadHash64Halves } from './hash.ts';
export type { Hash64, Hash64Halves } from './hash.ts';
export { createMemoryMedium } from './device/memory-medium.ts';
export type { MemoryMedium } from './device/memory-medium.ts';
export { openFileMedium } from './device/file-medium.ts';
export type { FileMediumOptions } from './device/file-medium.ts';
export { LATENCY_PROFILES, createFakeClock, realClock, sleepUntil } from './device/latency.ts';
export { acquireImageLock, lockPathOf } from './device/image-lock.ts';
export type { LatencyProfile } from './device/latency.ts';
export { createBlockAdapter, createBlockStorage } from './store/create.ts';
export type { BlockAdapterOptions, BlockDeviceOptions, BlockPathOptions, BlockCommonOptions } from './store/create.ts';
export { BlockAdapter } from './store/adapter.ts';
export { BlockStore } from './store/block-store.ts';
export { defaultJournalInlineMax } from './store/spill.ts';
export type { BlockStoreOptions, RecoveryReport } from './store/block-store.ts';
export { createImage, imageInfo, fsckImage, fsckStore } from './tools.ts';
export type { CreateImageOptions, ImageInfo, FsckReport } from './tools.ts';
export { runCli } from './cli.ts';
