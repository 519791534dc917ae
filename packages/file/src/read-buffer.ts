/**
 * The buffers of a read's first `read`: a small object's bytes (after the header of an old-format one)
 * arrive in one of these. They are pooled because the first read must be large (an object of up to 64 KiB comes in one
 * round trip) while what it returns is usually small: a fresh 64 KiB allocation per GET would cost more than
 * the read, and in the object server it showed up as GC pressure (external memory of every GET).
 *
 * Ownership: a buffer is taken for one read and given back once that read has completed (the kernel writes
 * into it from a thread-pool thread until the callback runs) and whatever the caller keeps has been copied
 * out. A pooled buffer is never handed to a caller, so no caller ever sees its bytes change later.
 */

/** Bytes of the first read: 64 KiB of object after an old-format header of up to 4 KiB (68 KiB of a plain file). */
export const FIRST_READ_BYTES = 64 * 1024 + 4096;
/** Buffers kept for reuse (about 1.1 MiB); more concurrent reads allocate, and the extra ones are dropped. */
const POOL_MAX = 16;

const pool: Buffer[] = [];

/** A buffer of {@link FIRST_READ_BYTES} bytes, exclusively the caller's until {@link giveReadBuffer}. */
export function takeReadBuffer(): Buffer {
  // allocUnsafeSlow: its own ArrayBuffer (not a slice of Node's shared pool), so keeping it retains nothing else.
  return pool.pop() ?? Buffer.allocUnsafeSlow(FIRST_READ_BYTES);
}

/** Returns a buffer from {@link takeReadBuffer}; no read into it may be in flight, and no view of it kept. */
export function giveReadBuffer(buffer: Buffer): void {
  if (pool.length < POOL_MAX) pool.push(buffer);
}
