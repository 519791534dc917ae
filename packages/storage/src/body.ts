/**
 * Bodies: any accepted {@link Body} becomes a Node `Readable` of Buffers with backpressure (streams and
 * iterables are pulled one chunk at a time, never buffered whole), and {@link prepareBody} turns it into the
 * {@link PreparedBody} adapters consume: MD5 plus requested checksums computed as the bytes flow, and the
 * verification of Content-MD5, expected checksums and length done *before* the stream ends — a failed check
 * errors the stream instead of ending it, so an adapter that commits only after a clean end never stores it.
 */
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { StorageError, abortedError, isStorageError } from './errors.ts';
import { createChecksum, isChecksumAlgorithm } from './checksums.ts';
import type { RunningChecksum } from './checksums.ts';
import type { BodyDigests, BodyMd5Preference, PreparedBody } from './adapter.ts';
import type { Body, ChecksumAlgorithm, Checksums, GetResult } from './types.ts';

const asBuffer = (chunk: Uint8Array | string): Buffer =>
  typeof chunk === 'string'
    ? Buffer.from(chunk, 'utf8')
    : Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);

async function* buffersOf(source: AsyncIterable<unknown> | Iterable<unknown>): AsyncGenerator<Buffer> {
  for await (const chunk of source as AsyncIterable<unknown>) {
    if (typeof chunk === 'string' || chunk instanceof Uint8Array) {
      const b = asBuffer(chunk);
      if (b.length > 0) yield b;
    } else {
      throw new StorageError('InvalidArgument', `A body chunk must be a Uint8Array or a string, got ${typeof chunk}`);
    }
  }
}

const isWebStream = (x: unknown): x is ReadableStream<Uint8Array> =>
  typeof x === 'object' && x !== null && typeof (x as ReadableStream).getReader === 'function';

/**
 * Converts any {@link Body} into a Node `Readable` of Buffers. Bytes and strings become a one-chunk stream
 * (without copying); streams and iterables are pulled lazily with backpressure, so memory stays bounded.
 */
export function toReadable(body: Body): Readable {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const b = asBuffer(body);
    // Readable.from(buffer) would iterate bytes one by one; wrap it in an array to get one chunk.
    return Readable.from(b.length === 0 ? [] : [b], { objectMode: false });
  }
  if (body instanceof Readable) {
    if (!body.readableObjectMode && body.readableEncoding === null) return body;
    return Readable.from(buffersOf(body), { objectMode: false });
  }
  if (isWebStream(body)) return Readable.from(buffersOf(Readable.fromWeb(body as WebReadableStream)), { objectMode: false });
  if (typeof body === 'object' && body !== null && (Symbol.asyncIterator in body || Symbol.iterator in body)) {
    return Readable.from(buffersOf(body as AsyncIterable<unknown>), { objectMode: false });
  }
  throw new StorageError('InvalidArgument', `Unsupported body type ${typeof body}`);
}

/** Reads a stream (or a `get` result's body) whole into one Buffer. For tests and small objects. */
export async function readBytes(source: Readable | GetResult): Promise<Buffer> {
  const stream = source instanceof Readable ? source : source.body;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(asBuffer(chunk as Uint8Array | string));
  return Buffer.concat(chunks);
}

/** Reads a stream (or a `get` result's body) whole as UTF-8 text. */
export async function readText(source: Readable | GetResult): Promise<string> {
  return (await readBytes(source)).toString('utf8');
}

/** Reads a stream (or a `get` result's body) whole and parses it as JSON. */
export async function readJson<T = unknown>(source: Readable | GetResult): Promise<T> {
  return JSON.parse(await readText(source)) as T;
}

/**
 * Destroys a body source given up on. A server-side HTTP request (Node's IncomingMessage, passed as the body
 * by a server) is first detached from its socket, as `stream.pipeline` does it: destroying it attached would
 * reset the connection, and the server could not answer the failure that made the adapter give up.
 */
function destroySource(source: Readable): void {
  const r = source as Readable & { _consuming?: unknown; _dumped?: unknown; socket?: unknown };
  if (typeof r._consuming === 'boolean' && typeof r._dumped === 'boolean' && 'socket' in r) r.socket = null;
  source.destroy();
}

/**
 * How far hashing may run ahead of the adapter's reads before the source is paused. Node's default (16 KiB) is
 * a quarter of one socket read, so every chunk of an HTTP request would pause its socket and resume it again;
 * a few reads' worth of slack keeps the socket read and its bytes hashed while the adapter is busy.
 */
const HASHED_AHEAD_BYTES = 256 * 1024;

/** Options of {@link prepareBody}. */
export interface PrepareBodyOptions {
  /** Checksums to compute (and report in `digests().checksums`). @default [] */
  checksumAlgorithms?: readonly ChecksumAlgorithm[];
  /** Checksums the body must have; a function is called once the body has been read whole (trailers). */
  expectedChecksums?: Checksums | (() => Checksums | undefined);
  /** Base64 MD5 the body must have (`Content-MD5`). */
  contentMd5?: string;
  /** The exact length the body must have. */
  contentLength?: number;
  /** Errors the stream with `Aborted` when fired. */
  signal?: AbortSignal;
  /**
   * Whether to compute the MD5 (`digests().md5` and `.etag`). `false` skips it — about 90 ms of CPU per
   * 64 MiB — for adapters whose medium computes the ETag itself ({@link BodyMd5Preference}); it is computed
   * anyway when `contentMd5` asks for verification. Reading `md5` or `etag` of digests without it throws.
   * @default true
   */
  md5?: boolean;
}

/** Whether the front wrapper must compute body MD5s for `adapter` (see {@link BodyMd5Preference}). */
export function adapterWantsMd5(adapter: BodyMd5Preference): boolean {
  return adapter.bodyMd5 !== 'unused';
}

function withMd5(size: number, md5: Buffer, checksums: Checksums): BodyDigests {
  return { size, md5, etag: md5.toString('hex'), checksums };
}

/**
 * Digests of a body hashed without MD5: reading `md5` or `etag` is a bug of the adapter, so it throws. A class
 * with getters on its prototype, so a put pays for no property definitions.
 */
class DigestsWithoutMd5 implements BodyDigests {
  readonly size: number;
  readonly checksums: Checksums;

  constructor(size: number, checksums: Checksums) {
    this.size = size;
    this.checksums = checksums;
  }

  get md5(): Buffer {
    throw md5Missing();
  }

  get etag(): string {
    throw md5Missing();
  }
}

const md5Missing = () => new StorageError('Unsupported', 'The body MD5 was not computed: the adapter declared bodyMd5 "unused"');

function withoutMd5(size: number, checksums: Checksums): BodyDigests {
  return new DigestsWithoutMd5(size, checksums);
}

function badDigest(message: string): StorageError {
  return new StorageError('InvalidArgument', message, { reason: 'BadDigest' });
}

/** Verifies what is known only at the end. Returns the error to fail the stream with, if any. */
function verify(d: BodyDigests, opts: PrepareBodyOptions, running: Map<ChecksumAlgorithm, RunningChecksum>): StorageError | undefined {
  if (opts.contentLength !== undefined && d.size !== opts.contentLength) {
    return new StorageError('InvalidArgument', `The body has ${d.size} bytes, not the declared ${opts.contentLength}`, { reason: 'IncompleteBody' });
  }
  // `contentMd5` forces the MD5 on (see prepareBody), so `d.md5` exists here.
  if (opts.contentMd5 !== undefined && opts.contentMd5 !== d.md5.toString('base64')) {
    return badDigest('The Content-MD5 you specified did not match what was received');
  }
  const expected = typeof opts.expectedChecksums === 'function' ? opts.expectedChecksums() : opts.expectedChecksums;
  for (const [alg, want] of Object.entries(expected ?? {}) as [ChecksumAlgorithm, string | undefined][]) {
    if (want === undefined) continue;
    // A function may name an algorithm that was not announced, so not computed as the bytes flowed: that
    // cannot be verified, and accepting it unverified would defeat the check. Announce it in checksumAlgorithms.
    if (!running.has(alg)) return badDigest(`The ${alg} checksum arrived for an algorithm that was not announced`);
    const got = d.checksums[alg];
    if (got !== want) return badDigest(`The ${alg} checksum you specified did not match the calculated checksum`);
  }
  return undefined;
}

/**
 * Wraps a body into the {@link PreparedBody} adapters receive. The returned stream yields the body's bytes as
 * Buffers while computing MD5 (unless `md5: false`) and the requested (and statically expected) checksums; at the end it verifies
 * `contentLength`, `contentMd5` and `expectedChecksums` (a function form is called then) and, on a mismatch,
 * errors with `InvalidArgument` (reason `BadDigest` or `IncompleteBody`) instead of ending. A failure of the
 * source stream errors it too, and so does the signal (`Aborted`). Read it once.
 */
export function prepareBody(body: Body, opts: PrepareBodyOptions = {}): PreparedBody {
  const algorithms = new Set<ChecksumAlgorithm>(opts.checksumAlgorithms ?? []);
  if (opts.expectedChecksums && typeof opts.expectedChecksums === 'object') {
    for (const [alg, v] of Object.entries(opts.expectedChecksums)) if (v !== undefined && isChecksumAlgorithm(alg)) algorithms.add(alg);
  }
  for (const alg of algorithms) {
    if (!isChecksumAlgorithm(alg)) throw new StorageError('InvalidArgument', `Unknown checksum algorithm ${String(alg)}`);
  }
  const md5 = opts.md5 === false && opts.contentMd5 === undefined ? undefined : createHash('md5');
  const running = new Map<ChecksumAlgorithm, RunningChecksum>([...algorithms].map((a) => [a, createChecksum(a)]));
  if (typeof body === 'string' || body instanceof Uint8Array) return preparedInMemory(asBuffer(body), opts, md5, running);
  let size = 0;
  let digests: BodyDigests | undefined;
  const source = toReadable(body);
  const { signal } = opts;
  let paused = false;
  // A Readable fed from the source's 'data' events rather than a Transform the source is piped into: the same
  // hashing, checks and backpressure without a Writable side and pipe()'s listeners (~8 µs of a small put).
  const hasher = new Readable({
    highWaterMark: HASHED_AHEAD_BYTES,
    read() {
      if (paused) {
        paused = false;
        source.resume();
      }
    },
    destroy(err, cb) {
      cleanup();
      // The adapter gave up, a check failed or the signal fired: stop reading the caller's source.
      if (!source.destroyed && !source.readableEnded) destroySource(source);
      cb(err);
    },
  });
  const fail = (e: StorageError) => {
    if (!hasher.destroyed) hasher.destroy(e);
  };
  const onAbort = () => fail(abortedError(signal));
  const cleanup = () => signal?.removeEventListener('abort', onAbort);
  source.on('data', (chunk: Buffer) => {
    if (hasher.destroyed) return;
    const b = asBuffer(chunk);
    size += b.length;
    md5?.update(b);
    for (const c of running.values()) c.update(b);
    if (opts.contentLength !== undefined && size > opts.contentLength) {
      fail(new StorageError('InvalidArgument', `The body is longer than the declared ${opts.contentLength} bytes`, { reason: 'IncompleteBody' }));
      return;
    }
    if (!hasher.push(b)) {
      paused = true;
      source.pause();
    }
  });
  source.once('end', () => {
    if (hasher.destroyed) return;
    // Verified before the end is pushed: a failed check errors the stream, which therefore never ends.
    const checksums: Checksums = {};
    for (const [alg, c] of running) checksums[alg] = c.digest().toString('base64');
    const d = md5 ? withMd5(size, md5.digest(), checksums) : withoutMd5(size, checksums);
    const error = verify(d, opts, running);
    if (error) {
      fail(error);
      return;
    }
    digests = d;
    hasher.push(null);
  });
  // Source failures become one storage error on the hasher.
  source.on('error', (e: Error) => {
    fail(isStorageError(e) ? e : signal?.aborted ? abortedError(signal) : new StorageError('InvalidArgument', `The body stream failed: ${e.message}`, { cause: e, reason: 'IncompleteBody' }));
  });
  // A source closed before its end without an error (an HTTP request whose connection went away while no one
  // listened for its error) would otherwise leave the hasher waiting forever.
  const onSourceClose = () => {
    if (!source.readableEnded) {
      fail(signal?.aborted ? abortedError(signal) : new StorageError('InvalidArgument', 'The body stream closed before its end', { reason: 'IncompleteBody' }));
    }
  };
  source.once('close', onSourceClose);
  // The source flows at once, so a small body can reach its end — and fail verification — before the adapter
  // reads (it may await its own I/O first). The error then stays on the stream (`errored`) and is thrown to
  // whoever reads or pipes it; without a listener it would instead crash the process as an unhandled 'error'.
  hasher.on('error', () => {});
  if (source.destroyed && !source.readableEnded) queueMicrotask(onSourceClose);
  if (signal) {
    if (signal.aborted) queueMicrotask(onAbort);
    else signal.addEventListener('abort', onAbort, { once: true });
  }

  return {
    stream: hasher,
    checksumAlgorithms: [...algorithms],
    contentLength: opts.contentLength,
    digests() {
      if (!digests) throw notYet();
      return digests;
    },
  };
}

const notYet = () => new StorageError('InvalidArgument', 'The body digests are known only after the body was read whole');

/**
 * The {@link PreparedBody} of bytes already in memory: hashed and verified at once, then served as a stream of
 * that one Buffer — no source stream, Transform or pipe, which cost ~20 µs per put (too much for the S3
 * adapter's goal of at most 5 % overhead over the raw client on a 4 KiB put). The stream errors at once on a
 * failed check, so it never ends; digests are still handed out only after it ended. The length is announced,
 * so an adapter can send even a large in-memory body as one request rather than in parts.
 */
function preparedInMemory(b: Buffer, opts: PrepareBodyOptions, md5: Hash | undefined, running: Map<ChecksumAlgorithm, RunningChecksum>): PreparedBody {
  md5?.update(b);
  const checksums: Checksums = {};
  for (const [alg, c] of running) {
    c.update(b);
    checksums[alg] = c.digest().toString('base64');
  }
  const d = md5 ? withMd5(b.length, md5.digest(), checksums) : withoutMd5(b.length, checksums);
  const error = verify(d, opts, running);
  let ended = false;
  const stream = new Readable({ read() {} });
  stream.once('end', () => (ended = true));
  // As for streams: a failure stays on the stream for whoever reads it, instead of crashing the process.
  stream.on('error', () => {});
  if (error) stream.destroy(error);
  else {
    if (b.length > 0) stream.push(b);
    stream.push(null);
  }
  const { signal } = opts;
  if (signal && !error) {
    const onAbort = () => stream.destroy(abortedError(signal));
    if (signal.aborted) queueMicrotask(onAbort);
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      stream.once('close', () => signal.removeEventListener('abort', onAbort));
    }
  }
  return {
    stream,
    checksumAlgorithms: [...running.keys()],
    contentLength: opts.contentLength ?? b.length,
    digests() {
      if (!ended) throw notYet();
      return d;
    },
  };
}
