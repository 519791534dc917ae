/**
 * Reusable one-slot buffers for the page device's hot path. A fresh `Buffer` per 4 KiB operation costs a
 * large share of a page-cache pread (a new ArrayBuffer, and memory the kernel has to fault in), so single-page
 * writes and reads into a caller's buffer go through one slot buffer that stays warm, plus the view of it the
 * xxh64 covers, made once.
 */
import { viewOf } from './slot-codec.ts';

/** One slot buffer, a `DataView` over it, and the view of its first `pageSize + 24` bytes (what the xxh64 covers). */
export interface SlotBuffer {
  readonly buf: Buffer;
  readonly view: DataView;
  readonly covered: Buffer;
}

/**
 * Lends one reusable {@link SlotBuffer} at a time. On a synchronous medium an operation gives it back before
 * the next can start, so nothing is allocated; while it is lent out (an asynchronous medium call pending) a
 * concurrent operation gets a fresh one, never a shared one.
 */
export class SlotBufferPool {
  readonly #slot: number;
  readonly #covers: number;
  #free: SlotBuffer | undefined;

  /** Buffers of `slot` bytes whose xxh64 covers the first `covers` bytes. */
  constructor(slot: number, covers: number) {
    this.#slot = slot;
    this.#covers = covers;
  }

  /** Borrows a buffer (the pooled one when it is free). Its contents are unspecified. */
  take(): SlotBuffer {
    const b = this.#free;
    if (b !== undefined) {
      this.#free = undefined;
      return b;
    }
    // Its own ArrayBuffer (not a slice of Node's shared pool), as it lives as long as the device.
    const buf = Buffer.allocUnsafeSlow(this.#slot);
    return { buf, view: viewOf(buf), covered: buf.subarray(0, this.#covers) };
  }

  /** Returns a borrowed buffer for reuse. */
  give(b: SlotBuffer): void {
    this.#free = b;
  }
}
