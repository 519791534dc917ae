/**
 * Opening a block store: format a blank device, or recover — the newest valid superblock, its checkpoint
 * (checksummed), then journal batches replayed while magic, sequence number and xxh64 hold (the first failure
 * is the torn or stale tail), and the allocator rebuilt as the complement of every referenced page.
 */
import { StorageError } from '@strata/storage';
import type { PageDevice } from '../device/types.ts';
import type { Hash64 } from '../hash.ts';
import { loadHash64 } from '../hash.ts';
import { corrupted } from '../errors.ts';
import { Allocator } from './allocator.ts';
import type { Run } from './allocator.ts';
import type { BlockStoreOptions } from './block-store.ts';
import { readCheckpoint } from './checkpoint.ts';
import { readNextBatch } from './journal.ts';
import { StoreState } from './state.ts';
import { readSuperblock, STORE_VERSION, SUPERBLOCK_PAGES, writeSuperblock } from './superblock.ts';
import type { Superblock } from './superblock.ts';

/** What recovery found. */
export interface RecoveryReport {
  generation: number;
  checkpointObjects: number;
  batchesReplayed: number;
  recordsReplayed: number;
  /** Why replay stopped (normally "no batch header" or a torn tail). */
  journalEnd: string;
  superblockProblems: string[];
}

/** The recovered store, ready to be wrapped. */
export interface Recovered {
  hash: Hash64;
  sb: Superblock;
  state: StoreState;
  alloc: Allocator;
  /** Where the next journal batch goes, ring pages in use since the checkpoint, its sequence number. */
  tail: { pos: number; used: number; seq: number };
  report: RecoveryReport;
}

/** Formats (when blank and allowed) or recovers the store on `device`. */
export async function recover(device: PageDevice, options: BlockStoreOptions): Promise<Recovered> {
  const hash = await loadHash64();
  const found = await readSuperblock(device);
  let sb = found.sb;
  if (!sb) {
    if (!found.blank) throw corrupted(`No valid superblock: ${found.problems.join('; ')}`);
    if (options.create === false || options.readOnly) throw new StorageError('InvalidArgument', 'The device holds no block store (it is blank)');
    sb = await format(device, options);
  }
  if (sb.version !== STORE_VERSION) throw new StorageError('Unsupported', `Block store format version ${sb.version} is not supported`);
  const state = new StoreState();
  let checkpointObjects = 0;
  if (sb.checkpoint) {
    const data = await readCheckpoint(device, sb.checkpoint, hash);
    for (const obj of data.objects) state.apply({ op: 'put', obj });
    for (const upload of data.uploads) state.apply({ op: 'mpStart', upload });
    checkpointObjects = data.objects.length;
  }
  const ring = sb.journalPages;
  let pos = sb.journalStart;
  let seq = sb.journalSeq;
  let used = 0;
  let batches = 0;
  let records = 0;
  let journalEnd = '';
  while (true) {
    const r = await readNextBatch(device, SUPERBLOCK_PAGES, ring, pos, seq, hash);
    if (!('records' in r)) {
      journalEnd = r.reason;
      break;
    }
    if (r.at !== pos) used += ring - pos;
    used += r.pages;
    if (used > ring) throw corrupted('Journal replay ran past the ring');
    for (const rec of r.records) {
      try {
        state.apply(rec);
      } catch (e) {
        throw corrupted(`Journal batch ${seq} does not apply: ${(e as Error).message}`, e);
      }
      records++;
    }
    batches++;
    seq++;
    pos = r.at + r.pages;
    if (pos >= ring) pos = 0;
  }
  const referenced: Run[] = state.referenced().map(([p, n]) => [p, n]);
  for (const r of sb.checkpoint?.runs ?? []) referenced.push([r[0], r[1]]);
  const alloc = Allocator.fromUsed(sb.dataStart, device.pageCount, referenced);
  const report = { generation: sb.generation, checkpointObjects, batchesReplayed: batches, recordsReplayed: records, journalEnd, superblockProblems: found.problems };
  return { hash, sb, state, alloc, tail: { pos, used, seq }, report };
}

/** Writes the first superblock of a blank device: an empty index and an empty journal. */
async function format(device: PageDevice, options: BlockStoreOptions): Promise<Superblock> {
  const journalPages = options.journalPages ?? Math.min(4096, Math.max(8, Math.floor(device.pageCount / 16)));
  const dataStart = SUPERBLOCK_PAGES + journalPages;
  if (dataStart + 8 > device.pageCount) throw new StorageError('InvalidArgument', `A device of ${device.pageCount} pages is too small for a ${journalPages}-page journal`);
  const sb: Superblock = {
    version: STORE_VERSION,
    generation: 1,
    bootGeneration: 0,
    journalPages,
    dataStart,
    journalStart: 0,
    journalSeq: 1,
    checkpoint: null,
    inlineMax: options.inlineMax ?? Math.floor(device.pageSize / 4),
  };
  await writeSuperblock(device, sb);
  return sb;
}
