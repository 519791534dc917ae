/**
 * The image lock: one process may open an image file for writing at a time. Two writers would each keep their
 * own allocator and journal position in memory and overwrite each other's pages, so the second one must get a
 * clear error instead.
 *
 * It is the shared process lock of `@strata/storage` (`acquireProcessLock`) on `<image>.lock`: the record
 * names the holder by pid, start time, boot id and pid namespace, and the holder listens on a probe socket
 * `<image>.lock.<nonce>.sock` beside it, so a lock whose holder is gone (SIGKILL, power loss, a reboot, the
 * previous incarnation of a container whose server had the same pid) is taken over at open, while a live holder
 * — another process, another container on the same volume, or this process — is refused.
 */
import { acquireProcessLock } from '@strata/storage';

/** The lock file of an image. */
export function lockPathOf(imagePath: string): string {
  return `${imagePath}.lock`;
}

/**
 * Takes the lock of `imagePath`; resolves to its release. A live holder (another process, or this one) fails
 * with `Unavailable` naming its pid; a dead holder's lock is taken over.
 */
export async function acquireImageLock(imagePath: string): Promise<() => Promise<void>> {
  const lock = await acquireProcessLock(lockPathOf(imagePath), { resource: `The block image ${imagePath}` });
  return () => lock.release();
}
