/**
 * Bodies already in memory. A get result's body is a `Readable`, but when the bytes are already in hand (the
 * memory adapter, a read cache, a small file read in one go) streaming them costs more than the bytes: a
 * pipe, its listeners and a write per chunk. {@link BytesReadable} is a plain `Readable` that also carries its
 * bytes, so a consumer that can use them whole (the object server sending a response in one write) takes them
 * with {@link takeBytes}; every other consumer streams it as usual.
 */
import { Readable } from 'node:stream';

/** A `Readable` over bytes in memory that also exposes them (see {@link takeBytes}). */
export class BytesReadable extends Readable {
  readonly #bytes: Buffer;
  #pushed = false;

  constructor(bytes: Buffer) {
    super();
    this.#bytes = bytes;
  }

  /** The bytes this stream carries (all of them, whatever has been read so far). */
  get bytes(): Buffer {
    return this.#bytes;
  }

  override _read(): void {
    if (!this.#pushed) {
      this.#pushed = true;
      if (this.#bytes.length > 0) this.push(this.#bytes);
    }
    this.push(null);
  }
}

/**
 * The whole bytes of `body` when it is a {@link BytesReadable} nobody has read from yet, else undefined (stream
 * it). Taking the bytes ends the stream: it is destroyed, so it cannot also be read. The buffer may be shared
 * with a cache: read it, never write to it.
 */
export function takeBytes(body: Readable): Buffer | undefined {
  if (!(body instanceof BytesReadable) || body.readableDidRead || body.destroyed) return undefined;
  const bytes = body.bytes;
  body.destroy();
  return bytes;
}
