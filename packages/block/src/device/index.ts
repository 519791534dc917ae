/** Page device factories: memory and image file. */
import { stat } from 'node:fs/promises';
import { createMemoryMedium } from './memory-medium.ts';
import { openFileMedium } from './file-medium.ts';
import { openPageDevice } from './page-device.ts';
import type { PageDeviceOptions } from './page-device.ts';
import type { PageDevice, PageMedium } from './types.ts';
import { acquireImageLock } from './image-lock.ts';
import { toStorageError } from '../errors.ts';

/** Options of {@link createMemoryDevice}. */
export interface MemoryDeviceOptions extends Omit<PageDeviceOptions, 'create'> {
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
  return openPageDevice(medium, image ? rest : { ...rest, create: { pageSize, pageCount } });
}

/** Options of {@link openFileDevice}. */
export interface FileDeviceOptions extends Omit<PageDeviceOptions, 'create'> {
  /** Create the image (it must not exist) with this geometry. */
  create?: { pageSize?: number; pageCount: number };
  /**
   * Take the image lock (`<path>.lock`, see `image-lock.ts`) so a second writer gets a clear `Unavailable`
   * error; it is released by `close`. Read-only tools (info, fsck) pass false.
   * @default true
   */
  lock?: boolean;
  /** Transfers up to this many bytes use synchronous pread/pwrite (see `file-medium.ts`); 0 for none. @default 65536 */
  syncIoMax?: number;
}

/**
 * Opens an image file as a page device, or creates it with `create`. Unless `lock: false`, the image is locked
 * for this process first (a live holder fails with `Unavailable`; a dead holder's lock is taken over).
 */
export async function openFileDevice(path: string, options: FileDeviceOptions = {}): Promise<PageDevice> {
  const { lock = true, syncIoMax, ...rest } = options;
  const release = lock ? await acquireImageLock(path) : undefined;
  let medium: PageMedium;
  try {
    medium = await openFileMedium(path, { create: rest.create !== undefined, ...(syncIoMax !== undefined ? { syncIoMax } : {}) });
  } catch (e) {
    await release?.();
    throw toStorageError(e, 'open');
  }
  if (release) {
    const close = medium.close.bind(medium);
    medium.close = async () => {
      try {
        await close();
      } finally {
        await release();
      }
    };
  }
  try {
    return await openPageDevice(medium, rest);
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
