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

/** Wraps a GET response body into a stream that resumes after network failures (see the module doc). */
export function resumableBody(first: Readable, options: ResumableBodyOptions): Readable {
  const { core, key, etag, end, signal } = options;
  const maxResumes = options.maxResumes ?? 3;
  let current: Readable = first;

  async function reopen(offset: number): Promise<Readable> {
    const out = await core.send<GetObjectCommandOutput>(
      new GetObjectCommand({ Bucket: core.bucket, Key: core.s3Key(key), Range: `bytes=${offset}-${end}`, IfMatch: quoteEtag(etag) }),
      { op: 'get', key, signal },
    );
    const status = out.$metadata.httpStatusCode;
    if (status !== 206 && offset > 0) {
      // A server that ignores Range would send the object again from byte 0: splicing it would corrupt.
      (out.Body as Readable | undefined)?.destroy();
      throw new StorageError('Unavailable', `Resumed GET answered ${status} instead of 206`, { op: 'get', key });
    }
    return out.Body as Readable;
  }

  async function* chunks(): AsyncGenerator<Buffer> {
    let offset = options.start;
    let resumes = 0;
    try {
      while (true) {
        let failure: unknown;
        try {
          for await (const chunk of current) {
            const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
            // Never deliver past the pinned end, even from a server that over-sends.
            const room = end + 1 - offset;
            if (room <= 0) break;
            const slice = buf.length > room ? buf.subarray(0, room) : buf;
            offset += slice.length;
            yield slice;
          }
          if (offset > end) return;
          failure = new StorageError('Unavailable', `GET body ended at byte ${offset} of ${end + 1}`, { op: 'get', key });
        } catch (e) {
          if (!isNetworkError(e) || signal?.aborted) throw toStorageError(e, { op: 'get', key, signal });
          failure = e;
        }
        if (resumes >= maxResumes) {
          throw new StorageError('Unavailable', `GET failed after ${resumes} resumes at byte ${offset}`, { op: 'get', key, cause: failure });
        }
        resumes++;
        current.destroy();
        options.onResume?.(offset, failure);
        current = await reopen(offset);
      }
    } finally {
      current.destroy();
    }
  }

  const out = Readable.from(chunks(), { objectMode: false, highWaterMark: 64 * 1024 });
  // A body destroyed before it was read never runs the generator's `finally`: release the response (and its
  // pooled socket) here, or unread bodies would exhaust the SDK's connection pool.
  out.once('close', () => current.destroy());
  return out;
}
