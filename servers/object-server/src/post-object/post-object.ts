/**
 * PostObject — https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
 *
 * A browser-based upload: a multipart/form-data POST to the bucket whose form carries the key, a base64 POST
 * policy, its SigV4 signature and the file last ("Browser-Based Uploads Using POST (AWS Signature Version 4)",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-UsingHTTPPOST.html). The request itself carries no
 * Authorization: the form's signature authenticates it, so the route is anonymous to the dispatcher and the
 * handler authenticates and authorizes it itself (post-authorization.ts).
 *
 * The fields are checked against the policy before a byte of the file is stored; the file streams into storage,
 * its size checked against `content-length-range` as it flows (EntityTooLarge / EntityTooSmall, nothing
 * stored). The answer is 204 by default, `success_action_status` 200 or 201 (with a PostResponse document), or a
 * 303 to `success_action_redirect` with bucket, key and etag in its query.
 */
import { Transform, pipeline } from 'node:stream';
import type { Readable, TransformCallback } from 'node:stream';
import { CHECKSUM_ALGORITHMS } from '@strata/storage';
import type { ChecksumAlgorithm, Checksums } from '@strata/storage';
import { bucketOf, storageKey, MAX_S3_KEY_BYTES } from '../context.ts';
import type { Handler, S3Context, S3Response } from '../context.ts';
import { corsHeaders, matchCorsRule } from '../cors-store.ts';
import { quoteEtag, standardHeadersFrom, userMetadataFrom } from '../object-headers.ts';
import { S3Error } from '../s3-errors.ts';
import { encryptionFor, sealForWrite } from '../encryption/encrypted-write.ts';
import type { SealedWrite } from '../encryption/encrypted-write.ts';
import { reservedMetadata } from '../encryption/encryption-routes.ts';
import { PlainDigest } from '../encryption/plain-digest.ts';
import { SSE_RECORD_HEADER } from '../encryption/sse-record.ts';
import { hasSseHeaders, sseRequestFrom } from '../encryption/sse-request.ts';
import { writeTagsFrom } from '../iam/acl-write.ts';
import { readPostForm } from './post-form.ts';
import { checkPostPolicy, lengthRange, parsePostPolicy } from './post-policy.ts';
import { authenticatePostForm, authorizePostForm } from './post-authorization.ts';

/** Counts the file's bytes and stops the upload once they leave the policy's content-length-range. */
class LengthGuard extends Transform {
  bytes = 0;
  failure: S3Error | undefined;
  readonly #range: { min: number; max: number };
  constructor(range: { min: number; max: number }) {
    super();
    this.#range = range;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.#range.max) {
      this.failure = new S3Error('EntityTooLarge', undefined, { extra: { ProposedSize: String(this.bytes), MaxSizeAllowed: String(this.#range.max) } });
      done(this.failure);
      return;
    }
    done(null, chunk);
  }
  override _flush(done: TransformCallback): void {
    if (this.bytes < this.#range.min) {
      this.failure = new S3Error('EntityTooSmall', undefined, { extra: { ProposedSize: String(this.bytes), MinSizeAllowed: String(this.#range.min) } });
      done(this.failure);
      return;
    }
    done();
  }
}

/** The checksums the form declares (`x-amz-checksum-<algorithm>` fields), for storage to verify. */
function declaredChecksums(fields: ReadonlyMap<string, string>): Checksums | undefined {
  let out: Checksums | undefined;
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = fields.get(`x-amz-checksum-${algorithm}`);
    if (value !== undefined) (out ??= {})[algorithm as ChecksumAlgorithm] = value;
  }
  return out;
}

/** The success answer the form asks for. */
function successResponse(ctx: S3Context, fields: ReadonlyMap<string, string>, bucket: string, key: string, etag: string): S3Response {
  const quoted = quoteEtag(etag);
  const location = `http://${ctx.headers.host ?? 'localhost'}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const redirect = fields.get('success_action_redirect') ?? fields.get('redirect');
  if (redirect !== undefined && /^https?:\/\//i.test(redirect)) {
    const query = `bucket=${encodeURIComponent(bucket)}&key=${encodeURIComponent(key)}&etag=${encodeURIComponent(quoted)}`;
    return { status: 303, headers: { location: `${redirect}${redirect.includes('?') ? '&' : '?'}${query}`, etag: quoted } };
  }
  const status = fields.get('success_action_status');
  if (status === '201') {
    return { status: 201, headers: { etag: quoted, location }, xml: { root: 'PostResponse', body: { Location: location, Bucket: bucket, Key: key, ETag: quoted } } };
  }
  // Any other value (or none) answers 204, as the PostObject page says.
  return { status: status === '200' ? 200 : 204, headers: { etag: quoted, location } };
}

/**
 * The bucket's CORS headers for a cross-origin upload (a script's `fetch` of the form needs them). The
 * dispatcher adds them to authenticated requests only, and this route authenticates itself.
 */
async function corsFor(ctx: S3Context, bucket: string): Promise<Record<string, string>> {
  const origin = ctx.headers.origin;
  if (typeof origin !== 'string') return {};
  const rules = await ctx.state.cors.get(bucket).catch(() => undefined);
  const rule = rules && matchCorsRule(rules, origin, 'POST');
  return rule ? corsHeaders(rule, origin, undefined) : {};
}

/** Stores the file of a browser-based upload form. */
export const postObject: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const form = await readPostForm(ctx.raw, ctx.headers);
  const { fields } = form;
  const policyBase64 = fields.get('policy');
  // The form's signature names the caller (root or IAM user); a form without a policy is anonymous.
  const auth = authenticatePostForm(ctx, fields, policyBase64);
  const policy = policyBase64 === undefined || policyBase64 === '' ? undefined : parsePostPolicy(policyBase64);
  if (policy !== undefined) checkPostPolicy(policy, fields, bucket, Date.now());
  const keyField = fields.get('key');
  if (keyField === undefined || keyField === '') {
    throw new S3Error('InvalidArgument', 'Bucket POST must contain a field named \'key\'.  If it is specified, please check the order of the fields.', { extra: { ArgumentName: 'key' } });
  }
  const key = keyField.replaceAll('${filename}', form.filename);
  if (Buffer.byteLength(key) > MAX_S3_KEY_BYTES) throw new S3Error('KeyTooLongError');
  // Before a byte is stored: s3:PutObject on this key, as every other request is authorized.
  await authorizePostForm(ctx, auth, fields, bucket, key);
  // The form's `acl` field is the x-amz-acl header of a PutObject, checked against the bucket (iam/acl-write.ts).
  const aclTags = writeTagsFrom({ headers: { 'x-amz-acl': fields.get('acl') }, state: ctx.state }, bucket);

  // The form's fields stand in for the request headers PutObject reads (Content-Type, x-amz-meta-*, …).
  const formHeaders = Object.fromEntries(fields);
  if (formHeaders['content-type'] === undefined && form.fileContentType !== undefined) formHeaders['content-type'] = form.fileContentType;
  const headers = { headers: formHeaders };
  if (formHeaders[SSE_RECORD_HEADER] !== undefined) throw reservedMetadata();
  const checksums = declaredChecksums(fields);
  const range = policy === undefined ? undefined : lengthRange(policy);
  const guard = range === undefined ? undefined : new LengthGuard(range);
  let body: Readable = form.file;
  if (guard !== undefined) {
    form.file.on('error', (e) => guard.destroy(e));
    body = form.file.pipe(guard);
  }
  // The form's x-amz-server-side-encryption* fields, else the bucket's default (encryption/encrypted-write.ts).
  const sse = await encryptionFor(ctx.state, bucket, hasSseHeaders(formHeaders) ? sseRequestFrom(headers) : undefined);
  const integrity = checksums ? { checksumAlgorithms: Object.keys(checksums) as ChecksumAlgorithm[], expectedChecksums: () => checksums } : {};
  let digest: PlainDigest | undefined;
  let sealed: SealedWrite | undefined;
  if (sse !== undefined) {
    // Storage sees sealed bytes only: the declared checksums are verified on the plaintext here.
    digest = new PlainDigest(integrity);
    pipeline(body, digest, () => {});
    sealed = sealForWrite(ctx.state, sse, digest);
    body = sealed.body;
  }
  let info;
  try {
    info = await ctx.state.storage.put(storageKey(bucket, key), body, {
      ...standardHeadersFrom(headers),
      userMetadata: { ...userMetadataFrom(headers), ...sealed?.metadataEntry },
      ...(aclTags ? { tags: aclTags } : {}),
      ...(sealed === undefined ? integrity : {}),
      signal: ctx.signal,
    });
  } catch (e) {
    // A size outside the policy's range, or a checksum that failed, is the answer, whatever storage made of it.
    throw guard?.failure ?? digest?.failure ?? e;
  }
  await ctx.state.layouts.forget(storageKey(bucket, key));
  const answer = successResponse(ctx, fields, bucket, key, sealed === undefined ? info.etag : sealed.etagOf(info.etag));
  return { ...answer, headers: { ...answer.headers, ...sealed?.responseHeaders, ...(await corsFor(ctx, bucket)) } };
};
