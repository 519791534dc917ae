/**
 * ListMultipartUploads — https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html
 *
 * Keys, prefixes and markers are bucket-relative; storage lists them under `bucket/`. With `encoding-type=url`
 * the Delimiter, KeyMarker, Prefix, NextKeyMarker and Key values are URL-encoded and EncodingType says so, as on
 * S3; without it they are written as they are.
 */
import { bucketOf } from '../context.ts';
import type { Handler } from '../context.ts';
import { encoder, parseEncodingType, parseMaxKeys } from './list-common.ts';
import { ownerXml } from './owner.ts';

/** Lists the in-progress uploads of a bucket. */
export const listMultipartUploads: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const base = `${bucket}/`;
  const maxUploads = parseMaxKeys(ctx, 'max-uploads');
  const encodingType = parseEncodingType(ctx);
  const enc = encoder(encodingType);
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') || undefined;
  const keyMarker = ctx.query.get('key-marker') || undefined;
  const uploadIdMarker = ctx.query.get('upload-id-marker') || undefined;
  const page =
    maxUploads === 0
      ? { uploads: [], prefixes: [] }
      : await ctx.state.storage.listMultipartUploads({
          prefix: base + prefix,
          ...(delimiter ? { delimiter } : {}),
          ...(keyMarker ? { keyMarker: base + keyMarker } : {}),
          ...(keyMarker && uploadIdMarker ? { uploadIdMarker } : {}),
          limit: maxUploads,
          signal: ctx.signal,
        });
  const owner = ownerXml(ctx.state.owner);
  const strip = (k: string) => k.slice(base.length);
  return {
    xml: {
      root: 'ListMultipartUploadsResult',
      body: {
        Bucket: bucket,
        KeyMarker: enc(keyMarker ?? ''),
        UploadIdMarker: uploadIdMarker ?? '',
        NextKeyMarker: 'nextKeyMarker' in page && page.nextKeyMarker !== undefined ? enc(strip(page.nextKeyMarker)) : undefined,
        NextUploadIdMarker: 'nextUploadIdMarker' in page ? page.nextUploadIdMarker : undefined,
        Prefix: enc(prefix),
        Delimiter: enc(delimiter),
        MaxUploads: maxUploads,
        EncodingType: encodingType,
        IsTruncated: 'nextKeyMarker' in page && page.nextKeyMarker !== undefined,
        Upload: page.uploads.map((u) => ({
          Key: enc(strip(u.key)),
          UploadId: u.uploadId,
          Initiator: owner,
          Owner: owner,
          StorageClass: 'STANDARD',
          Initiated: u.initiated,
        })),
        CommonPrefixes: page.prefixes.map((p) => ({ Prefix: enc(strip(p)) })),
      },
    },
  };
};
