/**
 * CopyObject when encryption is involved — https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 * ("x-amz-copy-source-server-side-encryption-customer-*" and "Server-side encryption"): the source is read as
 * plaintext (decrypted with the master key, or the customer key named by the `x-amz-copy-source-…` headers) and
 * written with the destination's settings — the request's encryption headers, else the destination bucket's
 * default, else none. A stored copy is never a byte copy: each object has its own data key and nonce.
 */
import { Readable } from 'node:stream';
import { checkReadConditions, hasErrorCode } from '@strata/storage';
import type { ObjectInfo, PutOptions } from '@strata/storage';
import { pickStandardHeaders } from '@strata/storage/adapter';
import { readConditionsFrom, writeConditionsFrom } from '../conditions.ts';
import { bucketOf, header, keyOf, storageKey } from '../context.ts';
import type { S3Context, S3Response } from '../context.ts';
import { standardHeadersFrom, userMetadataFrom } from '../object-headers.ts';
import { tagsWithAcl, visibleTags } from '../iam/acl-store.ts';
import { writeGrants, writeTagsFrom } from '../iam/acl-write.ts';
import { S3Error } from '../s3-errors.ts';
import { openEncrypted, openedBody } from './encrypted-read.ts';
import type { OpenedObject } from './encrypted-read.ts';
import { storeObject } from './encrypted-put.ts';
import { markEncryptedBucket } from './plaintext-sizes.ts';
import { sealForWrite } from './encrypted-write.ts';
import type { CustomerKey, SseRequest } from './sse-request.ts';

function directive(ctx: S3Context, name: string): 'COPY' | 'REPLACE' {
  const v = (header(ctx, name) ?? 'COPY').toUpperCase();
  if (v !== 'COPY' && v !== 'REPLACE') throw new S3Error('InvalidArgument', `Unknown ${name}`, { extra: { ArgumentName: name, ArgumentValue: v } });
  return v;
}

/** The source of an encrypted copy, already looked up. */
export interface CopySourceObject {
  storageKey: string;
  versionId: string | undefined;
  stored: ObjectInfo;
  /** The version's reported ETag when its stored bytes carry another (versioned-object.ts). */
  etag?: string | undefined;
  customer: CustomerKey | undefined;
}

/** The standard headers of an object, to carry over on a metadata COPY. */
function standardOf(info: ObjectInfo): Partial<PutOptions> {
  return pickStandardHeaders(info);
}

/** Copies `source` to the request's object, decrypting and (when `target` is set) encrypting again. */
export async function copyWithEncryption(ctx: S3Context, source: CopySourceObject, target: SseRequest | undefined): Promise<S3Response> {
  const { state } = ctx;
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const metadata = directive(ctx, 'x-amz-metadata-directive');
  const tagging = directive(ctx, 'x-amz-tagging-directive');
  const opened: OpenedObject | undefined = await openEncrypted(state, source.storageKey, source.stored, source.customer, ctx.signal);
  const own = opened?.info ?? source.stored;
  const visible = source.etag === undefined ? own : { ...own, etag: source.etag };
  try {
    checkReadConditions(visible, readConditionsFrom(ctx, 'x-amz-copy-source-'));
  } catch (e) {
    if (hasErrorCode(e, 'NotModified')) throw new S3Error('PreconditionFailed', undefined, { cause: e, extra: { Condition: 'x-amz-copy-source-If-None-Match' } });
    throw e;
  }
  let plaintext: Readable;
  if (opened === undefined) plaintext = (await state.storage.get(source.storageKey, { ifMatch: source.stored.etag, signal: ctx.signal })).body;
  else if (opened.info.size === 0) plaintext = Readable.from([]);
  else plaintext = await openedBody(state, source.storageKey, opened, undefined, ctx.signal);
  if (target !== undefined) await markEncryptedBucket(state, bucket);
  const sealed = target === undefined ? undefined : sealForWrite(state, target, plaintext);
  const userMetadata = metadata === 'REPLACE' ? userMetadataFrom(ctx) : visible.userMetadata;
  const options: PutOptions = {
    ...(metadata === 'REPLACE' ? standardHeadersFrom(ctx) : standardOf(visible)),
    userMetadata: { ...userMetadata, ...sealed?.metadataEntry },
    // A copy takes no ACL from its source: the request's, or the default (iam/acl-write.ts).
    tags: (tagging === 'REPLACE' ? writeTagsFrom(ctx, bucket) : tagsWithAcl(visibleTags(visible.tags), writeGrants(ctx, bucket), state.owner)) ?? {},
    ...writeConditionsFrom(ctx),
    signal: ctx.signal,
  };
  const body = sealed?.body ?? plaintext;
  const written = await storeObject(ctx, bucket, key, body, options);
  await state.layouts.forget(storageKey(bucket, key));
  const etag = sealed === undefined ? written.info.etag : sealed.etagOf(written.info.etag);
  return {
    headers: { 'x-amz-copy-source-version-id': source.versionId, 'x-amz-version-id': written.versionId, ...sealed?.responseHeaders },
    xml: { root: 'CopyObjectResult', body: { ETag: `"${etag}"`, LastModified: written.info.lastModified } },
  };
}
