/**
 * `withLatency`: injects delay — a fixed cost per call and a cost per byte moved (put/uploadPart bodies as the
 * storage reads them, get bodies as the caller reads them). Emulates a remote medium on a local one so
 * benchmarks and timeouts can be exercised (like object_store's `ThrottledStore`, `throttle.rs`). Waits
 * honour the call's AbortSignal.
 */
import type { Body, GetResult, ObjectInfo, PartInfo, PutOptions, Storage, UploadPartOptions } from '../types.ts';
import { ForwardingStorage, isReplayableBody } from './forwarding.ts';
import type { CallInfo, StorageOperation } from './forwarding.ts';
import { tapReadable, tapStream } from './body-tap.ts';
import { abortableSleep } from './sleep.ts';

/** The source of waiting, injectable for tests. */
export interface LatencyClock {
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Options of {@link withLatency}. */
export interface LatencyOptions {
  /** Delay before every call, in ms, or a function of the operation. @default 0 */
  perCallMs?: number | ((op: StorageOperation) => number);
  /** Delay per byte moved, in ms. Exclusive with `bytesPerSecond`. @default 0 */
  perByteMs?: number;
  /** Throughput limit: the same as `perByteMs = 1000 / bytesPerSecond`. */
  bytesPerSecond?: number;
  /** Where waits happen. @default real timers (abortable) */
  clock?: LatencyClock;
}

const realClock: LatencyClock = { sleep: (ms, signal) => abortableSleep(ms, signal) };

class LatencyStorage extends ForwardingStorage {
  readonly #perCall: (op: StorageOperation) => number;
  readonly #perByte: number;
  readonly #clock: LatencyClock;

  constructor(inner: Storage, perCall: (op: StorageOperation) => number, perByte: number, clock: LatencyClock) {
    super(inner);
    this.#perCall = perCall;
    this.#perByte = perByte;
    this.#clock = clock;
  }

  protected override async invoke<T>(call: CallInfo, run: () => Promise<T>): Promise<T> {
    const ms = this.#perCall(call.op);
    if (ms > 0) await this.#clock.sleep(ms, call.signal);
    return run();
  }

  protected override wrapBody(_op: 'put' | 'uploadPart', body: Body, signal: AbortSignal | undefined): Body {
    if (this.#perByte === 0) return body;
    // Bytes stay bytes (replayable for a retry layer above); their cost is paid up front in put/uploadPart.
    if (isReplayableBody(body)) return body;
    return tapStream(body, (n) => this.#clock.sleep(n * this.#perByte, signal));
  }

  override async put(key: string, body: Body, options: PutOptions = {}): Promise<ObjectInfo> {
    await this.#payUpFront(body, options.signal);
    return super.put(key, body, options);
  }

  override async uploadPart(key: string, uploadId: string, partNumber: number, body: Body, options: UploadPartOptions = {}): Promise<PartInfo> {
    await this.#payUpFront(body, options.signal);
    return super.uploadPart(key, uploadId, partNumber, body, options);
  }

  async #payUpFront(body: Body, signal: AbortSignal | undefined): Promise<void> {
    if (this.#perByte === 0 || !isReplayableBody(body)) return;
    const n = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
    await this.#clock.sleep(n * this.#perByte, signal);
  }

  protected override wrapGet(result: GetResult, signal: AbortSignal | undefined): GetResult {
    if (this.#perByte === 0) return result;
    return { ...result, body: tapReadable(result.body, (n) => this.#clock.sleep(n * this.#perByte, signal)) };
  }
}

function check(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`withLatency: ${name} must be a non-negative number, got ${value}`);
  return value;
}

/** Wraps `storage` with injected per-call and per-byte delay. Throws `TypeError` at once on bad options. */
export function withLatency(storage: Storage, options: LatencyOptions = {}): Storage {
  if (options.perByteMs !== undefined && options.bytesPerSecond !== undefined) {
    throw new TypeError('withLatency: give perByteMs or bytesPerSecond, not both');
  }
  const perByte =
    options.bytesPerSecond !== undefined ? 1000 / check(options.bytesPerSecond, 'bytesPerSecond') : check(options.perByteMs ?? 0, 'perByteMs');
  if (!Number.isFinite(perByte)) throw new TypeError('withLatency: bytesPerSecond must be positive');
  const pc = options.perCallMs ?? 0;
  const perCall = typeof pc === 'function' ? pc : (check(pc, 'perCallMs'), () => pc);
  return new LatencyStorage(storage, perCall, perByte, options.clock ?? realClock);
}
