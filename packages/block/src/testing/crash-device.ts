/**
 * A crash-simulating medium (and device on it). It keeps the durable image plus the writes issued since the
 * last sync, counts every write and sync as a crash point, and at crash point N loses power: the pending
 * writes suffer the chosen fault, the result becomes the surviving image, and every further call throws.
 * The faults are what real disks do to unflushed data (see "All File Systems Are Not Created Equal",
 * OSDI '14, and SQLite's crash tests, which this follows):
 *  - `drop`: every unflushed write is lost;
 *  - `subset`: each unflushed write independently survives or not;
 *  - `reorder`: the writes reach the medium in a random order and power fails part-way;
 *  - `torn`: the writes land in order until one is torn — a random subset of its 512-byte sectors lands.
 * Faults work on raw bytes below the page device's checksums, so a torn page really is half old, half new.
 */
import { createMemoryMedium } from '../device/memory-medium.ts';
import { openPageDevice } from '../device/page-device.ts';
import type { PageDevice, PageMedium } from '../device/types.ts';
import { createRandom } from './prng.ts';
import type { Random } from './prng.ts';

/** The ways unflushed writes are damaged at the crash. */
export const FAULT_MODES = ['drop', 'subset', 'reorder', 'torn'] as const;
/** One fault mode. */
export type FaultMode = (typeof FAULT_MODES)[number];

/** The sector size: the unit a write can tear at. */
export const SECTOR = 512;

/** Options of {@link createCrashMedium}. */
export interface CrashOptions {
  /** The durable image at the start (a formatted device's bytes). */
  image: Uint8Array;
  /** Crash at this write/sync (1-based). @default Infinity (never) */
  crashAt?: number;
  /** @default 'drop' */
  mode?: FaultMode;
  /** Seeds the fault's random choices. @default 1 */
  seed?: number;
}

/** The error every call throws once the simulated power is gone. */
export class CrashError extends Error {
  constructor() {
    super('simulated crash: the device lost power');
    this.name = 'CrashError';
  }
}

/** A medium that can crash. */
export interface CrashMedium extends PageMedium {
  /** Writes and syncs seen so far (crash points passed). */
  readonly points: number;
  readonly crashed: boolean;
  /** The bytes that survived the crash (or the durable image if it has not crashed). */
  survivor(): Buffer;
}

function apply(image: Buffer, offset: number, data: Uint8Array): void {
  if (offset >= image.length) return;
  image.set(data.subarray(0, Math.max(0, Math.min(data.length, image.length - offset))), offset);
}

function damage(durable: Buffer, pending: { offset: number; data: Buffer }[], mode: FaultMode, rnd: Random): Buffer {
  // Writes past the durable end (into a device grown since the last sync) may land too: the image extends.
  const end = pending.reduce((m, w) => Math.max(m, w.offset + w.data.length), durable.length);
  const out = Buffer.alloc(end);
  durable.copy(out);
  const n = pending.length;
  if (mode === 'drop' || n === 0) return out;
  if (mode === 'subset') {
    for (const w of pending) if (rnd.next() < 0.5) apply(out, w.offset, w.data);
  } else if (mode === 'reorder') {
    const order = pending.map((_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rnd.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const landed = rnd.int(n + 1);
    for (let i = 0; i < landed; i++) {
      const w = pending[order[i]!]!;
      apply(out, w.offset, w.data);
    }
  } else {
    const k = rnd.int(n);
    for (let i = 0; i < k; i++) apply(out, pending[i]!.offset, pending[i]!.data);
    const w = pending[k]!;
    // Sectors are aligned to the medium, not to the write.
    for (let s = Math.floor(w.offset / SECTOR) * SECTOR; s < w.offset + w.data.length; s += SECTOR) {
      if (rnd.next() < 0.5) continue;
      const from = Math.max(s, w.offset);
      const to = Math.min(s + SECTOR, w.offset + w.data.length);
      apply(out, from, w.data.subarray(from - w.offset, to - w.offset));
    }
  }
  return out;
}

/** Creates a crash-simulating medium over a copy of `options.image`. */
export function createCrashMedium(options: CrashOptions): CrashMedium {
  let durable = Buffer.from(options.image);
  const current = createMemoryMedium(options.image);
  let pending: { offset: number; data: Buffer }[] = [];
  const crashAt = options.crashAt ?? Infinity;
  const mode = options.mode ?? 'drop';
  const rnd = createRandom(options.seed ?? 1);
  let points = 0;
  let dead = false;
  let survivor: Buffer | undefined;

  const crash = (): never => {
    survivor = damage(durable, pending, mode, rnd);
    dead = true;
    pending = [];
    throw new CrashError();
  };
  const alive = () => {
    if (dead) throw new CrashError();
  };

  return {
    get points() {
      return points;
    },
    get crashed() {
      return dead;
    },
    survivor: () => Buffer.from(survivor ?? durable),
    size: () => current.size(),
    async read(offset, target) {
      alive();
      await current.read(offset, target);
    },
    async write(offset, data) {
      alive();
      points++;
      pending.push({ offset, data: Buffer.from(data) });
      await current.write(offset, data);
      if (points === crashAt) crash();
    },
    async sync() {
      alive();
      points++;
      if (points === crashAt) crash();
      for (const w of pending) {
        if (w.offset + w.data.length > durable.length) {
          const bigger = Buffer.alloc(w.offset + w.data.length);
          durable.copy(bigger);
          durable = bigger;
        }
        apply(durable, w.offset, w.data);
      }
      pending = [];
    },
    async resize(bytes) {
      alive();
      await current.resize(bytes);
    },
    async close() {
      await current.close();
    },
  };
}

/** A page device on a crash-simulating medium (the image must hold a formatted device). */
export async function createCrashDevice(options: CrashOptions): Promise<{ device: PageDevice; medium: CrashMedium }> {
  const medium = createCrashMedium(options);
  return { device: await openPageDevice(medium), medium };
}
