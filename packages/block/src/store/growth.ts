/**
 * Growing the device when the allocator runs dry, up to `maxPages`. A device grows by at least an eighth of its
 * size (and 256 pages), so a store filling up grows a few times, not once per put. Growth is safe at any
 * moment: `PageDevice.grow` makes the new geometry durable (one header copy at a time) before it returns, and
 * the new pages stay free until a later commit references them; recovery rebuilds the allocator over the whole,
 * grown device. Concurrent callers grow once, in turn.
 */
import type { PageDevice } from '../device/types.ts';
import { toStorageError } from '../errors.ts';
import type { Allocator } from './allocator.ts';

/** The growth policy of one store's device. */
export class DeviceGrowth {
  readonly #device: PageDevice;
  readonly #alloc: Allocator;
  readonly maxPages: number;
  #growing: Promise<void> = Promise.resolve();

  constructor(device: PageDevice, alloc: Allocator, maxPages: number) {
    this.#device = device;
    this.#alloc = alloc;
    this.maxPages = maxPages;
  }

  /** Grows the device, when needed and allowed, so at least `pages` pages are free; false when it cannot. */
  async ensureFree(pages: number): Promise<boolean> {
    if (this.#alloc.freePages >= pages) return true;
    const previous = this.#growing;
    let done!: () => void;
    this.#growing = new Promise<void>((r) => (done = r));
    try {
      await previous;
      const alloc = this.#alloc;
      if (alloc.freePages >= pages) return true;
      const old = this.#device.pageCount;
      if (old >= this.maxPages) return false;
      const target = Math.min(this.maxPages, Math.max(old + pages - alloc.freePages, old + Math.ceil(old / 8), old + 256));
      try {
        await this.#device.grow(target);
      } catch (e) {
        throw toStorageError(e, 'grow');
      }
      if (this.#device.pageCount > old) alloc.free(old, this.#device.pageCount - old);
      return alloc.freePages >= pages;
    } finally {
      done();
    }
  }
}
