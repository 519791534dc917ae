/**
 * What ListObjects (v1) and ListObjectsV2 share: max-keys and encoding-type parsing, the mapping of a bucket
 * listing onto a storage listing under `bucket/`, and the Contents/CommonPrefixes elements.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
import type { ListItem, ListResult } from '@strata/storage';
import type { Owner, S3Context } from '../context.ts';
import { S3Error } from '../s3-errors.ts';
import type { XmlObject } from '../xml.ts';
import { ownerXml } from './owner.ts';

/** Parses `max-keys` (default and ceiling 1000), `InvalidArgument` when not a non-negative integer. */
export function parseMaxKeys(ctx: S3Context, name = 'max-keys'): number {
  const v = ctx.query.get(name);
  if (v === null || v === '') return 1000;
  if (!/^\d+$/.test(v)) {
    throw new S3Error('InvalidArgument', `Provided ${name} not an integer or within integer range`, { extra: { ArgumentName: name, ArgumentValue: v } });
  }
  return Math.min(Number(v), 1000);
}

/** `encoding-type`: only `url` is defined. */
export function parseEncodingType(ctx: S3Context): 'url' | undefined {
  const v = ctx.query.get('encoding-type');
  if (v === null || v === '') return undefined;
  if (v.toLowerCase() !== 'url') throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', { extra: { ArgumentName: 'encoding-type' } });
  return 'url';
}

/** Encodes a key for `encoding-type=url` (keys may hold characters XML 1.0 cannot carry). */
export function encoder(type: 'url' | undefined): (s: string | undefined) => string | undefined {
  return (s) => (s === undefined ? undefined : type === 'url' ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
}

/** Lists one page of `bucket` with bucket-relative prefix, delimiter and start; strips `bucket/` back off. */
export async function listPage(
  ctx: S3Context,
  bucket: string,
  opts: { prefix: string; delimiter: string | undefined; startAfter: string | undefined; limit: number; cursor?: string },
): Promise<ListResult> {
  const base = `${bucket}/`;
  if (opts.limit === 0) return { items: [], prefixes: [] };
  const page = await ctx.state.storage.list({
    prefix: base + opts.prefix,
    ...(opts.delimiter ? { delimiter: opts.delimiter } : {}),
    ...(opts.startAfter ? { startAfter: base + opts.startAfter } : {}),
    limit: opts.limit,
    ...(opts.cursor !== undefined ? { cursor: opts.cursor } : {}),
    signal: ctx.signal,
  });
  return {
    items: page.items.map((i) => ({ ...i, key: i.key.slice(base.length) })),
    prefixes: page.prefixes.map((p) => p.slice(base.length)),
    ...(page.cursor !== undefined ? { cursor: page.cursor } : {}),
  };
}

/** The Contents elements of a page. */
export function contentsXml(items: ListItem[], encode: (s: string) => string | undefined, owner: Owner | undefined): XmlObject[] {
  return items.map((i) => ({
    Key: encode(i.key),
    LastModified: i.lastModified,
    ETag: `"${i.etag}"`,
    Size: i.size,
    StorageClass: 'STANDARD',
    Owner: owner ? ownerXml(owner) : undefined,
  }));
}

/** The CommonPrefixes elements of a page. */
export function prefixesXml(prefixes: string[], encode: (s: string) => string | undefined): XmlObject[] {
  return prefixes.map((p) => ({ Prefix: encode(p) }));
}
