/**
 * A medium in memory, stored in 64 KiB chunks allocated on first write so a large, mostly empty device costs
 * little. `sync` is a no-op: memory is as durable as the process. An image can be loaded from bytes (the crash
 * harness reopens the surviving image this way) and exported with `toBuffer`.
 */
import type { PageMedium } from './types.ts';

const CHUNK = 1 << 16;

/** A memory medium with `toBuffer()` to export its bytes. */
export interface MemoryMedium extends PageMedium {
  toBuffer(): Buffer;
}

/** Creates a memory medium, optionally holding a copy of `image`. */
export function createMemoryMedium(image?: Uint8Array): MemoryMedium {
  const chunks: (Buffer | undefined)[] = [];
  let size = 0;
  let closed = false;

  const copyIn = (offset: number, data: Uint8Array) => {
    let done = 0;
    while (done < data.length) {
      const at = offset + done;
      const c = Math.floor(at / CHUNK);
      const within = at - c * CHUNK;
      const n = Math.min(CHUNK - within, data.length - done);
      let chunk = chunks[c];
      if (!chunk) chunk = chunks[c] = Buffer.alloc(CHUNK);
      chunk.set(data.subarray(done, done + n), within);
      done += n;
    }
    size = Math.max(size, offset + data.length);
  };

  const copyOut = (offset: number, target: Buffer) => {
    let done = 0;
    while (done < target.length) {
      const at = offset + done;
      const c = Math.floor(at / CHUNK);
      const within = at - c * CHUNK;
      const n = Math.min(CHUNK - within, target.length - done);
      const chunk = chunks[c];
      if (chunk) chunk.copy(target, done, within, within + n);
      else target.fill(0, done, done + n);
      done += n;
    }
  };

  if (image) copyIn(0, image);

  const check = () => {
    if (closed) throw new Error('memory medium is closed');
  };

  return {
    size: () => size,
    // Synchronous: memory has nothing to wait for (see PageMedium.read).
    read(offset, target) {
      check();
      copyOut(offset, target);
      return undefined;
    },
    write(offset, data) {
      check();
      copyIn(offset, data);
      return undefined;
    },
    async sync() {
      check();
    },
    async resize(bytes) {
      check();
      size = Math.max(size, bytes);
    },
    async close() {
      closed = true;
    },
    toBuffer() {
      const out = Buffer.alloc(size);
      copyOut(0, out);
      return out;
    },
  };
}
