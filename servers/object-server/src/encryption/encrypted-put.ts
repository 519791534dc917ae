/**
 * PutObject of an encrypted object — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 * ("x-amz-server-side-encryption", "x-amz-server-side-encryption-customer-*").
 *
 * As the plain PutObject (handlers/object-put.ts), with the body verified as plaintext (plain-digest.ts) and
 * sealed (encrypted-write.ts) before storage sees it. Versioned buckets keep every version, as there.
 */
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import type { ObjectInfo, PutOptions } from '@strata/storage';
import { writeConditionsFrom } from '../conditions.ts';
import { bucketOf, keyOf, storageKey } from '../context.ts';
import type { S3Context, S3Response } from '../context.ts';
import { checksumHeaders, quoteEtag, standardHeadersFrom, userMetadataFrom } from '../object-headers.ts';
import { objectBody } from '../request-body.ts';
import { sealForWrite } from './encrypted-write.ts';
import { PlainDigest } from './plain-digest.ts';
import { markEncryptedBucket } from './plaintext-sizes.ts';
import type { SseRequest } from './sse-request.ts';
import { writeTagsFrom } from '../iam/acl-write.ts';

/** What {@link storeObject} wrote. */
export interface StoredObject {
  info: ObjectInfo;
  versionId: string | undefined;
}

/** Writes `body` as `objectKey` of `bucket`: a new version in a versioned bucket, else the plain put. */
export async function storeObject(ctx: S3Context, bucket: string, objectKey: string, body: Readable, options: PutOptions): Promise<StoredObject> {
  const mode = ctx.state.versioning.peek(bucket) ?? (await ctx.state.versioning.mode(bucket));
  if (mode === null) return { info: await ctx.state.storage.put(storageKey(bucket, objectKey), body, options), versionId: undefined };
  return ctx.state.versioning.store(bucket).put(objectKey, body, mode, options);
}

/** Stores the request's body encrypted as `sse` asks. */
export async function putEncrypted(ctx: S3Context, sse: SseRequest): Promise<S3Response> {
  const bucket = bucketOf(ctx);
  const key = storageKey(bucket, keyOf(ctx));
  const userMetadata = userMetadataFrom(ctx);
  const tags = writeTagsFrom(ctx, bucket);
  const conditions = writeConditionsFrom(ctx);
  const headers = standardHeadersFrom(ctx);
  const { body, options } = objectBody(ctx);
  await markEncryptedBucket(ctx.state, bucket);
  const digest = new PlainDigest(options);
  pipeline(body, digest, () => {});
  const sealed = sealForWrite(ctx.state, sse, digest);
  const putOptions = { ...headers, userMetadata: { ...userMetadata, ...sealed.metadataEntry }, ...(tags ? { tags } : {}), ...conditions, signal: ctx.signal };
  let written: StoredObject;
  try {
    written = await storeObject(ctx, bucket, keyOf(ctx), sealed.body, putOptions);
  } catch (e) {
    // A failed integrity check is the answer, whatever storage made of the interrupted body.
    throw digest.failure ?? e;
  }
  await ctx.state.layouts.forget(key);
  return {
    headers: {
      etag: quoteEtag(sealed.etagOf(written.info.etag)),
      'x-amz-version-id': written.versionId,
      ...sealed.responseHeaders,
      ...checksumHeaders(digest.checksums, 'FULL_OBJECT'),
    },
  };
}
