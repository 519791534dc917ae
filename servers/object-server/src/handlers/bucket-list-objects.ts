/**
 * ListObjectsV2 — https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 *
 * The continuation token wraps storage's opaque cursor (base64url), so pages resume exactly where storage
 * left off; start-after applies to the first page and is passed along unchanged on later ones.
 */
import { bucketOf, storageKey } from '../context.ts';
import type { Handler } from '../context.ts';
import { withReportedSizes } from '../encryption/plaintext-sizes.ts';
import { S3Error } from '../s3-errors.ts';
import { withVersionEtags } from '../versioning/listed-version-etags.ts';
import { contentsXml, encoder, listPage, parseEncodingType, parseMaxKeys, prefixesXml } from './list-common.ts';

function decodeToken(token: string): string {
  const cursor = Buffer.from(token, 'base64url').toString('utf8');
  if (Buffer.from(cursor, 'utf8').toString('base64url') !== token) {
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', { extra: { ArgumentName: 'continuation-token' } });
  }
  return cursor;
}

/** Lists a bucket, version 2. */
export const listObjectsV2: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const maxKeys = parseMaxKeys(ctx);
  const encodingType = parseEncodingType(ctx);
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') || undefined;
  const startAfter = ctx.query.get('start-after') || undefined;
  // An empty token is no token: the listing starts from the beginning, so a paging loop seeded with an empty
  // token gets the first page rather than InvalidArgument.
  const token = ctx.query.get('continuation-token') || undefined;
  const fetchOwner = ctx.query.get('fetch-owner') === 'true';
  const cursor = token === undefined ? undefined : decodeToken(token);
  const page = await listPage(ctx, bucket, { prefix, delimiter, startAfter, limit: maxKeys, ...(cursor !== undefined ? { cursor } : {}) });
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
        Delimiter: enc(delimiter),
        MaxKeys: maxKeys,
        EncodingType: encodingType,
        KeyCount: page.items.length + page.prefixes.length,
        IsTruncated: page.cursor !== undefined,
        ContinuationToken: token,
        NextContinuationToken: page.cursor === undefined ? undefined : Buffer.from(page.cursor, 'utf8').toString('base64url'),
        StartAfter: enc(startAfter),
        Contents: contentsXml(items, enc, fetchOwner ? ctx.state.owner : undefined),
        CommonPrefixes: prefixesXml(page.prefixes, enc),
      },
    },
  };
};
