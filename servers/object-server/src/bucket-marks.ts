/**
 * Marks on buckets that make a listing of them look its items up — kept so that a listing of a bucket without
 * the mark costs no read per item. A mark is a small JSON under the server's reserved prefix, written before
 * the first object that needs it is stored, and cached per process; once seen it is kept for good. Used for
 * buckets that may hold encrypted objects (encryption/plaintext-sizes.ts) and buckets that may hold versions
 * completed from multipart uploads (versioning/listed-version-etags.ts).
 */
import { hasErrorCode } from '@strata/storage';
import type { Storage } from '@strata/storage';

/**
 * How long a bucket found unmarked is believed so, in ms: another server process over the same storage may
 * mark it meanwhile (a mark, once seen, is kept for good).
 */
const UNMARKED_FOR_MS = 5_000;

/** One kind of bucket mark. */
export interface BucketMarks {
  /** Marks `bucket` (a map look-up once marked). */
  mark(bucket: string): Promise<void>;
  /** Whether `bucket` was ever marked. */
  mayHold(bucket: string): Promise<boolean>;
}

/** Creates the marks stored under `prefix` (which ends with `/`) of `storage`. */
export function createBucketMarks(storage: Storage, prefix: string): BucketMarks {
  /** `true` for a marked bucket, else when the bucket was last found unmarked. */
  const known = new Map<string, true | number>();
  return {
    async mark(bucket) {
      if (known.get(bucket) === true) return;
      await storage.put(prefix + bucket, '{}', { contentType: 'application/json' });
      known.set(bucket, true);
    },
    async mayHold(bucket) {
      const cached = known.get(bucket);
      if (cached === true) return true;
      if (cached !== undefined && Date.now() - cached < UNMARKED_FOR_MS) return false;
      let marked = true;
      try {
        await storage.head(prefix + bucket);
      } catch (e) {
        if (!hasErrorCode(e, 'NotFound')) throw e;
        marked = false;
      }
      // A mark written meanwhile by this process wins over the look-up's answer.
      if (known.get(bucket) !== true) known.set(bucket, marked ? true : Date.now());
      return marked;
    },
  };
}
