/** Factories: the block adapter on a device or an image file, and the `Storage` over it. */
import { createStorage, StorageError } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { exists, openFileDevice } from '../device/index.ts';
import type { LatencyProfile } from '../device/latency.ts';
import type { Clock, PageDevice } from '../device/types.ts';
import { BlockAdapter } from './adapter.ts';
import { BlockStore } from './block-store.ts';
import type { BlockStoreOptions } from './block-store.ts';

/** Options shared by both ways of opening a block adapter. */
export interface BlockCommonOptions extends BlockStoreOptions {
  /** Smallest size of every multipart part but the last. @default 5242880 */
  minPartSize?: number;
  /** Most keys the in-memory index may hold. @default 1000000 */
  maxKeys?: number;
}

/** Open the store on a device you created (memory, file, crash-simulating…). */
export interface BlockDeviceOptions extends BlockCommonOptions {
  device: PageDevice;
  /** Whether the device outlives the process; reported as `capabilities.durable`. @default false */
  durable?: boolean;
}

/** Open (or create) an image file. */
export interface BlockPathOptions extends BlockCommonOptions {
  path: string;
  /** Page size when the image is created. @default 4096 */
  pageSize?: number;
  /** Page count when the image is created. @default 262144 (1 GiB of 4 KiB pages; the file is sparse) */
  pageCount?: number;
  /** Create the image when it does not exist. @default true */
  create?: boolean;
  latency?: LatencyProfile;
  clock?: Clock;
  /** Transfers up to this many bytes use synchronous pread/pwrite; 0 for fully asynchronous I/O. @default 65536 */
  syncIoMax?: number;
}

/** Options of {@link createBlockAdapter}. */
export type BlockAdapterOptions = BlockDeviceOptions | BlockPathOptions;

/**
 * Opens a block adapter (formatting a blank device, recovering an existing one). Validates options at once:
 * exactly one of `device` or `path`.
 */
export async function createBlockAdapter(options: BlockAdapterOptions): Promise<BlockAdapter> {
  if (!options || (('device' in options) === ('path' in options))) {
    throw new StorageError('InvalidArgument', 'createBlockAdapter: pass exactly one of `device` or `path`');
  }
  const minPartSize = options.minPartSize;
  if (minPartSize !== undefined && (!Number.isSafeInteger(minPartSize) || minPartSize < 0)) {
    throw new StorageError('InvalidArgument', `createBlockAdapter: minPartSize must be a non-negative integer, got ${minPartSize}`);
  }
  for (const name of ['maxPages', 'journalInlineMax', 'inlineMax', 'maxKeys'] as const) {
    const v = options[name];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) {
      throw new StorageError('InvalidArgument', `createBlockAdapter: ${name} must be a non-negative integer, got ${v}`);
    }
  }
  let device: PageDevice;
  let durable: boolean;
  if ('device' in options) {
    device = options.device;
    durable = options.durable ?? false;
  } else {
    const present = await exists(options.path);
    if (!present && options.create === false) throw new StorageError('NotFound', `No block image at ${options.path}`);
    device = await openFileDevice(options.path, {
      ...(present ? {} : { create: { pageSize: options.pageSize ?? 4096, pageCount: options.pageCount ?? 262_144 } }),
      ...(options.latency ? { latency: options.latency } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.syncIoMax !== undefined ? { syncIoMax: options.syncIoMax } : {}),
    });
    durable = true;
  }
  try {
    const store = await BlockStore.open(device, options);
    return new BlockAdapter(store, { durable, ...(minPartSize !== undefined ? { minPartSize } : {}), ...(options.maxKeys !== undefined ? { maxKeys: options.maxKeys } : {}) });
  } catch (e) {
    if (!('device' in options)) await device.close();
    throw e;
  }
}

/** `createStorage(await createBlockAdapter(options))`: the whole contract on a page device. */
export async function createBlockStorage(options: BlockAdapterOptions): Promise<Storage> {
  return createStorage(await createBlockAdapter(options));
}
