/**
 * Listings of encrypted objects report their plaintext size, as HeadObject's Content-Length does and as S3
 * lists them (ListObjectsV2 `Size`, https://docs.aws.amazon.com/AmazonS3/latest/API/API_Object.html: "Size in
 * bytes of the object"). Storage lists the stored size, which for a sealed object is larger (segment tags,
 * footer, part headers), and a listing item carries no metadata to tell an encrypted object from a plain one.
 *
 * So buckets that ever received an encrypted object are marked (a small JSON under the server's reserved
 * prefix, cached per process, written before the first encrypted object of the bucket is stored), and only
 * in a marked bucket does a listing look each item up: its record says whether it is sealed, and its
 * plaintext size is computed from the stored size (one put) or its parts (multipart-read.ts). A listing of a
 * bucket that never held an encrypted object costs one cached look-up.
 */
import { hasErrorCode } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { RESERVED_PREFIX } from '../bucket-registry.ts';
import type { S3Context, ServerState } from '../context.ts';
import { sealedPartsOf } from './multipart-read.ts';
import { plaintextSize } from './segment-cipher.ts';
import { recordOf } from './sse-record.ts';

const PREFIX = `${RESERVED_PREFIX}sse-buckets/`;
/** Items looked up at once when a listing of a marked bucket resolves plaintext sizes. */
const LOOKUPS_AT_ONCE = 8;
/**
 * How long a bucket found unmarked is believed so, in ms: another server process over the same storage may
 * mark it meanwhile (a mark, once seen, is kept for good).
 */
const UNMARKED_FOR_MS = 5_000;

/** Which buckets may hold encrypted objects. */
export interface EncryptedBuckets {
  /** Marks `bucket` before an encrypted object is stored in it (a map look-up once marked). */
  mark(bucket: string): Promise<void>;
  /** Whether `bucket` was ever marked. */
  mayHold(bucket: string): Promise<boolean>;
}

/** Creates the marks over `storage`. */
export function createEncryptedBuckets(storage: Storage): EncryptedBuckets {
  /** `true` for a marked bucket, else when the bucket was last found unmarked. */
  const known = new Map<string, true | number>();
  return {
    async mark(bucket) {
      if (known.get(bucket) === true) return;
      await storage.put(PREFIX + bucket, '{}', { contentType: 'application/json' });
      known.set(bucket, true);
    },
    async mayHold(bucket) {
      const cached = known.get(bucket);
      if (cached === true) return true;
      if (cached !== undefined && Date.now() - cached < UNMARKED_FOR_MS) return false;
      let marked = true;
      try {
        await storage.head(PREFIX + bucket);
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

/** Marks the bucket of an encrypted write (nothing to do on a server without encryption). */
export function markEncryptedBucket(state: ServerState, bucket: string): Promise<void> | undefined {
  return state.encryption?.buckets.mark(bucket);
}

/** The plaintext size of the object stored at `storageKey`, listed with `listedSize` bytes. */
async function plaintextSizeAt(ctx: S3Context, storageKey: string, listedSize: number): Promise<number> {
  let stored;
  try {
    stored = await ctx.state.storage.head(storageKey, { signal: ctx.signal });
  } catch (e) {
    if (hasErrorCode(e, 'NotFound')) return listedSize; // deleted since it was listed
    throw e;
  }
  const record = recordOf(stored);
  if (record === undefined || stored.size !== listedSize) return listedSize;
  if (record.multipart !== true) return plaintextSize(stored.size) ?? listedSize;
  const parts = await sealedPartsOf(ctx.state, storageKey, stored, ctx.signal);
  return parts.reduce((n, p) => n + p.plainSize, 0);
}

/**
 * `items` with the plaintext size of each encrypted one; `storageKeyOf` names where an item's bytes are. Items
 * of a bucket never marked come back as they are.
 */
export async function withPlaintextSizes<T extends { size: number }>(ctx: S3Context, bucket: string, items: T[], storageKeyOf: (item: T) => string | Promise<string | undefined>): Promise<T[]> {
  const marks = ctx.state.encryption?.buckets;
  if (items.length === 0 || marks === undefined || !(await marks.mayHold(bucket))) return items;
  const out = [...items];
  for (let i = 0; i < out.length; i += LOOKUPS_AT_ONCE) {
    await Promise.all(
      out.slice(i, i + LOOKUPS_AT_ONCE).map(async (item, j) => {
        const key = await storageKeyOf(item);
        if (key !== undefined) out[i + j] = { ...item, size: await plaintextSizeAt(ctx, key, item.size) };
      }),
    );
  }
  return out;
}
