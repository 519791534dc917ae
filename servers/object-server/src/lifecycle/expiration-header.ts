/**
 * `x-amz-expiration` on GetObject, HeadObject and PutObject: when a lifecycle Expiration rule applies to the
 * current object, S3 answers its expiry date and the rule's id, `expiry-date="Fri, 23 Dec 2012 00:00:00 GMT",
 * rule-id="picture-deletion-rule"` (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html).
 *
 * A wrapper around the handlers, so a bucket without lifecycle rules costs one map look-up and no promise.
 */
import { header, keyOf, storageKey } from '../context.ts';
import type { Handler, S3Context, S3Response } from '../context.ts';
import { tagsFrom } from '../object-headers.ts';
import { earliestExpiry, expirationHeader, needsTags } from './lifecycle-config.ts';
import type { LifecycleConfig } from './lifecycle-config.ts';

/** The object's size from an answer: Content-Range's total for a range, else Content-Length. */
function sizeOf(res: S3Response, ctx: S3Context, write: boolean): number | undefined {
  if (write) {
    const decoded = header(ctx, 'x-amz-decoded-content-length') ?? header(ctx, 'content-length');
    return decoded === undefined ? undefined : Number(decoded);
  }
  const range = res.headers?.['content-range'];
  if (typeof range === 'string') return Number(range.split('/')[1]);
  const length = res.headers?.['content-length'];
  return length === undefined ? undefined : Number(length);
}

async function withHeader(ctx: S3Context, res: S3Response, config: LifecycleConfig, write: boolean): Promise<S3Response> {
  const status = res.status ?? 200;
  // Only a current object has an expiry: not a named version, not an error or a 304.
  if (status >= 300 || (!write && ctx.query.has('versionId'))) return res;
  const key = keyOf(ctx);
  let tags: Record<string, string> | undefined;
  if (needsTags(config)) {
    tags = write ? tagsFrom(ctx) : (await ctx.state.storage.head(storageKey(ctx.bucket as string, key)).catch(() => undefined))?.tags;
  }
  const lastModified = write ? new Date(ctx.state.versioning.now()) : new Date(String(res.headers?.['last-modified'] ?? ''));
  if (Number.isNaN(lastModified.getTime())) return res;
  const size = sizeOf(res, ctx, write);
  const expiry = earliestExpiry(config, { key, ...(size !== undefined ? { size } : {}), ...(tags ? { tags } : {}) }, lastModified);
  return expiry ? { ...res, headers: { ...res.headers, 'x-amz-expiration': expirationHeader(expiry) } } : res;
}

/** `handler` with `x-amz-expiration` added to its answers; `write` for PutObject (the object is the request's). */
export function withExpiration(handler: Handler, write: boolean): Handler {
  return (ctx) => {
    const records = ctx.state.versioning.lifecycle;
    const known = records.peek(ctx.bucket as string);
    if (known === null) return handler(ctx);
    return (async () => {
      const res = await handler(ctx);
      const config = known ?? (await records.get(ctx.bucket as string));
      return config ? withHeader(ctx, res, config, write) : res;
    })();
  };
}
