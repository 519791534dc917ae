/**
 * Part layouts of multipart objects, for GetObject/HeadObject `?partNumber=N`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_RequestSyntax).
 *
 * The contract keeps a completed object's part count but not its part sizes, so CompleteMultipartUpload
 * records them under the reserved prefix with the object's ETag. A record whose ETag no longer matches the
 * object (overwritten since) is ignored, so a stale record can never serve wrong bytes; deletes and overwrites
 * remove the record so records do not accumulate.
 *
 * Which keys have a record is kept in memory (listed once from the reserved prefix, the server being its only
 * writer), so a PutObject or DeleteObject of a key without one — nearly all of them — costs no storage call.
 */
import { hasErrorCode } from '@strata/storage';
import type { ObjectInfo, Storage } from '@strata/storage';
import { RESERVED_PREFIX } from './bucket-registry.ts';
import { S3Error } from './s3-errors.ts';
import { readAll } from './streams.ts';

/** Where part layouts live in the backing storage (`.strata/parts/<bucket>/<key>`). */
export const PARTS_PREFIX = `${RESERVED_PREFIX}parts/`;

/** A recorded layout: the part sizes of the object that had this ETag. */
export interface PartLayout {
  etag: string;
  sizes: number[];
}

/** The part-layout records of one backing storage. */
export interface PartLayouts {
  /** Records the part sizes of a just-completed object (best effort: without it, partNumber reads fall back). */
  record(key: string, etag: string, sizes: number[]): Promise<void>;
  /** Drops the record of a deleted or overwritten object; no storage call when it has none. */
  forget(key: string): Promise<void>;
  /** The recorded layout of `key`, when there is one. */
  read(key: string): Promise<PartLayout | undefined>;
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

  return {
    async record(key, etag, sizes) {
      const layout: PartLayout = { etag, sizes };
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
    async read(key) {
      try {
        const { body } = await storage.get(PARTS_PREFIX + key);
        return JSON.parse((await readAll(body, 1024 * 1024)).toString('utf8')) as PartLayout;
      } catch (e) {
        if (hasErrorCode(e, 'NotFound') || hasErrorCode(e, 'InvalidKey') || e instanceof SyntaxError) return undefined;
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

/** The byte range of a part, and the part count to report (`x-amz-mp-parts-count`; absent for a single-part object). */
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
 * The byte range of part `n` of `info` (undefined for an empty part, answered as the whole, empty object). A
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
  return size === 0 ? undefined : { start, end: start + size - 1, count: sizes.length };
}
