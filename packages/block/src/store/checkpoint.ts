/**
 * Checkpoints: the whole index (objects in key order, uploads) serialized to fresh pages, then published by a
 * superblock flip. Until the flip is durable the previous checkpoint and the journal since it stay intact,
 * so a crash at any point recovers one or the other (copy-on-write, as LMDB's and littlefs' roots).
 */
import type { PageDevice } from '../device/types.ts';
import type { Hash64 } from '../hash.ts';
import { corrupted } from '../errors.ts';
import type { Allocator, Run } from './allocator.ts';
import type { StoredObject, StoredUpload } from './records.ts';
import type { CheckpointRef } from './superblock.ts';
import type { StoreState } from './state.ts';
import { StorageError } from '@strata/storage';

/** The serialized form of the state. */
export interface CheckpointData {
  objects: StoredObject[];
  uploads: StoredUpload[];
}

/**
 * Writes the state to freshly allocated pages (not yet flushed) and returns where it is. `replace` holds new
 * versions of some objects (staged objects spilled to pages) to write instead of the state's.
 */
export async function writeCheckpoint(
  device: PageDevice,
  alloc: Allocator,
  state: StoreState,
  tag: number,
  hash: Hash64,
  replace?: ReadonlyMap<string, StoredObject>,
  ensureFree: (pages: number) => Promise<boolean> = async (n) => alloc.freePages >= n,
): Promise<CheckpointRef> {
  const data: CheckpointData = {
    objects: state.objects.keys().map((k) => replace?.get(k) ?? state.objects.get(k)!),
    uploads: [...state.uploads.values()],
  };
  const bytes = Buffer.from(JSON.stringify(data), 'utf8');
  const ps = device.pageSize;
  const pages = Math.ceil(bytes.length / ps);
  const padded = Buffer.alloc(pages * ps);
  bytes.copy(padded);
  const runs: Run[] = [];
  let done = 0;
  // Make room first (the device may grow); a failure here leaves nothing to undo.
  await ensureFree(pages);
  try {
    while (done < pages) {
      const run = alloc.allocate(pages - done);
      if (!run) throw new StorageError('NoSpace', 'No free pages for a checkpoint');
      runs.push(run);
      await device.write(run[0], padded.subarray(done * ps, (done + run[1]) * ps), tag);
      done += run[1];
    }
  } catch (e) {
    for (const r of runs) alloc.free(r[0], r[1]);
    throw e;
  }
  return { runs, bytes: bytes.length, hash: hash(bytes).toString(16), tag };
}

/** Reads and verifies a checkpoint. */
export async function readCheckpoint(device: PageDevice, ref: CheckpointRef, hash: Hash64): Promise<CheckpointData> {
  const parts: Buffer[] = [];
  for (const [page, n] of ref.runs) parts.push(await device.read(page, n, { expectTag: ref.tag }));
  const bytes = Buffer.concat(parts).subarray(0, ref.bytes);
  if (hash(bytes).toString(16) !== ref.hash) throw corrupted('Checkpoint checksum mismatch');
  return JSON.parse(bytes.toString('utf8')) as CheckpointData;
}
