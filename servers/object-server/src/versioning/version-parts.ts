/**
 * GetObject and HeadObject `?versionId=X&partNumber=N` of a version completed from a multipart upload
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, `partNumber`: "Part number of the
 * object being read … Useful for downloading just a part of an object"; HeadObject alike).
 *
 * A version's bytes live under their own storage key, which the part-layout records (kept per plain key, for
 * the current object only) do not describe, so the version's index entry carries its part sizes. A part read
 * becomes a ranged read of that part's bytes — answered 206 with Content-Range, as S3 answers a part — plus
 * `x-amz-mp-parts-count`; a part beyond the last is 416 InvalidPartNumber naming the version's part count.
 * Versions without recorded sizes (single-part, or written before sizes were kept) take the object path
 * unchanged: part 1 is the whole object.
 */
import type { VersionEntry } from '@strata/storage';
import { header } from '../context.ts';
import type { S3Context, S3Response } from '../context.ts';
import { parsePartNumber } from '../part-layout.ts';
import type { QueryParams } from '../query-params.ts';
import { S3Error } from '../s3-errors.ts';

/**
 * A part read of a version: the request to read as a range, and the part count to answer. For a part of no
 * bytes (an empty last part) `ctx` asks for the whole object's headers only, and `empty` says the answer is
 * that empty part.
 */
export interface VersionPartRead {
  ctx: S3Context;
  partsCount: number;
  empty?: true;
}

/** `query` without `partNumber` (the part is asked for as a range instead). */
function withoutPartNumber(query: QueryParams): QueryParams {
  return new Proxy(query, {
    get(target, name) {
      if (name === 'get') return (n: string) => (n === 'partNumber' ? null : target.get(n));
      if (name === 'has') return (n: string) => n !== 'partNumber' && target.has(n);
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * The ranged read that answers `?partNumber=` for `entry`, or undefined when the request is not a part read of
 * a version with recorded part sizes (or names a Range too, which the object path refuses as S3 does).
 */
export function versionPartRead(ctx: S3Context, entry: Pick<VersionEntry, 'partSizes'>): VersionPartRead | undefined {
  const sizes = entry.partSizes;
  if (sizes === undefined || sizes.length === 0 || header(ctx, 'range') !== undefined) return undefined;
  const n = parsePartNumber(ctx.query.get('partNumber'));
  if (n === undefined) return undefined;
  if (n > sizes.length) {
    throw new S3Error('InvalidPartNumber', undefined, { extra: { PartNumberRequested: String(n), ActualPartCount: String(sizes.length) } });
  }
  const start = sizes.slice(0, n - 1).reduce((a, b) => a + b, 0);
  const size = sizes[n - 1] ?? 0;
  const query = withoutPartNumber(ctx.query);
  const headers = size === 0 ? ctx.headers : { ...ctx.headers, range: `bytes=${start}-${start + size - 1}` };
  // A proxy, not a copy: the context computes some fields lazily (its abort signal) from private state.
  const partCtx = new Proxy(ctx, {
    get(target, name) {
      if (name === 'query') return query;
      if (name === 'headers') return headers;
      return Reflect.get(target, name, target);
    },
  });
  return { ctx: partCtx, partsCount: sizes.length, ...(size === 0 ? { empty: true as const } : {}) };
}

/**
 * The answer of a part read, with the part count S3 adds. An empty part is answered from the whole object's
 * headers (`res`, read without a body): no bytes, and no Content-Range, which cannot name an empty span (RFC
 * 9110 §14.4), nor whole-object checksums.
 */
export function withPartsCount(res: S3Response, part: VersionPartRead | undefined, withBody: boolean): S3Response {
  if (part === undefined) return res;
  const headers: Record<string, string | number | undefined> = { ...res.headers, 'x-amz-mp-parts-count': part.partsCount };
  if (part.empty !== true || (res.status ?? 200) >= 300) return { ...res, headers };
  for (const name of Object.keys(headers)) if (name.startsWith('x-amz-checksum-')) delete headers[name];
  return { status: 200, headers: { ...headers, 'content-length': 0 }, ...(withBody ? { body: Buffer.alloc(0) } : {}) };
}
