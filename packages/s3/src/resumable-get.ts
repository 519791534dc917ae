/**
 * A GET body that survives a dropped connection. When the response stream fails with a network error (reset,
 * "aborted", premature close) or ends short of its length, the read resumes at the first missing byte with
 * `Range: bytes=<offset>-<end>` pinned by `If-Match: "<etag>"` (RFC 9110 §13.1.1, §14.2), so the bytes that
 * follow are those of the same object version. If the object changed meanwhile S3 answers 412 and the stream
 * fails with `PreconditionFailed`; it never splices two versions. Resumes are bounded.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { StorageError } from '@strata/storage';
import type { S3Core } from './core.ts';
import { quoteEtag } from './object-info.ts';
import { isNetworkError, toStorageError } from './to-storage-error.ts';

/** Options of {@link resumableBody}. */
export interface ResumableBodyOptions {
  core: S3Core;
  /** The contract key (for errors) and its S3 key. */
  key: string;
  /** The object's ETag (unquoted) from the first response: resumes are pinned to it. */
  etag: string;
  /** First byte the first response carries. */
  start: number;
  /** Last byte (inclusive) the read must deliver; -1 for an empty body. */
  end: number;
  signal?: AbortSignal;
  /** How many times the read may resume. @default 3 */
  maxResumes?: number;
  /** Called on each resume (for tests and metrics). */
  onResume?: (offset: number, cause: unknown) => void;
}

/**
 * Wraps a GET response body into a stream that resumes after network failures (see the module doc).
 *
 * One Readable fed by the response's `data` events (pausing the response while the consumer is full), not an
 * async generator under `Readable.from`, which cost a promise and a generator step per chunk and ~90 µs of CPU
 * per GET — 8 % of a 4 KiB GET against the object server, where the adapter may add at most 5 % over the raw
 * client. The response's listeners are shared module functions that find their body through a symbol, so a
 * GET allocates no closures for them.
 */
export function resumableBody(first: Readable, options: ResumableBodyOptions): Readable {
  return new ResumableBody(first, options);
}

const OWNER = Symbol('strata.resumableBody');
/** A response body and the {@link ResumableBody} it feeds; the link is cut once it ended or failed. */
type Source = Readable & { [OWNER]?: ResumableBody | undefined };

function onData(this: Source, chunk: Buffer | Uint8Array): void {
  this[OWNER]?.deliver(this, chunk);
}
function onEnd(this: Source): void {
  this[OWNER]?.sourceDone(this, undefined);
}
function onError(this: Source, err: Error): void {
  this[OWNER]?.sourceDone(this, err);
}
function onClose(this: Source): void {
  // A socket that is reset may only close the response, without 'end' or 'error'.
  this[OWNER]?.sourceDone(this, Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
}

class ResumableBody extends Readable {
  readonly #o: ResumableBodyOptions;
  #current: Source;
  /** The next byte to deliver. */
  #offset: number;
  #resumes = 0;

  constructor(first: Readable, options: ResumableBodyOptions) {
    super({ highWaterMark: 64 * 1024 });
    this.#o = options;
    this.#offset = options.start;
    this.#current = first;
    this.#attach(first);
  }

  #attach(source: Source): void {
    source[OWNER] = this;
    source.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  }

  /** Forwards a chunk of the current response. */
  deliver(source: Source, chunk: Buffer | Uint8Array): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    // Never deliver past the pinned end, even from a server that over-sends.
    const room = this.#o.end + 1 - this.#offset;
    const slice = buf.length > room ? buf.subarray(0, Math.max(0, room)) : buf;
    this.#offset += slice.length;
    if (slice.length > 0 && !this.push(slice)) source.pause();
    if (buf.length > room) {
      // Cut an over-sending server off. The normal end waits for the response's own end (below), so its
      // socket goes back to the pool whole.
      source[OWNER] = undefined;
      this.push(null);
    }
  }

  /** The current response ended (`err` undefined), failed or closed early: end, fail, or resume. */
  sourceDone(source: Source, err: Error | undefined): void {
    source[OWNER] = undefined;
    if (this.destroyed) return;
    const { key, signal } = this.#o;
    if (err === undefined) {
      if (this.#offset > this.#o.end) this.push(null);
      else void this.#resume(new StorageError('Unavailable', `GET body ended at byte ${this.#offset} of ${this.#o.end + 1}`, { op: 'get', key }));
    } else if (!isNetworkError(err) || signal?.aborted) {
      this.destroy(toStorageError(err, { op: 'get', key, signal }));
    } else {
      void this.#resume(err);
    }
  }

  async #resume(failure: unknown): Promise<void> {
    const { key, signal } = this.#o;
    if (this.#resumes >= (this.#o.maxResumes ?? 3)) {
      this.destroy(new StorageError('Unavailable', `GET failed after ${this.#resumes} resumes at byte ${this.#offset}`, { op: 'get', key, cause: failure }));
      return;
    }
    this.#resumes++;
    this.#current.destroy();
    this.#o.onResume?.(this.#offset, failure);
    try {
      const next = await this.#reopen(this.#offset);
      if (this.destroyed) {
        next.destroy();
        return;
      }
      this.#current = next;
      this.#attach(next);
    } catch (e) {
      this.destroy(toStorageError(e, { op: 'get', key, signal }));
    }
  }

  async #reopen(offset: number): Promise<Readable> {
    const { core, key, etag, end, signal } = this.#o;
    const out = await core.send<GetObjectCommandOutput>(
      new GetObjectCommand({ Bucket: core.bucket, Key: core.s3Key(key), Range: `bytes=${offset}-${end}`, IfMatch: quoteEtag(etag) }),
      { op: 'get', key, signal, date: false },
    );
    const status = out.$metadata.httpStatusCode;
    if (status !== 206 && offset > 0) {
      // A server that ignores Range would send the object again from byte 0: splicing it would corrupt.
      (out.Body as Readable | undefined)?.destroy();
      throw new StorageError('Unavailable', `Resumed GET answered ${status} instead of 206`, { op: 'get', key });
    }
    return out.Body as Readable;
  }

  override _read(): void {
    if (this.#current.isPaused()) this.#current.resume();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // Release the response (and its pooled socket) also when the body is destroyed unread, or unread bodies
    // would exhaust the SDK's connection pool. A response that ended whole keeps its socket.
    this.#current[OWNER] = undefined;
    this.#current.destroy();
    cb(err);
  }
}
