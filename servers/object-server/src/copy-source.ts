/**
 * The `x-amz-copy-source` header of CopyObject and UploadPartCopy
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html#API_CopyObject_RequestSyntax):
 * `bucket/key` or `/bucket/key`, URL-encoded (so a key may hold `+ ? & # %` as `%2B %3F %26 %23 %25`),
 * optionally followed by a literal `?versionId=…`.
 */
import { header } from './context.ts';
import type { S3Context } from './context.ts';
import { S3Error } from './s3-errors.ts';

/** A decoded copy source. */
export interface CopySource {
  bucket: string;
  key: string;
  /** The source version (`?versionId=` after the key), when named. */
  versionId?: string;
}

/** Parses and decodes `x-amz-copy-source`; checks that the source bucket exists. */
export async function copySourceOf(ctx: S3Context): Promise<CopySource> {
  const raw = header(ctx, 'x-amz-copy-source');
  if (raw === undefined || raw === '') throw new S3Error('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey');
  const q = raw.indexOf('?');
  const path = (q === -1 ? raw : raw.slice(0, q)).replace(/^\//, '');
  const versionId = q === -1 ? null : new URLSearchParams(raw.slice(q + 1)).get('versionId');
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch (cause) {
    throw new S3Error('InvalidArgument', 'Invalid copy source encoding', { cause, extra: { ArgumentName: 'x-amz-copy-source' } });
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) {
    throw new S3Error('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', {
      extra: { ArgumentName: 'x-amz-copy-source', ArgumentValue: raw },
    });
  }
  const source: CopySource = { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), ...(versionId !== null ? { versionId } : {}) };
  if (!(await ctx.state.buckets.get(source.bucket))) throw new S3Error('NoSuchBucket', undefined, { extra: { BucketName: source.bucket } });
  if (Buffer.byteLength(source.key) > 1024) throw new S3Error('KeyTooLongError');
  return source;
}
