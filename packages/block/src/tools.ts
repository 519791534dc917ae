/**
 * The block tools as library functions: `createImage`, `imageInfo` and `fsckImage` on an image file (the CLI
 * `strata-block` calls these). `info` and `fsck` open the image read-only: recovery runs in memory, nothing is
 * written, so they are safe on a damaged image.
 */
import { StorageError } from '@strata/storage';
import { exists, openFileDevice } from './device/index.ts';
import type { PageDevice } from './device/types.ts';
import { BlockStore } from './store/block-store.ts';
import type { Superblock } from './store/superblock.ts';
import { fsckStore } from './store/fsck.ts';
import type { FsckReport } from './store/fsck.ts';

/** Options of {@link createImage}. */
export interface CreateImageOptions {
  /** @default 4096 */
  pageSize?: number;
  /** @default 262144 */
  pageCount?: number;
  /** Journal ring pages. @default pageCount/16 clamped to 8..4096 */
  journalPages?: number;
}

/** What {@link imageInfo} reports. */
export interface ImageInfo {
  path: string;
  pageSize: number;
  pageCount: number;
  superblock: Superblock;
  objects: number;
  uploads: number;
  bytesStored: number;
  pagesFree: number;
  journalPagesUsed: number;
  batchesReplayed: number;
  journalEnd: string;
}

/** Creates and formats a new image file (fails if it exists). */
export async function createImage(path: string, options: CreateImageOptions = {}): Promise<ImageInfo> {
  if (await exists(path)) throw new StorageError('AlreadyExists', `${path} already exists`);
  const device = await openFileDevice(path, { create: { pageSize: options.pageSize ?? 4096, pageCount: options.pageCount ?? 262_144 } });
  const store = await BlockStore.open(device, options.journalPages !== undefined ? { journalPages: options.journalPages } : {});
  await store.close();
  return imageInfo(path);
}

async function withReadOnly<T>(path: string, fn: (store: BlockStore, device: PageDevice) => Promise<T>): Promise<T> {
  if (!(await exists(path))) throw new StorageError('NotFound', `${path} does not exist`);
  // Read-only: no image lock, so fsck can inspect an image a crashed (or live) writer left behind.
  const device = await openFileDevice(path, { lock: false });
  try {
    const store = await BlockStore.open(device, { readOnly: true });
    return await fn(store, device);
  } finally {
    await device.close();
  }
}

/** Geometry, superblock and index summary of an image. */
export async function imageInfo(path: string): Promise<ImageInfo> {
  return withReadOnly(path, async (store, device) => {
    let bytes = 0;
    for (const o of store.state.objects.values()) bytes += o.size;
    return {
      path,
      pageSize: device.pageSize,
      pageCount: device.pageCount,
      superblock: store.superblock,
      objects: store.state.objects.size,
      uploads: store.state.uploads.size,
      bytesStored: bytes,
      pagesFree: store.alloc.freePages,
      journalPagesUsed: store.journalUsed,
      batchesReplayed: store.recovery.batchesReplayed,
      journalEnd: store.recovery.journalEnd,
    };
  });
}

/**
 * Checks an image: recovery (superblocks, checkpoint checksum, journal record checksums) then every invariant
 * of {@link fsckStore}. A store that cannot even be opened is reported as one error.
 */
export async function fsckImage(path: string): Promise<FsckReport> {
  try {
    return await withReadOnly(path, (store) => fsckStore(store));
  } catch (e) {
    const failed: FsckReport = { ok: false, errors: [`cannot open: ${(e as Error).message}`], notes: [], objects: 0, uploads: 0, extents: 0, pagesReferenced: 0, pagesFree: 0, pagesRead: 0, journalBatchesReplayed: 0 };
    return failed;
  }
}

export { fsckStore };
export type { FsckReport };
