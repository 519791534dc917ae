/**
 * A crash injector for the version store: a Storage that forwards to another and "dies" at its Nth write
 * (put, copy, delete, deleteMany, setTags, move, and the multipart calls that change state). In `before` mode
 * the Nth write never happens; in `after` mode it happens but its caller never learns so. From then on every call throws `Unavailable`: the process
 * is gone and does nothing more (no cleanup).
 */
import { StorageError } from '../../src/index.ts';
import type { Storage } from '../../src/index.ts';

/** Where the crash falls relative to the Nth write. */
export type CrashMode = 'before' | 'after';

/** A storage that crashes at write `crashAt` (1-based); `writes` counts the writes attempted. */
export interface CrashingStorage extends Storage {
  readonly writes: number;
  readonly crashed: boolean;
}

const WRITES = new Set(['put', 'copy', 'delete', 'deleteMany', 'setTags', 'move', 'startMultipart', 'uploadPart', 'completeMultipart', 'abortMultipart']);
const METHODS = ['put', 'get', 'head', 'delete', 'deleteMany', 'list', 'copy', 'move', 'exists', 'setTags', 'startMultipart', 'uploadPart', 'completeMultipart', 'abortMultipart', 'listParts', 'listMultipartUploads'] as const;

/** Wraps `inner`; `crashAt: Infinity` never crashes (to count the writes of a healthy run). */
export function withCrashAtWrite(inner: Storage, crashAt: number, mode: CrashMode): CrashingStorage {
  let writes = 0;
  let crashed = false;
  const dead = (op: string) => new StorageError('Unavailable', `injected crash at write ${crashAt} (${op})`, { op });
  const wrapped: Record<string, unknown> = {
    get capabilities() {
      return inner.capabilities;
    },
    get writes() {
      return writes;
    },
    get crashed() {
      return crashed;
    },
    listAll: () => {
      throw dead('listAll');
    },
    close: () => Promise.resolve(),
  };
  for (const m of METHODS) {
    wrapped[m] = async (...args: unknown[]) => {
      if (crashed) throw dead(m);
      const call = () => (inner[m] as (...a: unknown[]) => Promise<unknown>).apply(inner, args);
      if (!WRITES.has(m)) return call();
      writes++;
      if (writes < crashAt) return call();
      crashed = true;
      if (mode === 'after') await call();
      throw dead(m);
    };
  }
  return wrapped as unknown as CrashingStorage;
}
