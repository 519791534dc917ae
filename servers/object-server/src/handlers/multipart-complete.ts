/**
 * CompleteMultipartUpload — https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
 *
 * The part list is checked by storage (InvalidPart, InvalidPartOrder, EntityTooSmall); the result's ETag is
 * `md5-of-md5s-N`. The part sizes are recorded so GetObject `?partNumber=` can serve a part later.
 */
import type { CompletedPart, PartInfo } from '@strata/storage';
import { checksumXml, checksumsFromXml } from '../checksum-fields.ts';
import { writeConditionsFrom } from '../conditions.ts';
import { bucketOf, keyOf, storageKey } from '../context.ts';
import type { Handler } from '../context.ts';
import { recordPartLayout } from '../part-layout.ts';
import { readXmlBody } from '../request-body.ts';
import { S3Error } from '../s3-errors.ts';
import { childText, children, parseXml } from '../xml.ts';

/** Parses a CompleteMultipartUpload document into the parts it names, in document order. */
export function parseCompleteXml(body: string): CompletedPart[] {
  const parts = children(parseXml(body, 'CompleteMultipartUpload'), 'Part');
  if (parts.length === 0) throw new S3Error('MalformedXML', 'You must specify at least one part');
  return parts.map((p) => {
    const n = childText(p, 'PartNumber')?.trim() ?? '';
    const etag = childText(p, 'ETag');
    if (!/^\d+$/.test(n) || etag === undefined) throw new S3Error('MalformedXML', 'Every Part needs a PartNumber and an ETag');
    const checksums = checksumsFromXml(p);
    return { partNumber: Number(n), etag: etag.trim(), ...(checksums ? { checksums } : {}) };
  });
}

/** Completes a multipart upload. */
export const completeMultipartUpload: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const uploadId = ctx.query.get('uploadId') ?? '';
  const sKey = storageKey(bucket, key);
  const requested = parseCompleteXml(await readXmlBody(ctx));
  const { storage } = ctx.state;
  // Sizes must be read before completing: the upload (and its part list) is gone afterwards.
  const stored = new Map<number, PartInfo>();
  let marker: number | undefined;
  for (let round = 0; round < 20; round++) {
    const page = await storage.listParts(sKey, uploadId, { ...(marker !== undefined ? { partNumberMarker: marker } : {}), signal: ctx.signal });
    for (const p of page.parts) stored.set(p.partNumber, p);
    marker = page.nextPartNumberMarker;
    if (marker === undefined) break;
  }
  const info = await storage.completeMultipart(sKey, uploadId, requested, { ...writeConditionsFrom(ctx), signal: ctx.signal });
  await recordPartLayout(storage, sKey, info.etag, requested.map((p) => stored.get(p.partNumber)?.size ?? 0));
  const checksumType = info.checksums && Object.keys(info.checksums).length > 0 ? (info.checksumType ?? 'COMPOSITE') : undefined;
  return {
    xml: {
      root: 'CompleteMultipartUploadResult',
      body: {
        Location: `/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
        Bucket: bucket,
        Key: key,
        ETag: `"${info.etag}"`,
        ...checksumXml(info.checksums),
        ChecksumType: checksumType,
      },
    },
  };
};
