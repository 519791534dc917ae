/**
 * Part layouts of multipart objects, for GetObject/HeadObject `?partNumber=N`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_RequestSyntax).
 *
 * The contract keeps a completed object's part count but not its part sizes, so CompleteMultipartUpload
 * records them under the reserved prefix with the object's ETag. A record whose ETag no longer matches the
 * object (overwritten since) is ignored, so a stale record can never serve wrong bytes.
 */
import { hasErrorCode } from '@strata/storage';
import type { ObjectInfo, Storage } from '@strata/storage';
import { RESERVED_PREFIX } from './bucket-registry.ts';
import { S3Error } from './s3-errors.ts';
import { readAll } from './streams.ts';

const PARTS_PREFIX = `${RESERVED_PREFIX}parts/`;

interface Layout {
  etag: string;
  sizes: number[];
}

/** Records the part sizes of a just-completed multipart object. */
export async function recordPartLayout(storage: Storage, key: string, etag: string, sizes: number[]): Promise<void> {
  const layout: Layout = { etag, sizes };
  await storage.put(PARTS_PREFIX + key, JSON.stringify(layout), { contentType: 'application/json' });
}

/** Drops the record of a deleted object (best effort: a stale record is ignored anyway). */
export async function forgetPartLayout(storage: Storage, key: string): Promise<void> {
  await storage.delete(PARTS_PREFIX + key).catch(() => undefined);
}

async function readLayout(storage: Storage, key: string): Promise<Layout | undefined> {
  try {
    const { body } = await storage.get(PARTS_PREFIX + key);
    return JSON.parse((await readAll(body, 1024 * 1024)).toString('utf8')) as Layout;
  } catch (e) {
    if (hasErrorCode(e, 'NotFound')) return undefined;
    throw e;
  }
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
 * The byte range of part `n` of `info` and the part count to report. A single-part object has one part (the
 * whole object); beyond the last part S3 answers 416 InvalidPartNumber, mapped here to InvalidRange.
 */
export async function partRange(storage: Storage, info: ObjectInfo, n: number): Promise<{ start: number; end: number; count: number } | undefined> {
  if (!info.partCount) {
    if (n !== 1) throw new S3Error('InvalidRange', 'The requested partnumber is not satisfiable');
    return info.size === 0 ? undefined : { start: 0, end: info.size - 1, count: 1 };
  }
  const layout = await readLayout(storage, info.key);
  if (!layout || layout.etag !== info.etag) throw new S3Error('NotImplemented', 'The part layout of this object is not known');
  if (n > layout.sizes.length) throw new S3Error('InvalidRange', 'The requested partnumber is not satisfiable');
  const start = layout.sizes.slice(0, n - 1).reduce((a, b) => a + b, 0);
  const size = layout.sizes[n - 1] ?? 0;
  return { start, end: start + size - 1, count: layout.sizes.length };
}
