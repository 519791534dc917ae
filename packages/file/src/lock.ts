/**
 * Locks: the root lock (one process owns a root; a second gets a clear error), and the in-process per-key
 * mutex that makes conditional puts atomic. Since one process owns the root, an in-process mutex suffices
 * for compare-and-swap semantics against every writer of that root.
 *
 * The root lock is the shared process lock of `@strata/storage` (`acquireProcessLock`): `<root>/.strata-lock`
 * names the holder by pid, start time, boot id and pid namespace, and the holder listens on a probe socket
 * `<root>/.strata-lock.<nonce>.sock` beside it. Both names begin with the reserved `.strata` prefix, so no
 * listing ever shows them.
 */
import { join } from 'node:path';
import { acquireProcessLock } from '@strata/storage';
import { LOCK_FILE } from './key-mapping.ts';

/**
 * Takes `<root>/.strata-lock`; resolves to its release. A lock whose holder is gone (a crash, SIGKILL, the
 * previous incarnation of a container whose server had the same pid) is taken over; a live holder fails with
 * `Unavailable` naming its pid.
 */
export async function acquireRootLock(root: string): Promise<() => Promise<void>> {
  const lock = await acquireProcessLock(join(root, LOCK_FILE), { resource: `The file storage root ${root}` });
  return () => lock.release();
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
