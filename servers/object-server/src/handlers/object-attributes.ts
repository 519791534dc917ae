/**
 * GetObjectAttributes — https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html
 *
 * `GET /bucket/key?attributes` answers the attributes named in `x-amz-object-attributes`
 * (object-attributes-request.ts) without the object's bytes, with Last-Modified (and `x-amz-version-id` in a
 * versioned bucket) as headers:
 *
 * - ETag: without quotes, unlike every other answer carrying one (the page's example shows it so).
 * - Checksum: the object's stored full-object checksums; for a multipart object the composite value keeps its
 *   `-N` suffix and ChecksumType is COMPOSITE or FULL_OBJECT as the upload chose. Absent for an object stored
 *   without a checksum.
 * - ObjectParts: only for a multipart object. TotalPartsCount (`PartsCount` on the wire) always; the Part
 *   elements (PartNumber, Size, the part's checksums) only when the object has an additional checksum, as the
 *   GetObjectAttributesParts page says of general purpose buckets, and when the part layout recorded at
 *   Complete (part-layout.ts) still describes the object. Paged by `x-amz-part-number-marker` and
 *   `x-amz-max-parts` like ListParts.
 * - StorageClass: STANDARD (the only class this server stores). ObjectSize: the size in bytes.
 *
 * An encrypted object (SSE-S3, or SSE-C with the customer's key headers, which the page accepts) reports what a
 * client holds, as HeadObject does: its plaintext size and reported ETag, and no Checksum (storage computed it
 * over the sealed bytes); its encryption headers are answered.
 *
 * The page defines no conditional headers (If-Match and the rest are GetObject's and HeadObject's), so none are
 * evaluated. A missing key is NoSuchKey; a delete marker answers as HeadObject's does (versioned-object.ts).
 */
import { hasErrorCode } from '@strata/storage';
import type { Checksums, ObjectInfo } from '@strata/storage';
import { checksumXml } from '../checksum-fields.ts';
import { bucketOf, keyOf, storageKey } from '../context.ts';
import { openEncrypted } from '../encryption/encrypted-read.ts';
import { customerKeyFrom } from '../encryption/sse-request.ts';
import type { Handler, S3Context, S3Response } from '../context.ts';
import { httpDate } from '../object-headers.ts';
import { partsPaging, requestedAttributes } from '../object-attributes-request.ts';
import type { ObjectAttribute, PartsPaging } from '../object-attributes-request.ts';
import type { PartLayout } from '../part-layout.ts';
import { S3Error } from '../s3-errors.ts';
import type { XmlObject } from '../xml.ts';
import { isUnversioned, readVersioned } from '../versioning/versioned-object.ts';

const hasChecksums = (c: Checksums | undefined): c is Checksums => c !== undefined && Object.keys(c).length > 0;

/** The Checksum element: the object's checksums and their type (a single-part object's are full-object ones). */
function checksumElement(info: ObjectInfo): XmlObject | undefined {
  if (!hasChecksums(info.checksums)) return undefined;
  const type = info.partCount === undefined ? 'FULL_OBJECT' : (info.checksumType ?? 'COMPOSITE');
  return { ...checksumXml(info.checksums), ChecksumType: type };
}

/** The recorded layout of a multipart object, when it still describes this very object. */
async function layoutOf(ctx: S3Context, info: ObjectInfo): Promise<PartLayout | undefined> {
  const layout = await ctx.state.layouts.read(info.key);
  return layout && layout.etag === info.etag && layout.sizes.length === info.partCount ? layout : undefined;
}

/** One Part element: its number, size and those of its checksums the object was stored with. */
function partElement(layout: PartLayout, index: number, objectChecksums: Checksums): XmlObject & { PartNumber: number } {
  const own = layout.partChecksums?.[index] ?? {};
  const kept: Checksums = {};
  for (const alg of Object.keys(objectChecksums) as (keyof Checksums)[]) if (own[alg] !== undefined) kept[alg] = own[alg];
  return {
    // The completion's part numbers are the ones the client uploaded (they need not be 1..N).
    PartNumber: layout.completion?.parts[index]?.[0] ?? index + 1,
    Size: layout.sizes[index] ?? 0,
    ...checksumXml(kept),
  };
}

/** The ObjectParts element of a multipart object (undefined for a single-part one). */
async function objectPartsElement(ctx: S3Context, info: ObjectInfo, paging: PartsPaging): Promise<XmlObject | undefined> {
  if (info.partCount === undefined) return undefined;
  const layout = hasChecksums(info.checksums) ? await layoutOf(ctx, info) : undefined;
  const all = layout && hasChecksums(info.checksums) ? layout.sizes.map((_, i) => partElement(layout, i, info.checksums as Checksums)) : [];
  const after = all.filter((p) => p.PartNumber > paging.partNumberMarker);
  const page = after.slice(0, paging.maxParts);
  const last = page.at(-1);
  return {
    PartsCount: info.partCount,
    PartNumberMarker: paging.partNumberMarker,
    NextPartNumberMarker: last === undefined ? paging.partNumberMarker : last.PartNumber,
    MaxParts: paging.maxParts,
    IsTruncated: after.length > page.length,
    Part: page,
  };
}

/**
 * The answer for the object stored at `key` (the plain key, or a version's storage key); `etag` is a version's
 * reported ETag when its stored bytes carry another (versioned-object.ts), so the answer is HeadObject's.
 */
async function attributesAt(ctx: S3Context, key: string, wanted: Set<ObjectAttribute>, paging: PartsPaging, etag?: string): Promise<S3Response> {
  let stored: ObjectInfo;
  try {
    stored = await ctx.state.storage.head(key, { signal: ctx.signal });
  } catch (e) {
    if (hasErrorCode(e, 'NotFound')) throw new S3Error('NoSuchKey', undefined, { cause: e, extra: { Key: ctx.key as string } });
    throw e;
  }
  const opened = await openEncrypted(ctx.state, key, stored, customerKeyFrom(ctx), ctx.signal);
  const own = opened?.info ?? stored;
  const info = etag === undefined ? own : { ...own, etag };
  return {
    headers: { ...opened?.sseHeaders, 'last-modified': httpDate(info.lastModified) },
    xml: {
      root: 'GetObjectAttributesResponse',
      body: {
        ETag: wanted.has('ETag') ? info.etag : undefined,
        Checksum: wanted.has('Checksum') ? checksumElement(info) : undefined,
        ObjectParts: wanted.has('ObjectParts') ? await objectPartsElement(ctx, info, paging) : undefined,
        StorageClass: wanted.has('StorageClass') ? 'STANDARD' : undefined,
        ObjectSize: wanted.has('ObjectSize') ? info.size : undefined,
      },
    },
  };
}

/** Returns the attributes of an object (or of a version of it). */
export const getObjectAttributes: Handler = (ctx) => {
  // Checked before any storage call, so a bad request costs nothing.
  const wanted = requestedAttributes(ctx);
  const paging = partsPaging(ctx);
  const plainKey = storageKey(bucketOf(ctx), keyOf(ctx));
  if (isUnversioned(ctx)) return attributesAt(ctx, plainKey, wanted, paging);
  return readVersioned(ctx, true, (c, _withBody, versionKey, etag) => attributesAt(c, versionKey ?? plainKey, wanted, paging, etag));
};
