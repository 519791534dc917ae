/**
 * An abortable sleep shared by the retry and latency layers: a fired signal ends the wait at once with the
 * contract's `Aborted` error (every contract operation takes an AbortSignal, and a wait is part of the operation).
 */
import { abortedError } from '../errors.ts';

/** Waits `ms` milliseconds, or rejects with `Aborted` (op and key set) as soon as `signal` fires. */
export function abortableSleep(ms: number, signal?: AbortSignal, op?: string, key?: string): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortedError(signal, op, key));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError(signal, op, key));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
