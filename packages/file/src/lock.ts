/**
 * Locks: the root lock (one process owns a root; a second gets a clear error), and the in-process per-key
 * mutex that makes conditional puts atomic. Since one process owns the root, an in-process mutex suffices
 * for compare-and-swap semantics against every writer of that root.
 */
import { readFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from '@strata/storage';
import { LOCK_FILE } from './key-mapping.ts';
import { errnoOf } from './to-storage-error.ts';

interface LockRecord {
  pid: number;
  boot?: string;
  since?: number;
}

const bootId = (() => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
})();

/** True when `pid` names a live process (EPERM: alive but not ours). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoOf(e) === 'EPERM';
  }
}

function isStale(rec: LockRecord | undefined): boolean {
  if (!rec || !Number.isInteger(rec.pid) || rec.pid <= 0) return true;
  // A lock written before the last reboot is stale even if its pid was reused since.
  if (rec.boot && bootId && rec.boot !== bootId) return true;
  if (rec.pid === process.pid) return false;
  return !alive(rec.pid);
}

async function readRecord(path: string): Promise<LockRecord | undefined> {
  try {
    return JSON.parse(await fsp.readFile(path, 'utf8')) as LockRecord;
  } catch {
    return undefined;
  }
}

/**
 * Takes `<root>/.strata-lock` with O_EXCL, writing our pid and boot id. A lock whose process is gone is taken
 * over (after a crash or SIGKILL); a live one fails with `Unavailable` naming the holder's pid.
 */
export async function acquireRootLock(root: string): Promise<() => Promise<void>> {
  const path = join(root, LOCK_FILE);
  const record = JSON.stringify({ pid: process.pid, boot: bootId, since: Date.now() } satisfies LockRecord);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await fsp.writeFile(path, record, { flag: 'wx' });
      return async () => {
        const current = await readRecord(path);
        if (current?.pid === process.pid) await fsp.rm(path, { force: true });
      };
    } catch (e) {
      if (errnoOf(e) !== 'EEXIST') throw e;
    }
    const holder = await readRecord(path);
    if (!isStale(holder)) {
      throw new StorageError('Unavailable', `The file storage root ${root} is locked by process ${holder?.pid} (${path})`, {
        retryable: false,
      });
    }
    // Take the stale lock aside atomically: of two processes racing here only one rename succeeds, and the
    // loser retries and then sees the winner's live lock.
    const aside = `${path}.stale-${process.pid}-${attempt}`;
    try {
      await fsp.rename(path, aside);
      const moved = await readRecord(aside);
      if (moved && holder && moved.pid !== holder.pid) {
        // We moved someone else's fresh lock: put it back unless a newer one appeared.
        await fsp.link(aside, path).catch(() => undefined);
      }
      await fsp.rm(aside, { force: true });
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') throw e;
    }
  }
  throw new StorageError('Unavailable', `Could not take the lock ${path}`, { retryable: true });
}

/** An in-process mutex per name: tasks on one name run one after another, in arrival order. */
export class KeyMutex {
  #tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier task on `name` has settled. */
  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(name);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.#tails.set(name, mine);
    try {
      if (previous) await previous;
      return await fn();
    } finally {
      release();
      if (this.#tails.get(name) === mine) this.#tails.delete(name);
    }
  }

  /** True when a task on `name` is running or queued. */
  busy(name: string): boolean {
    return this.#tails.has(name);
  }

  /** Resolves once every task currently queued on `name` has settled. */
  async idle(name: string): Promise<void> {
    await this.#tails.get(name);
  }
}

/** A counting semaphore bounding open descriptors (EMFILE must never escape). */
export class Semaphore {
  #free: number;
  #waiters: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#free++;
  }

  async with<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
