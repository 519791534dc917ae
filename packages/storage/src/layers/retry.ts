/**
 * `withRetry`: retries calls that fail with a retryable {@link StorageError} (`RateLimited`, `Unavailable`, or
 * any error whose `retryable` flag is set), with exponential backoff and full jitter — the delay before retry
 * n is uniform in [0, min(maxDelayMs, baseDelayMs · 2^n)) (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"; the AWS SDKs' standard retry mode). Non-retryable errors and non-storage errors are thrown at once.
 *
 * A put or uploadPart whose body is a one-shot stream is never retried (its bytes are gone once read); only
 * bytes and strings are replayed. The wait honours the call's AbortSignal: a fired signal ends it with `Aborted`.
 */
import { isStorageError } from '../errors.ts';
import type { Storage } from '../types.ts';
import { ForwardingStorage } from './forwarding.ts';
import type { CallInfo } from './forwarding.ts';
import { abortableSleep } from './sleep.ts';

/** Options of {@link withRetry}. */
export interface RetryOptions {
  /** Retries after the first attempt. @default 3 */
  retries?: number;
  /** Backoff base: the cap of the first retry's delay. @default 50 */
  baseDelayMs?: number;
  /** The largest delay between attempts. @default 2000 */
  maxDelayMs?: number;
  /** Uniform [0, 1) source for the jitter (inject for deterministic tests). @default Math.random */
  random?: () => number;
  /** Called before each retry with the attempt number (1-based), the error and the chosen delay. */
  onRetry?: (event: { op: string; key: string | undefined; attempt: number; error: unknown; delayMs: number }) => void;
}

class RetryStorage extends ForwardingStorage {
  readonly #o: Required<Omit<RetryOptions, 'onRetry'>> & Pick<RetryOptions, 'onRetry'>;

  constructor(inner: Storage, options: Required<Omit<RetryOptions, 'onRetry'>> & Pick<RetryOptions, 'onRetry'>) {
    super(inner);
    this.#o = options;
  }

  protected override async invoke<T>(call: CallInfo, run: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        const retryable = isStorageError(error) && error.retryable && call.replayable && call.op !== 'close';
        if (!retryable || attempt >= this.#o.retries) throw error;
        const cap = Math.min(this.#o.maxDelayMs, this.#o.baseDelayMs * 2 ** attempt);
        const delayMs = Math.floor(this.#o.random() * cap);
        this.#o.onRetry?.({ op: call.op, key: call.key, attempt: attempt + 1, error, delayMs });
        await abortableSleep(delayMs, call.signal, call.op, call.key);
      }
    }
  }
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`withRetry: ${name} must be a non-negative number, got ${value}`);
  return value;
}

/** Wraps `storage` so transient failures are retried with capped exponential backoff and full jitter. */
export function withRetry(storage: Storage, options: RetryOptions = {}): Storage {
  const retries = nonNegative(options.retries ?? 3, 'retries');
  if (!Number.isInteger(retries)) throw new TypeError(`withRetry: retries must be an integer, got ${retries}`);
  return new RetryStorage(storage, {
    retries,
    baseDelayMs: nonNegative(options.baseDelayMs ?? 50, 'baseDelayMs'),
    maxDelayMs: nonNegative(options.maxDelayMs ?? 2000, 'maxDelayMs'),
    random: options.random ?? Math.random,
    onRetry: options.onRetry,
  });
}
