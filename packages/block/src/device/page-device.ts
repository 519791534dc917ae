/**
 * Opening a page device: format a medium (header, size) or read its header, then hand it to the device
 * (`guarded-page-device.ts`, where the per-operation costs are described).
 */
import { StorageError } from '@strata/storage';
import { loadHash64, loadHash64Halves } from '../hash.ts';
import { GuardedPageDevice } from './guarded-page-device.ts';
import { decodeHeaderRegion, encodeHeaderRegion } from './header.ts';
import { PageLayout } from './layout.ts';
import type { Clock, PageDevice, PageMedium } from './types.ts';
import type { LatencyProfile } from './latency.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MIN_PAGE_SIZE } from './types.ts';

/** Options of {@link openPageDevice}. */
export interface PageDeviceOptions {
  /** Format the medium with this geometry (it must be empty) instead of reading its header. */
  create?: { pageSize?: number; pageCount: number };
  /** Emulated media latency. @default none */
  latency?: LatencyProfile;
  /** Time source for latency and stats. @default the real clock */
  clock?: Clock;
  /**
   * Time every operation into the latency histograms of {@link PageDevice.stats}. Off by default: it costs two
   * clock reads and a histogram update per operation (≈ 0.1 µs, several percent of a page-cache pread, which the
   * bench compares the device with). The operation, page and byte counters are kept either way, and a
   * device with an emulated latency profile always times (it needs the clock anyway).
   * @default false
   */
  timing?: boolean;
  /**
   * Memory for clean guard pages (32 bytes per page; see `guard-table.ts`). Beyond it the oldest are dropped
   * and read again when needed, one extra pread. The default covers 4 GiB of 4 KiB pages.
   * @default 33554432 (32 MiB)
   */
  guardCacheBytes?: number;
}

/** Throws `InvalidArgument` unless `pageSize` is a power of two in 512..65536. */
export function assertPageSize(pageSize: number): void {
  if (!Number.isInteger(pageSize) || pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE || (pageSize & (pageSize - 1)) !== 0) {
    throw new StorageError('InvalidArgument', `pageSize must be a power of two from ${MIN_PAGE_SIZE} to ${MAX_PAGE_SIZE}, got ${pageSize}`);
  }
}

/** Opens (or formats) a page device on `medium`. */
export async function openPageDevice(medium: PageMedium, options: PageDeviceOptions = {}): Promise<PageDevice> {
  const hash = await loadHash64();
  let pageSize: number;
  let pageCount: number;
  if (options.create) {
    pageSize = options.create.pageSize ?? DEFAULT_PAGE_SIZE;
    assertPageSize(pageSize);
    pageCount = options.create.pageCount;
    if (!Number.isSafeInteger(pageCount) || pageCount < 1) throw new StorageError('InvalidArgument', `pageCount must be a positive integer, got ${pageCount}`);
    await medium.write(0, encodeHeaderRegion({ pageSize, pageCount }, pageSize, hash));
    await medium.resize(new PageLayout(pageSize).mediumBytes(pageCount));
    await medium.sync();
  } else {
    const first = Buffer.alloc(MIN_PAGE_SIZE);
    await medium.read(0, first);
    ({ pageSize, pageCount } = decodeHeaderRegion(first, hash));
    assertPageSize(pageSize);
  }
  return new GuardedPageDevice(medium, hash, await loadHash64Halves(), pageSize, pageCount, options);
}
