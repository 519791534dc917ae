/**
 * The image header: the first page-sized region of the medium holds two copies (at 0 and 128) of magic,
 * version and geometry, each guarded by an xxh64, so a torn header update (grow) leaves the other copy
 * readable. Version 2 is the page-aligned layout with guard pages (`layout.ts`); version 1 (slots with inline
 * trailers) is refused with `Unsupported`.
 */
import { StorageError } from '@strata/storage';
import type { Hash64 } from '../hash.ts';
import { corrupted } from '../errors.ts';
import type { PageMedium } from './types.ts';

/** "STRATAPG": Strata page device. */
export const DEVICE_MAGIC = Buffer.from('STRATAPG', 'latin1');
/** The on-medium format version. */
export const DEVICE_VERSION = 2;
const COPY_BYTES = 64;
const COPY_OFFSETS = [0, 128] as const;

/** The geometry recorded in the header. */
export interface DeviceGeometry {
  pageSize: number;
  pageCount: number;
}

/** Encodes one header copy (64 bytes). */
export function encodeHeader(g: DeviceGeometry, hash: Hash64): Buffer {
  const b = Buffer.alloc(COPY_BYTES);
  DEVICE_MAGIC.copy(b, 0);
  b.writeUInt32LE(DEVICE_VERSION, 8);
  b.writeUInt32LE(g.pageSize, 12);
  b.writeUInt32LE(g.pageCount % 2 ** 32, 16);
  b.writeUInt32LE(Math.floor(g.pageCount / 2 ** 32), 20);
  b.writeBigUInt64LE(hash(b.subarray(0, 56)), 56);
  return b;
}

/** The header region with both copies, `regionSize` bytes (one page). */
export function encodeHeaderRegion(g: DeviceGeometry, regionSize: number, hash: Hash64): Buffer {
  const region = Buffer.alloc(regionSize);
  const h = encodeHeader(g, hash);
  for (const o of COPY_OFFSETS) h.copy(region, o);
  return region;
}

/**
 * Rewrites the header of a live device for new geometry (it grew): one copy at a time, each made durable
 * before the next is touched, so a crash at any point leaves at least one valid copy (the decoder takes either).
 */
export async function rewriteHeader(medium: PageMedium, g: DeviceGeometry, hash: Hash64): Promise<void> {
  const h = encodeHeader(g, hash);
  for (const o of COPY_OFFSETS) {
    const pending = medium.write(o, h);
    if (pending !== undefined) await pending;
    await medium.sync();
  }
}

/** Decodes the header region: the valid copy with the larger page count wins. */
export function decodeHeaderRegion(region: Buffer, hash: Hash64): DeviceGeometry {
  let best: DeviceGeometry | undefined;
  let sawMagic = false;
  for (const o of COPY_OFFSETS) {
    const b = region.subarray(o, o + COPY_BYTES);
    if (b.length < COPY_BYTES || !b.subarray(0, 8).equals(DEVICE_MAGIC)) continue;
    sawMagic = true;
    if (b.readBigUInt64LE(56) !== hash(b.subarray(0, 56))) continue;
    const version = b.readUInt32LE(8);
    if (version !== DEVICE_VERSION) {
      const hint = version === 1 ? ' (the slot layout of earlier Strata releases: copy the objects out with that release, then into a new image)' : '';
      throw new StorageError('Unsupported', `Page device format version ${version} is not supported (expected ${DEVICE_VERSION})${hint}`);
    }
    const g = { pageSize: b.readUInt32LE(12), pageCount: b.readUInt32LE(16) + b.readUInt32LE(20) * 2 ** 32 };
    if (!best || g.pageCount > best.pageCount) best = g;
  }
  if (!best) {
    throw sawMagic ? corrupted('Both page device headers fail their checksum') : new StorageError('InvalidArgument', 'Not a Strata page device image (bad magic)');
  }
  return best;
}
