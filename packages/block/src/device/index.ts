/** Page device factories: memory and image file. */
import { stat } from 'node:fs/promises';
import { createMemoryMedium } from './memory-medium.ts';
import { openFileMedium } from './file-medium.ts';
import { openSlotDevice } from './slot-device.ts';
import type { SlotDeviceOptions } from './slot-device.ts';
import type { PageDevice } from './types.ts';

/** Options of {@link createMemoryDevice}. */
export interface MemoryDeviceOptions extends Omit<SlotDeviceOptions, 'create'> {
  /** @default 4096 */
  pageSize?: number;
  /** @default 16384 (64 MiB of 4 KiB pages; memory is allocated on first write, 64 KiB at a time) */
  pageCount?: number;
  /** Open this image (bytes of a memory or file device) instead of formatting a new one. */
  image?: Uint8Array;
}

/** A page device in memory (not durable across processes). */
export async function createMemoryDevice(options: MemoryDeviceOptions = {}): Promise<PageDevice> {
  const { image, pageSize, pageCount = 16384, ...rest } = options;
  const medium = createMemoryMedium(image);
  return openSlotDevice(medium, image ? rest : { ...rest, create: { pageSize, pageCount } });
}

/** Options of {@link openFileDevice}. */
export interface FileDeviceOptions extends Omit<SlotDeviceOptions, 'create'> {
  /** Create the image (it must not exist) with this geometry. */
  create?: { pageSize?: number; pageCount: number };
}

/** Opens an image file as a page device, or creates it with `create`. */
export async function openFileDevice(path: string, options: FileDeviceOptions = {}): Promise<PageDevice> {
  const medium = await openFileMedium(path, { create: options.create !== undefined });
  try {
    return await openSlotDevice(medium, options);
  } catch (e) {
    await medium.close();
    throw e;
  }
}

/** True when `path` exists. */
export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
