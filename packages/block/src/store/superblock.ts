/**
 * Superblocks: pages 0 and 1 hold the two latest generations (generation g lives on page g % 2), so writing a
 * new one never overwrites the current one — a torn superblock write leaves the previous generation readable
 * (the LMDB meta-page pair; littlefs' metadata pair). The page device's checksum catches the torn page.
 */
import type { PageDevice } from '../device/types.ts';
import { StorageError } from '@strata/storage';

/** "STRATASB". */
const MAGIC = 'STRATASB';
/** The key-store format version. */
export const STORE_VERSION = 1;
/** Pages of the superblock pair. */
export const SUPERBLOCK_PAGES = 2;

/** Where the latest checkpoint lives. */
export interface CheckpointRef {
  /** [page, pages] runs holding the checkpoint bytes in order. */
  runs: [number, number][];
  bytes: number;
  /** xxh64 of the bytes, hex. */
  hash: string;
  tag: number;
}

/** The contents of a superblock. */
export interface Superblock {
  version: number;
  generation: number;
  /** Incremented at every open; high bits of every data tag, so tags are never reused after a crash. */
  bootGeneration: number;
  journalPages: number;
  /** First page of the data area (after superblocks and journal). */
  dataStart: number;
  /** Ring offset of the first journal batch to replay. */
  journalStart: number;
  /** Sequence number of that batch. */
  journalSeq: number;
  checkpoint: CheckpointRef | null;
  inlineMax: number;
}

/** Encodes a superblock into one page. */
export function encodeSuperblock(sb: Superblock, pageSize: number): Buffer {
  const json = Buffer.from(JSON.stringify(sb), 'utf8');
  if (json.length + 12 > pageSize) {
    throw new StorageError('NoSpace', `Superblock of ${json.length} bytes does not fit a ${pageSize}-byte page (free space too fragmented for the checkpoint)`);
  }
  const page = Buffer.alloc(pageSize);
  page.write(MAGIC, 0, 'latin1');
  page.writeUInt32LE(json.length, 8);
  json.copy(page, 12);
  return page;
}

/** Decodes a superblock page, or undefined when it holds none. */
export function decodeSuperblock(page: Buffer): Superblock | undefined {
  if (page.toString('latin1', 0, 8) !== MAGIC) return undefined;
  const n = page.readUInt32LE(8);
  if (n + 12 > page.length) return undefined;
  try {
    const sb = JSON.parse(page.toString('utf8', 12, 12 + n)) as Superblock;
    return typeof sb.generation === 'number' ? sb : undefined;
  } catch {
    return undefined;
  }
}

/** Reads both superblocks; returns the valid one with the highest generation (undefined if none, `blank` when both pages are unwritten). */
export async function readSuperblock(device: PageDevice): Promise<{ sb?: Superblock; blank: boolean; problems: string[] }> {
  let best: Superblock | undefined;
  let blank = true;
  const problems: string[] = [];
  for (let p = 0; p < SUPERBLOCK_PAGES; p++) {
    try {
      const page = await device.read(p, 1);
      const sb = decodeSuperblock(page);
      if (!sb) {
        if (page.some((b) => b !== 0)) {
          blank = false;
          problems.push(`superblock page ${p}: no valid superblock`);
        }
        continue;
      }
      blank = false;
      if (sb.generation % SUPERBLOCK_PAGES !== p) problems.push(`superblock page ${p}: generation ${sb.generation} on the wrong page`);
      if (!best || sb.generation > best.generation) best = sb;
    } catch (e) {
      blank = false;
      problems.push(`superblock page ${p}: ${(e as Error).message}`);
    }
  }
  return best ? { sb: best, blank, problems } : { blank, problems };
}

/** Writes `sb` to its page (generation % 2, tagged with the generation) and flushes. */
export async function writeSuperblock(device: PageDevice, sb: Superblock): Promise<void> {
  await device.write(sb.generation % SUPERBLOCK_PAGES, encodeSuperblock(sb, device.pageSize), sb.generation);
  await device.flush();
}
