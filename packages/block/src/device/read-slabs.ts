/**
 * Buffers for the page device's reads that return new memory (`read(p)` without `into`): carved from 1 MiB
 * slabs, as Node's own Buffer pool does for small buffers, because a fresh `ArrayBuffer` per 4 KiB read costs
 * more than the pread itself. A carved buffer shares its slab with its neighbours (as pooled Buffers do); the
 * slab is garbage once every buffer carved from it is.
 */

const SLAB_BYTES = 1 << 20;
/** Reads of more than this many bytes get a buffer of their own: a quarter slab wastes at most that much. */
export const CARVED_MAX_BYTES = SLAB_BYTES / 4;

/** A source of read buffers of up to {@link CARVED_MAX_BYTES}, 8-byte aligned. */
export class ReadSlabs {
  #slab = Buffer.allocUnsafe(0);
  #used = 0;

  /** A buffer of `bytes` (≤ {@link CARVED_MAX_BYTES}); its contents are whatever the slab held. */
  carve(bytes: number): Buffer {
    if (this.#used + bytes > this.#slab.length) {
      this.#slab = Buffer.allocUnsafe(SLAB_BYTES);
      this.#used = 0;
    }
    const at = this.#used;
    // Keep buffers 8-byte aligned.
    this.#used += (bytes + 7) & ~7;
    return this.#slab.subarray(at, at + bytes);
  }
}
