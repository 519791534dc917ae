/**
 * The crash-safe key store on a page device.
 *
 * Layout: pages 0–1 superblocks · a journal ring · the data area (object extents and checkpoints).
 *
 * Write path (copy-on-write, then a write-ahead record — the order SQLite's WAL and LMDB rely on):
 *   1. object bytes go to freshly allocated pages (never over live data);
 *   2. at the commit point — one async loop, so conditions are checked single-threaded and atomically — the
 *      device is flushed (every queued put's data is now durable), the records of every queued operation
 *      are written as ONE journal batch and flushed again (group commit: N concurrent puts, 2 flushes — or 1
 *      when the batch has no data pages: small objects are staged inside their records, see `spill.ts`);
 *   3. only then is the index changed and the caller acknowledged; pages the records freed go back to the
 *      allocator only now (and once no reader still streams them).
 * Checkpoints write the index to fresh pages and publish it by a superblock flip; the journal restarts there.
 * Recovery: newest valid superblock → its checkpoint → replay batches with valid checksums and consecutive
 * sequence numbers → rebuild the allocator as the complement of what is referenced → checkpoint.
 */
import { StorageError } from '@strata/storage';
import type { PageDevice } from '../device/types.ts';
import type { Hash64 } from '../hash.ts';
import { toStorageError } from '../errors.ts';
import type { Allocator, Run } from './allocator.ts';
import { writeCheckpoint } from './checkpoint.ts';
import { BATCH_OVERHEAD, encodeBatchJson, serializeRecord } from './journal.ts';
import type { SerializedRecord } from './journal.ts';
import type { Extent, IndexView, JournalRecord } from './records.ts';
import { recover } from './recovery.ts';
import type { RecoveryReport } from './recovery.ts';
import { BatchOverlay } from './state.ts';
import type { StoreState } from './state.ts';
import { DeviceGrowth } from './growth.ts';
import { defaultJournalInlineMax, isStaged, SpillAhead, spillStaged } from './spill.ts';
import { encodeSuperblock, SUPERBLOCK_PAGES, writeSuperblock } from './superblock.ts';
import type { Superblock } from './superblock.ts';

export type { RecoveryReport } from './recovery.ts';

/** Options of {@link BlockStore.open}. */
export interface BlockStoreOptions {
  /** Format a blank device. @default true */
  create?: boolean;
  /** Journal ring pages when formatting. @default pageCount/16, clamped to 8..4096 */
  journalPages?: number;
  /** Objects up to this size live inside their journal record (and the checkpoint) for good. @default pageSize / 4 */
  inlineMax?: number;
  /**
   * Objects up to this size are committed inside their journal record — one flush per commit instead of two —
   * and moved to data pages at the next checkpoint (see `spill.ts`). At most an eighth of the journal ring.
   * @default 4 × pageSize, at most journal bytes / 8
   */
  journalInlineMax?: number;
  /**
   * The device grows (`PageDevice.grow`) when it runs out of free pages, up to this many pages; then writes fail
   * `NoSpace`. Set it to the device's size to never grow.
   * @default unlimited (an image file grows until its filesystem is full)
   */
  maxPages?: number;
  /** Open without writing anything (fsck, info): no recovery checkpoint, no commits. @default false */
  readOnly?: boolean;
  /**
   * TEST ONLY — the negative control of the crash harness: commit journal records without first flushing the
   * data pages they reference, so a crash can leave a record pointing at pages that never reached the medium.
   * @default false
   */
  unsafeCommitBeforeDataFlush?: boolean;
}

/** One operation waiting at the commit point. */
export interface Prepared<T> {
  /** The change to make durable; omit for an operation that changes nothing (deleting an absent key). */
  record?: JournalRecord;
  result: T;
}

interface Pending {
  prepare: (view: IndexView) => Prepared<unknown>;
  /** Runs alone at the commit point instead of joining a batch (checkpoints). */
  exclusive?: () => Promise<void>;
  hasData: boolean;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

const MAX_BATCH = 512;

/** The key store. Create with {@link BlockStore.open}. */
export class BlockStore {
  readonly device: PageDevice;
  readonly hash: Hash64;
  readonly state: StoreState;
  readonly alloc: Allocator;
  readonly recovery: RecoveryReport;
  readonly readOnly: boolean;
  readonly inlineMax: number;
  /** Objects up to this size are staged in their journal record until the next checkpoint. */
  readonly journalInlineMax: number;
  #sb: Superblock;
  #ringPos: number;
  #ringUsed: number;
  #seq: number;
  #tagCounter = 0;
  #queue: Pending[] = [];
  #running: Promise<void> | undefined;
  #broken: StorageError | undefined;
  #closed = false;
  readonly #unsafe: boolean;
  readonly #growth: DeviceGrowth;
  readonly #ahead: SpillAhead;
  // Readers pin the epoch they started in; pages freed at epoch e wait until no reader of epoch ≤ e remains.
  #epoch = 0;
  readonly #readers = new Map<number, number>();
  readonly #limbo: { epoch: number; extents: Extent[] }[] = [];

  private constructor(device: PageDevice, hash: Hash64, sb: Superblock, state: StoreState, alloc: Allocator, replay: { pos: number; used: number; seq: number }, recovery: RecoveryReport, options: BlockStoreOptions) {
    this.device = device;
    this.hash = hash;
    this.#sb = sb;
    this.state = state;
    this.alloc = alloc;
    this.#ringPos = replay.pos;
    this.#ringUsed = replay.used;
    this.#seq = replay.seq;
    this.recovery = recovery;
    this.readOnly = options.readOnly ?? false;
    this.inlineMax = options.inlineMax ?? sb.inlineMax;
    const ringCap = Math.floor((sb.journalPages * device.pageSize) / 8);
    this.journalInlineMax = Math.max(this.inlineMax, Math.min(options.journalInlineMax ?? defaultJournalInlineMax(device.pageSize, sb.journalPages), ringCap));
    this.#unsafe = options.unsafeCommitBeforeDataFlush ?? false;
    this.#growth = new DeviceGrowth(device, alloc, options.maxPages ?? Number.MAX_SAFE_INTEGER);
    this.#ahead = new SpillAhead(device, alloc, () => this.nextTag());
  }

  /** The current superblock (a copy). */
  get superblock(): Superblock {
    return structuredClone(this.#sb);
  }

  /**
   * The largest object a put may stage in its record right now: `journalInlineMax` while the index is small,
   * else `inlineMax`. Staged bytes fill the journal, and each time it is half full a checkpoint rewrites the
   * whole index; once the last checkpoint exceeds a quarter of the ring that rewrite would cost more than the
   * flush staging saves, so large stores go back to data pages + two flushes (metadata-only records).
   */
  get stagingMax(): number {
    const ringBytes = this.#sb.journalPages * this.device.pageSize;
    return (this.#sb.checkpoint?.bytes ?? 0) <= ringBytes / 4 ? this.journalInlineMax : this.inlineMax;
  }

  /** Journal ring pages in use since the last checkpoint. */
  get journalUsed(): number {
    return this.#ringUsed;
  }

  /** Opens the store on `device`: formats a blank device, else recovers. */
  static async open(device: PageDevice, options: BlockStoreOptions = {}): Promise<BlockStore> {
    const r = await recover(device, options);
    const store = new BlockStore(device, r.hash, r.sb, r.state, r.alloc, r.tail, r.report, options);
    // A checkpoint at every open: it starts a new boot generation (fresh page tags) and a clean journal.
    if (!store.readOnly) await store.#checkpoint(r.sb.bootGeneration + 1);
    return store;
  }

  /** A device tag never used before on this device (boot generation in the high bits). */
  nextTag(): number {
    return this.#sb.bootGeneration * 2 ** 32 + ++this.#tagCounter;
  }

  /** Throws if the store cannot take writes. */
  assertWritable(op: string): void {
    if (this.#closed) throw new StorageError('Unavailable', 'The block store is closed', { op, retryable: false });
    if (this.#broken) throw this.#broken;
    if (this.readOnly) throw new StorageError('PermissionDenied', 'The block store is open read-only', { op });
  }

  /**
   * Allocates up to `max` contiguous data pages. When none are free the device grows (see `growth.ts`); at
   * `maxPages` it throws `NoSpace`.
   */
  async allocate(max: number): Promise<Run> {
    for (;;) {
      const run = this.alloc.allocate(max);
      if (run) return run;
      if (!(await this.ensureFree(max))) {
        throw new StorageError('NoSpace', `The device has no free pages (${this.device.pageCount} pages of ${this.device.pageSize} bytes, at most ${this.#growth.maxPages})`);
      }
    }
  }

  /** Grows the device when needed and allowed so at least `pages` pages are free; false at `maxPages`. */
  ensureFree(pages: number): Promise<boolean> {
    return this.#growth.ensureFree(pages);
  }

  /** Frees pages that no durable record references (a failed or aborted write). */
  freeUnreferenced(extents: readonly Extent[]): void {
    this.alloc.freeExtents(extents);
  }

  /**
   * Queues an operation for the commit point. `prepare` runs there, single-threaded, against the index plus
   * the earlier operations of the same batch; it throws to refuse (a failed condition) or returns the record.
   * Resolves once the record is durable and applied.
   */
  commit<T>(prepare: (view: IndexView) => Prepared<T>, hasData: boolean): Promise<T> {
    this.assertWritable('commit');
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ prepare, hasData, resolve: resolve as (v: unknown) => void, reject });
      this.#running ??= this.#run();
    });
  }

  async #run(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const head = this.#queue[0]!;
        if (head.exclusive) {
          this.#queue.shift();
          try {
            if (this.#broken) throw this.#broken;
            await head.exclusive();
            head.resolve(undefined);
          } catch (e) {
            head.reject(this.#fail(e));
          }
          continue;
        }
        let n = 1;
        while (n < this.#queue.length && n < MAX_BATCH && !this.#queue[n]!.exclusive) n++;
        await this.#commitBatch(this.#queue.splice(0, n));
      }
    } finally {
      this.#running = undefined;
    }
  }

  #fail(e: unknown): StorageError {
    // Running out of pages before anything was published leaves the store consistent: not fatal.
    if (e instanceof StorageError && e.code === 'NoSpace') return e;
    // Like PostgreSQL after a failed fsync: the in-memory state can no longer be trusted to match the medium.
    this.#broken ??= new StorageError('Unavailable', `The block store failed a device write and must be reopened: ${(e as Error).message}`, { cause: e, retryable: false });
    return this.#broken;
  }

  async #commitBatch(batch: Pending[]): Promise<void> {
    if (this.#broken) return batch.forEach((p) => p.reject(this.#broken));
    try {
      if (!this.#unsafe && batch.some((p) => p.hasData)) await this.device.flush();
    } catch (e) {
      const err = this.#fail(e);
      return batch.forEach((p) => p.reject(err));
    }
    const overlay = new BatchOverlay(this.state);
    const records: JournalRecord[] = [];
    const accepted: { p: Pending; result: unknown }[] = [];
    for (const p of batch) {
      try {
        const prepared = p.prepare(overlay);
        if (prepared.record) {
          overlay.note(prepared.record);
          records.push(prepared.record);
          accepted.push({ p, result: prepared.result });
        } else p.resolve(prepared.result);
      } catch (e) {
        p.reject(toStorageError(e));
      }
    }
    if (records.length === 0) return;
    try {
      // One journal batch, unless the records outgrow half the ring (many staged objects): then several
      // consecutive batches. Each record lies whole in one batch, so every operation stays all-or-nothing.
      const limit = (this.#sb.journalPages * this.device.pageSize) / 2 - BATCH_OVERHEAD;
      let chunk: SerializedRecord[] = [];
      let bytes = 0;
      for (const rec of records) {
        const serialized = serializeRecord(rec);
        const n = serialized.bytes + 1;
        if (chunk.length > 0 && bytes + n > limit) {
          await this.#appendBatch(chunk);
          chunk = [];
          bytes = 0;
        }
        chunk.push(serialized);
        bytes += n;
      }
      await this.#appendBatch(chunk);
    } catch (e) {
      const err = this.#fail(e);
      return accepted.forEach(({ p }) => p.reject(err));
    }
    for (const rec of records) {
      // An object spilled ahead but replaced before the checkpoint gives its pages back.
      const key = rec.op === 'put' || rec.op === 'mpDone' ? rec.obj.key : rec.op === 'del' ? rec.key : undefined;
      const old = key === undefined ? undefined : this.state.object(key);
      if (old) this.#ahead.drop(old);
      this.#retire(this.state.apply(rec));
      if ((rec.op === 'put' || rec.op === 'mpDone') && isStaged(rec.obj, this.inlineMax)) this.#ahead.start(rec.obj);
    }
    for (const { p, result } of accepted) p.resolve(result);
    if (this.#ringUsed * 2 > this.#sb.journalPages) {
      try {
        await this.#checkpoint();
      } catch (e) {
        this.#fail(e);
      }
    }
  }

  async #appendBatch(records: readonly SerializedRecord[]): Promise<void> {
    const ps = this.device.pageSize;
    const ring = this.#sb.journalPages;
    const buf = encodeBatchJson(this.#seq, records, ps, this.hash);
    const pages = buf.length / ps;
    if (pages > ring) throw new StorageError('NoSpace', `A journal batch of ${pages} pages exceeds the ${ring}-page journal`);
    const place = () => (this.#ringPos + pages > ring ? { at: 0, waste: ring - this.#ringPos } : { at: this.#ringPos, waste: 0 });
    let { at, waste } = place();
    if (this.#ringUsed + waste + pages > ring) {
      await this.#checkpoint();
      ({ at, waste } = place());
    }
    await this.device.write(SUPERBLOCK_PAGES + at, buf, this.#seq);
    await this.device.flush();
    this.#ringUsed += waste + pages;
    this.#ringPos = at + pages >= ring ? 0 : at + pages;
    this.#seq++;
  }

  /** Writes the index to fresh pages and flips the superblock to it; the journal restarts at the current position. */
  async #checkpoint(bootGeneration = this.#sb.bootGeneration): Promise<void> {
    const previous = this.#sb;
    const next: Superblock = { ...previous, generation: previous.generation + 1, bootGeneration, journalStart: this.#ringPos, journalSeq: this.#seq };
    if (bootGeneration !== previous.bootGeneration) this.#tagCounter = 0;
    const tag = bootGeneration * 2 ** 32 + ++this.#tagCounter;
    // Staged objects move to data pages now: the journal records holding them are dropped by this flip.
    const spill = await spillStaged(this.device, this.alloc, this.state, this.inlineMax, bootGeneration * 2 ** 32 + ++this.#tagCounter, (n) => this.ensureFree(n), this.#ahead);
    let ref;
    try {
      ref = await writeCheckpoint(this.device, this.alloc, this.state, tag, this.hash, spill?.objects, (n) => this.ensureFree(n));
      try {
        encodeSuperblock({ ...next, checkpoint: ref }, this.device.pageSize);
      } catch (e) {
        for (const r of ref.runs) this.alloc.free(r[0], r[1]);
        throw e;
      }
    } catch (e) {
      // Not published: these pages were never referenced durably, so they are free again at once.
      for (const r of spill?.runs ?? []) this.alloc.free(r[0], r[1]);
      throw e;
    }
    next.checkpoint = ref;
    // One flush makes the spilled objects and the checkpoint durable before the superblock names them.
    await this.device.flush();
    await writeSuperblock(this.device, next);
    this.#sb = next;
    this.#ringUsed = 0;
    // The index now takes the spilled versions (same bytes, now in pages: their extents gain a reference).
    for (const obj of spill?.objects.values() ?? []) this.state.apply({ op: 'put', obj });
    for (const r of previous.checkpoint?.runs ?? []) this.alloc.free(r[0], r[1]);
  }

  /** Forces a checkpoint (waits for queued commits first). */
  async checkpoint(): Promise<void> {
    this.assertWritable('checkpoint');
    await new Promise<void>((resolve, reject) => {
      this.#queue.push({ prepare: () => ({ result: undefined }), exclusive: () => this.#checkpoint(), hasData: false, resolve: () => resolve(), reject });
      this.#running ??= this.#run();
    });
  }

  #retire(freed: Extent[]): void {
    if (freed.length === 0) return;
    if (this.#readers.size === 0) this.alloc.freeExtents(freed);
    else this.#limbo.push({ epoch: this.#epoch, extents: freed });
    this.#epoch++;
  }

  /** Pins the pages of the current index for a reader; call the returned function when done. */
  pin(): () => void {
    const e = this.#epoch;
    this.#readers.set(e, (this.#readers.get(e) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const c = (this.#readers.get(e) ?? 1) - 1;
      if (c > 0) this.#readers.set(e, c);
      else this.#readers.delete(e);
      const min = this.#readers.size > 0 ? Math.min(...this.#readers.keys()) : Infinity;
      while (this.#limbo.length > 0 && this.#limbo[0]!.epoch < min) this.alloc.freeExtents(this.#limbo.shift()!.extents);
    };
  }

  /** Pages written ahead for staged objects, referenced from the next checkpoint on (see `SpillAhead`). */
  get aheadPages(): number {
    return this.#ahead.pages;
  }

  /** Pages waiting for readers before they can be reused. */
  get limboPages(): number {
    return this.#limbo.reduce((n, l) => n + l.extents.reduce((m, e) => m + e[1], 0), 0);
  }

  /** Waits for queued commits, then closes the device. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#running?.catch(() => undefined);
    this.#closed = true;
    await this.#ahead.settle();
    await this.device.close();
  }
}
