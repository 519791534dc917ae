/**
 * What CompleteMultipartUpload records about a multipart object, under the reserved prefix with the object's
 * ETag (`.strata/parts/<bucket>/<key>`):
 *
 * - its part sizes, for GetObject/HeadObject `?partNumber=N`
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_RequestSyntax): the
 *   contract keeps a completed object's part count but not its part sizes;
 * - the completion itself (upload id, the part list, the answer's checksums), so a CompleteMultipartUpload
 *   retried after it succeeded — an SDK retries it when the answer is lost on the way — gets the same answer
 *   instead of NoSuchUpload, as S3 keeps a completed upload id answerable for a while
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html). The completion is
 *   honoured for {@link COMPLETION_WINDOW_MS} after it, for the same part list only.
 *
 * A record whose ETag no longer matches the object (overwritten since) is ignored, so a stale record can never
 * serve wrong bytes; deletes and overwrites remove the record, so there is at most one per multipart object
 * and records do not accumulate (which also bounds how many completions are remembered).
 *
 * Which keys have a record is kept in memory (listed once from the reserved prefix, the server being its only
 * writer), so a PutObject or DeleteObject of a key without one — nearly all of them — costs no storage call.
 */
import { hasErrorCode, normalizeEtag } from '@strata/storage';
import type { Checksums, ObjectInfo, Storage } from '@strata/storage';
import { RESERVED_PREFIX } from './bucket-registry.ts';
import { S3Error } from './s3-errors.ts';
import { readAll } from './streams.ts';

/** Where part layouts live in the backing storage (`.strata/parts/<bucket>/<key>`). */
export const PARTS_PREFIX = `${RESERVED_PREFIX}parts/`;

/** How long a completed upload stays answerable to a retried CompleteMultipartUpload, in ms (one hour). */
export const COMPLETION_WINDOW_MS = 60 * 60 * 1000;

/** The completion of a multipart upload: what a retry must repeat, and what it is answered with. */
export interface Completion {
  uploadId: string;
  /** The part list completed, as `[partNumber, etag]` pairs (ETags unquoted). */
  parts: [number, string][];
  /** When it completed, in ms since the epoch. */
  at: number;
  /** The checksums of the answer, when the upload had an algorithm. */
  checksums?: Checksums;
  checksumType?: 'COMPOSITE' | 'FULL_OBJECT';
}

/** A recorded layout: the part sizes of the object that had this ETag, and the completion that made it. */
export interface PartLayout {
  etag: string;
  sizes: number[];
  /** Absent in records written before completions were kept. */
  completion?: Completion;
  /** Each part's checksums, in part order, for GetObjectAttributes' ObjectParts (absent in older records). */
  partChecksums?: Checksums[];
}

/** The part-layout records of one backing storage. */
export interface PartLayouts {
  /**
   * Records the part sizes and completion of a just-completed object (best effort: without it, partNumber
   * reads fall back and a retried Complete answers NoSuchUpload).
   */
  record(key: string, layout: PartLayout): Promise<void>;
  /** Drops the record of a deleted or overwritten object; no storage call when it has none. */
  forget(key: string): Promise<void>;
  /** The recorded layout of `key`, when there is one. */
  read(key: string): Promise<PartLayout | undefined>;
  /**
   * The layout of `key` when upload `uploadId` completed it with exactly the part list `parts` (part numbers
   * and ETags) within {@link COMPLETION_WINDOW_MS} and the record still describes the object there.
   */
  completedBy(key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<PartLayout | undefined>;
}

/** Creates the layout records over `storage`. */
export function createPartLayouts(storage: Storage): PartLayouts {
  let known: Promise<Set<string>> | undefined;

  async function load(): Promise<Set<string>> {
    const keys = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await storage.list({ prefix: PARTS_PREFIX, ...(cursor !== undefined ? { cursor } : {}) });
      for (const item of page.items) keys.add(item.key.slice(PARTS_PREFIX.length));
      cursor = page.cursor;
    } while (cursor !== undefined);
    return keys;
  }

  const keysWithRecords = (): Promise<Set<string>> => {
    known ??= load().catch((e: unknown) => {
      known = undefined; // retried by the next call
      throw e;
    });
    return known;
  };

  async function read(key: string): Promise<PartLayout | undefined> {
    try {
      const { body } = await storage.get(PARTS_PREFIX + key);
      return JSON.parse((await readAll(body, 1024 * 1024)).toString('utf8')) as PartLayout;
    } catch (e) {
      if (hasErrorCode(e, 'NotFound') || hasErrorCode(e, 'InvalidKey') || e instanceof SyntaxError) return undefined;
      throw e;
    }
  }

  return {
    async record(key, layout) {
      try {
        const set = await keysWithRecords();
        await storage.put(PARTS_PREFIX + key, JSON.stringify(layout), { contentType: 'application/json' });
        set.add(key);
      } catch {
        // The object is complete either way; a missing record only makes partNumber reads answer for a
        // single-part object (e.g. when the reserved key would exceed the backend's key length).
      }
    },
    async forget(key) {
      let set: Set<string> | undefined;
      try {
        set = await keysWithRecords();
      } catch {
        set = undefined; // listing failed: try the delete anyway
      }
      if (set && !set.has(key)) return;
      await storage.delete(PARTS_PREFIX + key).catch(() => undefined);
      set?.delete(key);
    },
    read,
    async completedBy(key, uploadId, parts) {
      const layout = await read(key);
      const c = layout?.completion;
      if (!layout || !c || c.uploadId !== uploadId || !(Date.now() - c.at <= COMPLETION_WINDOW_MS)) return undefined;
      const same = c.parts.length === parts.length && parts.every((p, i) => c.parts[i]?.[0] === p.partNumber && c.parts[i]?.[1] === normalizeEtag(p.etag));
      if (!same) return undefined;
      // The object must still be the one this upload made (a record outlives its object only if dropping it failed).
      try {
        return (await storage.head(key)).etag === layout.etag ? layout : undefined;
      } catch (e) {
        if (hasErrorCode(e, 'NotFound')) return undefined;
        throw e;
      }
    },
  };
}

/** Parses the `partNumber` query parameter: an integer 1..10000, else `InvalidArgument`. */
export function parsePartNumber(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 10_000) {
    throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', {
      extra: { ArgumentName: 'partNumber', ArgumentValue: value },
    });
  }
  return Number(value);
}

/**
 * The byte range of a part, and the part count to report (`x-amz-mp-parts-count`; absent for a single-part
 * object). An empty part of a multipart object (an empty last part) has `end` = `start - 1`: no bytes.
 */
export interface PartRange {
  start: number;
  end: number;
  count: number | undefined;
}

/** S3's 416 for a part beyond the last, with the elements S3 adds (the part asked for and the actual count). */
function invalidPartNumber(requested: number, actual: number): S3Error {
  return new S3Error('InvalidPartNumber', undefined, { extra: { PartNumberRequested: String(requested), ActualPartCount: String(actual) } });
}

/**
 * The byte range of part `n` of `info` (undefined for the one part of an empty object, answered as that whole,
 * empty object; an empty part of a multipart object is an empty range, not the whole object). A
 * multipart object with a recorded layout (or of one part) serves its parts; any other object — single-part, or
 * multipart with an unknown layout (completed elsewhere, record lost) — answers as S3 does for a non-multipart
 * object: part 1 is the whole object without a parts count, any other part is 416 InvalidPartNumber.
 */
export async function partRange(layouts: PartLayouts, info: ObjectInfo, n: number): Promise<PartRange | undefined> {
  let sizes: number[] | undefined;
  if (info.partCount === 1) sizes = [info.size];
  else if (info.partCount !== undefined) {
    const layout = await layouts.read(info.key);
    if (layout && layout.etag === info.etag && layout.sizes.length === info.partCount) sizes = layout.sizes;
  }
  if (!sizes) {
    if (n !== 1) throw invalidPartNumber(n, 1);
    return info.size === 0 ? undefined : { start: 0, end: info.size - 1, count: undefined };
  }
  if (n > sizes.length) throw invalidPartNumber(n, sizes.length);
  const start = sizes.slice(0, n - 1).reduce((a, b) => a + b, 0);
  const size = sizes[n - 1] ?? 0;
  return { start, end: start + size - 1, count: sizes.length };
}
