/**
 * The image lock: one process may open an image file for writing at a time. Two writers would each keep their
 * own allocator and journal position in memory and overwrite each other's pages, so the second one must get a
 * clear error instead. Node has no `fcntl`/`flock`, so the lock is a file beside the image, `<image>.lock`,
 * created with O_EXCL (`wx`: atomic on local filesystems, open(2)) holding the holder's pid and boot id — the
 * same scheme as the file adapter's root lock and PostgreSQL's `postmaster.pid`.
 *
 * A lock whose process is gone (SIGKILL, power loss, a reboot) is stale and taken over at open: the stale file
 * is renamed aside atomically, so of two processes racing for it only one wins and the other then sees the
 * winner's live lock. The same process opening the image twice is refused too (its pid is alive).
 */
import { readFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { StorageError } from '@strata/storage';
import { toStorageError } from '../errors.ts';

/** What the lock file holds. */
interface LockRecord {
  pid: number;
  /** `/proc/sys/kernel/random/boot_id` when known: a lock from before a reboot is stale whatever its pid. */
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

const errno = (e: unknown) => (e as { code?: unknown } | undefined)?.code;

/** True when `pid` names a live process (EPERM: alive, but another user's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errno(e) === 'EPERM';
  }
}

function isStale(rec: LockRecord | undefined): boolean {
  if (!rec || !Number.isInteger(rec.pid) || rec.pid <= 0) return true;
  if (rec.boot && bootId && rec.boot !== bootId) return true;
  return !alive(rec.pid);
}

async function readRecord(path: string): Promise<LockRecord | undefined> {
  try {
    return JSON.parse(await fsp.readFile(path, 'utf8')) as LockRecord;
  } catch {
    return undefined;
  }
}

/** The lock file of an image. */
export function lockPathOf(imagePath: string): string {
  return `${imagePath}.lock`;
}

/**
 * Takes the lock of `imagePath`; resolves to its release. A live holder (another process, or this one) fails
 * with `Unavailable` naming its pid; a dead holder's lock is taken over.
 */
export async function acquireImageLock(imagePath: string): Promise<() => Promise<void>> {
  const path = lockPathOf(imagePath);
  const record = JSON.stringify({ pid: process.pid, boot: bootId, since: Date.now() } satisfies LockRecord);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await fsp.writeFile(path, record, { flag: 'wx' });
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        const current = await readRecord(path);
        if (current?.pid === process.pid) await fsp.rm(path, { force: true });
      };
    } catch (e) {
      if (errno(e) !== 'EEXIST') throw toStorageError(e, 'lock');
    }
    const holder = await readRecord(path);
    if (holder === undefined && attempt === 0) {
      // The holder may be between creating the file and writing its pid: look again before calling it stale.
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    if (!isStale(holder)) {
      const who = holder?.pid === process.pid ? 'this process' : `process ${holder?.pid}`;
      throw new StorageError('Unavailable', `The block image ${imagePath} is already open for writing by ${who} (lock ${path})`, { retryable: false });
    }
    const aside = `${path}.stale-${process.pid}-${attempt}`;
    try {
      await fsp.rename(path, aside);
      const moved = await readRecord(aside);
      // We moved someone else's fresh lock (they took over between our read and rename): put it back.
      if (moved && !isStale(moved)) await fsp.link(aside, path).catch(() => undefined);
      await fsp.rm(aside, { force: true });
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw toStorageError(e, 'lock');
    }
  }
  throw new StorageError('Unavailable', `Could not take the image lock ${path}`, { retryable: true });
}
