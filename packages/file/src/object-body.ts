/**
 * The body of a GET that does not fit the first read: the object's bytes from its descriptor, in chunks of
 * {@link CHUNK_BYTES}, as a `Readable` that owns the descriptor and closes it on end, error or destroy.
 *
 * Two ways out:
 * - **Read as a stream** (`data`, `read()`, `pipeline`, a decrypting transform, the read cache's fill): each
 *   chunk is a fresh buffer, since whoever reads it may keep it.
 * - **Piped into an HTTP response** (`body.pipe(res)`, what fastify does with a stream body): the chunks go
 *   straight to `res.write` from a few reused buffers. A buffer is read into again only once the write that
 *   carried it has called back — the bytes are then in the kernel and nothing refers to the buffer — and at
 *   most {@link WRITES_IN_FLIGHT} writes wait at a time, so a slow client holds a few MiB, never the object.
 *   A 64 MiB GET then allocates no 64 MiB of short-lived buffers, whose external memory made V8 collect
 *   garbage again and again (the largest item of the large-GET profile, ahead of the socket writes).
 *
 * Either way, a file that ends before the object's size — another program truncated it or rewrote it in
 * place — fails the stream (`Unavailable`, retryable) instead of ending it short: an HTTP answer would
 * otherwise stop before its Content-Length with the connection left open, and the client would wait.
 */
import { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { StorageError } from '@strata/storage';
import type { ReadCloses } from './read-closes.ts';
import type { ReadHandle } from './read-handle.ts';

/**
 * Bytes per read: an object of up to this size is one read. 1 MiB reads cost a quarter of the syscalls and
 * socket writes of 256 KiB ones (64 MiB GetObject through the server: 90 → 70 ms of server CPU); larger ones
 * gain little more and would hold more memory per slow client.
 */
export const CHUNK_BYTES = 1 << 20;
/** Writes to the response that may wait at once: one draining while the next is queued and the next read runs. */
const WRITES_IN_FLIGHT = 2;
/** Chunk buffers kept for the next large GET (8 MiB); more concurrent GETs allocate, and the extra are dropped. */
const POOL_MAX = 8;

const pool: Buffer[] = [];
// allocUnsafeSlow: its own ArrayBuffer, not a slice of Node's shared pool, so keeping it retains nothing else.
const takeChunk = (): Buffer => pool.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
const giveChunk = (buffer: Buffer): void => {
  if (pool.length < POOL_MAX) pool.push(buffer);
};

/** Streams the bytes `start..end` (inclusive file offsets) of an open object file; see the module doc. */
export class ObjectBody extends Readable {
  readonly #fh: ReadHandle;
  readonly #closes: ReadCloses;
  readonly #key: string;
  readonly #end: number;
  #pos: number;
  /** A read into a buffer is in flight: the descriptor stays open (and the buffer unused) until it returns. */
  #reading = false;
  #released = false;
  /** Piped into a response: chunks go to it directly (see {@link pipe}); `_read` pushes nothing. */
  #res: ServerResponse | undefined;
  /** Read as a stream already: a later `pipe` takes the ordinary path. */
  #streamed = false;
  #writing = 0;

  constructor(fh: ReadHandle, start: number, end: number, key: string, closes: ReadCloses) {
    super({ highWaterMark: CHUNK_BYTES });
    this.#fh = fh;
    this.#closes = closes;
    this.#key = key;
    this.#pos = start;
    this.#end = end;
  }

  override _read(): void {
    if (this.#res !== undefined) return;
    this.#streamed = true;
    const length = Math.min(CHUNK_BYTES, this.#end - this.#pos + 1);
    if (length <= 0) {
      this.push(null);
      return;
    }
    // A fresh buffer: a stream reader may keep what it is given.
    const buffer = Buffer.allocUnsafe(length);
    this.#read(buffer, length, (n) => {
      this.push(n === length ? buffer : buffer.subarray(0, n));
      if (this.#pos > this.#end) this.push(null);
    });
  }

  /**
   * Pipes into `dest`. An HTTP response not yet fed by this stream is written directly from reused buffers
   * (module doc); any other destination gets `Readable.pipe`. Like `pipe`, ends `dest` at the end unless
   * `options.end` is false; unlike it, destroys this stream (closing the file) when `dest` closes first.
   */
  override pipe<T extends NodeJS.WritableStream>(dest: T, options?: { end?: boolean }): T {
    if (!(dest instanceof ServerResponse) || this.#streamed || this.#res !== undefined || this.destroyed) return super.pipe(dest, options);
    this.#res = dest;
    dest.emit('pipe', this);
    if (options?.end !== false) this.once('end', () => dest.end());
    const abandon = () => {
      if (!this.readableEnded) this.destroy();
    };
    dest.once('close', abandon);
    if (dest.destroyed) abandon(); // gone before the first byte: 'close' was emitted already
    this.#pump();
    return dest;
  }

  /** Starts the next read when a buffer may be filled; ends the stream once every byte is written. */
  #pump(): void {
    if (this.destroyed || this.#reading) return;
    if (this.#pos > this.#end) {
      if (this.#writing === 0) {
        this.push(null);
        this.resume(); // flowing, so 'end' is emitted although nothing was pushed
      }
      return;
    }
    if (this.#writing >= WRITES_IN_FLIGHT) return; // the response's backpressure: wait for a write to complete
    const buffer = takeChunk();
    const length = Math.min(buffer.length, this.#end - this.#pos + 1);
    this.#read(buffer, length, (n) => {
      this.#writing++;
      (this.#res as ServerResponse).write(n === buffer.length ? buffer : buffer.subarray(0, n), (err) => {
        this.#writing--;
        // A failed write may leave its bytes queued behind a destroyed socket: that buffer is not reused, and
        // nothing more is read for a response that cannot take it.
        if (err) {
          if (!this.destroyed) this.destroy();
          return;
        }
        giveChunk(buffer);
        this.#pump();
      });
      this.#pump();
    }, buffer);
  }

  /**
   * Reads `length` bytes at the current position into `buffer` and hands the count to `onBytes`; fails the
   * stream on an error or an early end of file. `pooled` is given back when the bytes go nowhere.
   */
  #read(buffer: Buffer, length: number, onBytes: (bytesRead: number) => void, pooled?: Buffer): void {
    this.#reading = true;
    this.#fh.readInto(buffer, 0, length, this.#pos, (err, bytesRead) => {
      this.#reading = false;
      const failure = err ?? (bytesRead === 0 ? new StorageError('Unavailable', 'The file became shorter while it was read', { key: this.#key, retryable: true }) : undefined);
      if (this.destroyed || failure) {
        if (pooled) giveChunk(pooled);
        if (this.destroyed) this.#release();
        else this.destroy(failure);
        return;
      }
      this.#pos += bytesRead;
      onBytes(bytesRead);
    });
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    // A read in flight still uses the descriptor: it is closed when that read returns (see #read).
    if (!this.#reading) this.#release();
    callback(err);
  }

  /** Closes the descriptor, once, off the caller's latency (counted, so closing the adapter waits for it). */
  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#closes.closeSoon(this.#fh);
  }
}
