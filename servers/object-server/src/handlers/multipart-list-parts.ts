/**
 * ListParts — https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html
 */
import { checksumXml } from '../checksum-fields.ts';
import { bucketOf, keyOf, storageKey } from '../context.ts';
import type { Handler } from '../context.ts';
import { S3Error } from '../s3-errors.ts';
import { parseMaxKeys } from './list-common.ts';
import { ownerXml } from './owner.ts';

/** Lists the parts of an upload. */
export const listParts: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const uploadId = ctx.query.get('uploadId') ?? '';
  const maxParts = parseMaxKeys(ctx, 'max-parts');
  const markerText = ctx.query.get('part-number-marker');
  if (markerText !== null && markerText !== '' && !/^\d+$/.test(markerText)) {
    throw new S3Error('InvalidArgument', 'Part number marker must be an integer', { extra: { ArgumentName: 'part-number-marker' } });
  }
  const marker = markerText ? Number(markerText) : undefined;
  const page = await ctx.state.storage.listParts(storageKey(bucket, key), uploadId, {
    ...(marker !== undefined ? { partNumberMarker: marker } : {}),
    limit: Math.max(maxParts, 1),
    signal: ctx.signal,
  });
  const parts = maxParts === 0 ? [] : page.parts;
  const owner = ownerXml(ctx.state.owner);
  return {
    xml: {
      root: 'ListPartsResult',
      body: {
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumberMarker: marker ?? 0,
        NextPartNumberMarker: page.nextPartNumberMarker ?? parts.at(-1)?.partNumber ?? 0,
        MaxParts: maxParts,
        IsTruncated: page.nextPartNumberMarker !== undefined,
        Part: parts.map((p) => ({ PartNumber: p.partNumber, LastModified: p.lastModified, ETag: `"${p.etag}"`, Size: p.size, ...checksumXml(p.checksums) })),
        Initiator: owner,
        Owner: owner,
        StorageClass: 'STANDARD',
      },
    },
  };
};
