/**
 * UploadPart — https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html
 * UploadPartCopy — https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html
 *
 * A part's body streams into storage like a put. A copied part streams from the source object (or the
 * `x-amz-copy-source-range` of it) into the part, never held whole in memory.
 */
import { hasErrorCode } from '@strata/storage';
import type { ByteRange } from '@strata/storage';
import { checksumXml } from '../checksum-fields.ts';
import { bucketOf, header, keyOf, storageKey } from '../context.ts';
import type { Handler, S3Context } from '../context.ts';
import { copySourceOf } from '../copy-source.ts';
import { copySourceConditions, resolveCopySource } from '../versioning/copy-source-version.ts';
import { checksumHeaders, quoteEtag } from '../object-headers.ts';
import { parsePartNumber } from '../part-layout.ts';
import { objectBody } from '../request-body.ts';
import { S3Error } from '../s3-errors.ts';

/** The upload (storage key, upload id) and part number an UploadPart or UploadPartCopy names. */
export function partTarget(ctx: S3Context): { key: string; uploadId: string; partNumber: number } {
  const uploadId = ctx.query.get('uploadId') ?? '';
  const partNumber = parsePartNumber(ctx.query.get('partNumber'));
  if (uploadId === '' || partNumber === undefined) throw new S3Error('InvalidRequest', 'uploadId and partNumber are required');
  return { key: storageKey(bucketOf(ctx), keyOf(ctx)), uploadId, partNumber };
}

/** Stores one part. */
export const uploadPart: Handler = async (ctx) => {
  const { key, uploadId, partNumber } = partTarget(ctx);
  const { body, options } = objectBody(ctx);
  const part = await ctx.state.storage.uploadPart(key, uploadId, partNumber, body, { ...options, signal: ctx.signal });
  return { headers: { etag: quoteEtag(part.etag), ...checksumHeaders(part.checksums) } };
};

/** Parses `x-amz-copy-source-range: bytes=first-last` (both required, as S3 requires). */
export function copyRange(value: string | undefined): ByteRange | undefined {
  if (value === undefined) return undefined;
  const m = /^bytes=(\d+)-(\d+)$/.exec(value.trim());
  if (!m || Number(m[2]) < Number(m[1])) {
    throw new S3Error('InvalidArgument', 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', {
      extra: { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: value },
    });
  }
  return { start: Number(m[1]), end: Number(m[2]) };
}

/** Stores one part copied from (a range of) an existing object. */
export const uploadPartCopy: Handler = async (ctx) => {
  const { key, uploadId, partNumber } = partTarget(ctx);
  const source = await copySourceOf(ctx);
  const range = copyRange(header(ctx, 'x-amz-copy-source-range'));
  const { storage } = ctx.state;
  let result;
  try {
    const resolved = await resolveCopySource(ctx, source);
    result = await storage.get(resolved.storageKey, {
      ...(await copySourceConditions(ctx, resolved)),
      ...(range ? { range } : {}),
      signal: ctx.signal,
    });
  } catch (e) {
    if (hasErrorCode(e, 'NotModified')) throw new S3Error('PreconditionFailed', undefined, { cause: e });
    throw e;
  }
  if (range && 'start' in range && range.end !== undefined && range.end >= result.info.size) {
    result.body.destroy();
    throw new S3Error('InvalidRange', `Range specified is not valid for source object of size: ${result.info.size}`);
  }
  const length = result.range ? result.range.end - result.range.start + 1 : result.info.size;
  const part = await storage.uploadPart(key, uploadId, partNumber, result.body, { contentLength: length, signal: ctx.signal });
  return { xml: { root: 'CopyPartResult', body: { ETag: quoteEtag(part.etag), LastModified: part.lastModified, ...checksumXml(part.checksums) } } };
};
