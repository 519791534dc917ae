/**
 * Memory for the guard pages held by `guard-table.ts`: page-sized slots carved from 256 KiB slabs, each slab
 * seen through one `DataView`.
 *
 * Why slabs: a random 4 KiB operation touches one guard page among many (128 of them for a 64 MiB device), and
 * every object it reads on the way to the guard is a likely cache miss, since the kernel's copy of the page
 * between two visits to the same guard page pushes it out of the CPU caches. With one buffer and one
 * `DataView` per guard page, an operation misses on that view object and then on the guard's bytes; with a
 * view per slab, the few slab views stay cache-resident and only the guard's own bytes are a miss (measured on
 * random 4 KiB writes to the page cache, interleaved with the per-page layout: 1–2 % more writes per second).
 *
 * Slots are reused once released (a clean guard page dropped from the table), so memory follows the number of
 * guard pages held, not how many were ever loaded; slabs themselves are kept for the device's lifetime. A
 * device with fewer guard pages than a slab holds gets slabs of just its guard pages, so a small device costs
 * no more memory than before.
 */

const SLAB_BYTES = 256 * 1024;

/** Page-sized slots in shared slabs (see the module doc). A slot is a number; its bytes are `view(slot)` from `base(slot)`. */
export class GuardSlabs {
  readonly #pageSize: number;
  readonly #slotsPerSlab: number;
  readonly #buffers: Buffer[] = [];
  readonly #views: DataView[] = [];
  /** Released slots, reused before a new slab is allocated. */
  readonly #free: number[] = [];

  /** Slots of `pageSize` bytes; `expectedPages` (the device's guard pages when opened) caps the slab size. */
  constructor(pageSize: number, expectedPages: number) {
    this.#pageSize = pageSize;
    this.#slotsPerSlab = Math.max(1, Math.min(Math.floor(SLAB_BYTES / pageSize), Math.ceil(expectedPages)));
  }

  /** A free slot (its bytes are whatever the slot last held: the caller fills the page). */
  take(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    const slab = this.#buffers.length;
    // Zero-filled and outside Node's shared pool: a guard page lives as long as the device.
    const buf = Buffer.alloc(this.#slotsPerSlab * this.#pageSize);
    this.#buffers.push(buf);
    this.#views.push(new DataView(buf.buffer, buf.byteOffset, buf.length));
    const first = slab * this.#slotsPerSlab;
    // Hand out the slab's slots in ascending order: the rest go on the free list, last first.
    for (let s = first + this.#slotsPerSlab - 1; s > first; s--) this.#free.push(s);
    return first;
  }

  /** Makes `slot` available again; its page must no longer be used. */
  release(slot: number): void {
    this.#free.push(slot);
  }

  /** The view of the slab holding `slot` (shared with the slab's other slots). */
  view(slot: number): DataView {
    return this.#views[Math.floor(slot / this.#slotsPerSlab)]!;
  }

  /** The byte offset of `slot`'s page in {@link view}. */
  base(slot: number): number {
    return (slot % this.#slotsPerSlab) * this.#pageSize;
  }

  /** The bytes of `slot`'s page (a view of the slab, not a copy). */
  buffer(slot: number): Buffer {
    const buf = this.#buffers[Math.floor(slot / this.#slotsPerSlab)]!;
    const at = this.base(slot);
    return buf.subarray(at, at + this.#pageSize);
  }
}
