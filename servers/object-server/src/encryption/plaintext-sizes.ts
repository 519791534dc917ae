/**
 * Listings of encrypted objects report each object as HeadObject does: its plaintext size (ListObjectsV2
 * `Size`, https://docs.aws.amazon.com/AmazonS3/latest/API/API_Object.html: "Size in bytes of the object") and
 * its reported ETag. Storage lists the stored size and ETag, which for a sealed object are the sealed bytes'
 * (segment tags, footer, part headers), and a listing item carries no metadata to tell an encrypted object
 * from a plain one.
 *
 * The ETag rule is the one "Object", ETag (same page) states and every operation follows (encrypted-write.ts):
 * an SSE-S3 object's ETag is the MD5 of its plaintext ("Objects encrypted by SSE-S3 … have ETags that are an
 * MD5 digest of their object data"), kept in its sealed footer; an SSE-C object's is not an MD5 of its data,
 * and is the stored bytes' ETag PutObject answered; a multipart object's is the completion's
 * `md5-of-part-md5s-N`, whatever its encryption.
 *
 * So buckets that ever received an encrypted object are marked (bucket-marks.ts), and only in a marked
 * bucket does a listing look each item up: its record says whether it is sealed; its plaintext size is
 * computed from the stored size (one put) or its parts (multipart-read.ts), and an SSE-S3 object's ETag read
 * from its footer. A listing of a bucket that never held an encrypted object costs one cached look-up.
 */
import { hasErrorCode } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { RESERVED_PREFIX } from '../bucket-registry.ts';
import { createBucketMarks } from '../bucket-marks.ts';
import type { BucketMarks } from '../bucket-marks.ts';
import type { S3Context, ServerState } from '../context.ts';
import { openEncrypted } from './encrypted-read.ts';
import { sealedPartsOf } from './multipart-read.ts';
import { plaintextSize } from './segment-cipher.ts';
import { recordOf } from './sse-record.ts';

const PREFIX = `${RESERVED_PREFIX}sse-buckets/`;
/** Items looked up at once when a listing of a marked bucket resolves what clients see. */
const LOOKUPS_AT_ONCE = 8;

/** Which buckets may hold encrypted objects. */
export type EncryptedBuckets = BucketMarks;

/** Creates the marks over `storage`. */
export function createEncryptedBuckets(storage: Storage): EncryptedBuckets {
  return createBucketMarks(storage, PREFIX);
}

/** Marks the bucket of an encrypted write (nothing to do on a server without encryption). */
export function markEncryptedBucket(state: ServerState, bucket: string): Promise<void> | undefined {
  return state.encryption?.buckets.mark(bucket);
}

/** A listed object's size and ETag. */
interface Listed {
  size: number;
  etag: string;
}

/** `listed` (the object stored at `storageKey`) with the size and ETag clients see of it. */
async function reportedAt<T extends Listed>(ctx: S3Context, storageKey: string, listed: T): Promise<T> {
  let stored;
  try {
    stored = await ctx.state.storage.head(storageKey, { signal: ctx.signal });
  } catch (e) {
    if (hasErrorCode(e, 'NotFound')) return listed; // deleted since it was listed
    throw e;
  }
  const record = recordOf(stored);
  if (record === undefined || stored.size !== listed.size) return listed;
  if (record.multipart === true) {
    const parts = await sealedPartsOf(ctx.state, storageKey, stored, ctx.signal);
    return { ...listed, size: parts.reduce((n, p) => n + p.plainSize, 0) };
  }
  if (record.mode === 'C') return { ...listed, size: plaintextSize(stored.size) ?? listed.size };
  const size = plaintextSize(stored.size) ?? listed.size;
  // SSE-S3: the plaintext MD5, from the footer the data key opens. A server without the master key answers
  // HeadObject with an error; its listing still lists the object, with the ETag it has.
  if (ctx.state.encryption?.masterKey === undefined) return { ...listed, size };
  const opened = await openEncrypted(ctx.state, storageKey, stored, undefined, ctx.signal);
  return { ...listed, size, etag: opened?.info.etag ?? listed.etag };
}

/**
 * `items` with the plaintext size and reported ETag of each encrypted one; `storageKeyOf` names where an item's
 * bytes are. Items of a bucket never marked come back as they are.
 */
export async function withReportedSizes<T extends Listed>(ctx: S3Context, bucket: string, items: T[], storageKeyOf: (item: T) => string | Promise<string | undefined>): Promise<T[]> {
  const marks = ctx.state.encryption?.buckets;
  if (items.length === 0 || marks === undefined || !(await marks.mayHold(bucket))) return items;
  const out = [...items];
  for (let i = 0; i < out.length; i += LOOKUPS_AT_ONCE) {
    await Promise.all(
      out.slice(i, i + LOOKUPS_AT_ONCE).map(async (item, j) => {
        const key = await storageKeyOf(item);
        if (key !== undefined) out[i + j] = await reportedAt(ctx, key, item);
      }),
    );
  }
  return out;
}
