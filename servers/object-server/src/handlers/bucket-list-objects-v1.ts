/**
 * ListObjects (version 1) — https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html
 *
 * Paging is by `marker` (a key): the next page starts strictly after it. NextMarker is sent only when a
 * delimiter was given (without one, clients use the last key), as S3 does. A marker that is a common prefix
 * skips the whole prefix: the listing resumes after every key that starts with it.
 */
import { compareKeys } from '@strata/storage';
import { bucketOf, storageKey } from '../context.ts';
import type { Handler } from '../context.ts';
import { withReportedSizes } from '../encryption/plaintext-sizes.ts';
import { withVersionEtags } from '../versioning/listed-version-etags.ts';
import { contentsXml, encoder, listPage, parseEncodingType, parseMaxKeys, prefixesXml } from './list-common.ts';

/** The highest code point: appended to a common-prefix marker, it sorts after every key under that prefix. */
const AFTER_ALL = '\u{10FFFF}';

/** Lists a bucket, version 1. */
export const listObjectsV1: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const maxKeys = parseMaxKeys(ctx);
  const encodingType = parseEncodingType(ctx);
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') || undefined;
  const marker = ctx.query.get('marker') || undefined;
  const skipPrefix = marker !== undefined && delimiter !== undefined && marker.startsWith(prefix) && marker.endsWith(delimiter);
  const startAfter = skipPrefix ? marker + AFTER_ALL : marker;
  const page = await listPage(ctx, bucket, { prefix, delimiter, startAfter, limit: maxKeys });
  const truncated = page.cursor !== undefined;
  const last = [...page.items.map((i) => i.key), ...page.prefixes].sort(compareKeys).at(-1);
  // Objects are listed with the size and ETag HeadObject reports: a multipart version's completion ETag, an
  // encrypted object's plaintext size and reported ETag.
  const items = await withReportedSizes(ctx, bucket, await withVersionEtags(ctx, bucket, page.items), (i) => storageKey(bucket, i.key));
  const enc = encoder(encodingType);
  return {
    xml: {
      root: 'ListBucketResult',
      body: {
        Name: bucket,
        Prefix: enc(prefix),
        Marker: enc(marker ?? ''),
        NextMarker: truncated && delimiter !== undefined ? enc(last) : undefined,
        MaxKeys: maxKeys,
        Delimiter: enc(delimiter),
        EncodingType: encodingType,
        IsTruncated: truncated,
        Contents: contentsXml(items, enc, ctx.state.owner),
        CommonPrefixes: prefixesXml(page.prefixes, enc),
      },
    },
  };
};
