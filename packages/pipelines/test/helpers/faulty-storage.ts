/**
 * A crash injector: a Storage that forwards to another until its Nth call, which throws `Unavailable`, and
 * then throws on every later call too — the process "died" at that step and does nothing more (no cleanup).
 */
import { StorageError } from '@strata/storage';
import type { Storage } from '@strata/storage';

/** A storage that fails from call `failAt` (1-based) on; `calls` counts every call made. */
export interface FaultyStorage extends Storage {
  readonly calls: number;
  readonly crashed: boolean;
}

const METHODS = ['put', 'get', 'head', 'delete', 'deleteMany', 'list', 'copy', 'setTags', 'startMultipart', 'uploadPart', 'completeMultipart', 'abortMultipart', 'listParts', 'listMultipartUploads'] as const;

/** Wraps `inner`; `failAt: Infinity` never fails (to count the calls of a healthy run). */
export function withCrashAt(inner: Storage, failAt: number): FaultyStorage {
  let calls = 0;
  let crashed = false;
  const wrapped: Record<string, unknown> = {
    get capabilities() {
      return inner.capabilities;
    },
    get calls() {
      return calls;
    },
    get crashed() {
      return crashed;
    },
    close: () => Promise.resolve(),
  };
  for (const m of METHODS) {
    wrapped[m] = async (...args: unknown[]) => {
      calls++;
      if (crashed || calls >= failAt) {
        crashed = true;
        throw new StorageError('Unavailable', `injected crash at call ${failAt} (${m})`, { op: m });
      }
      return (inner[m] as (...a: unknown[]) => unknown).apply(inner, args);
    };
  }
  return wrapped as unknown as FaultyStorage;
}
