/**
 * Which stored object the tagging operations act on (GetObjectTagging, PutObjectTagging,
 * DeleteObjectTagging): in a versioned bucket, or with `?versionId=`, the named version (the current one
 * without it), and its version id goes back in `x-amz-version-id`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectTagging.html). Tags change no version.
 */
import { bucketOf, keyOf, storageKey } from '../context.ts';
import type { S3Context } from '../context.ts';
import { S3Error } from '../s3-errors.ts';
import { versioningOf } from './versioned-object.ts';

/** The objects whose tags a request reads or writes. */
export interface TaggingTarget {
  /** The object read, and written first. */
  storageKey: string;
  /** The plain mirror of the same version, written too when the version is current. */
  mirror?: string;
  versionId?: string;
}

/** Resolves the object a tagging request addresses. */
export async function taggingTarget(ctx: S3Context): Promise<TaggingTarget> {
  const plain = storageKey(bucketOf(ctx), keyOf(ctx));
  const v = await versioningOf(ctx);
  if (v === undefined) return { storageKey: plain };
  const found = await ctx.state.versioning.store(bucketOf(ctx)).resolve(keyOf(ctx), v.versionId, { signal: ctx.signal });
  if (found.kind === 'absent') throw new S3Error(v.versionId === undefined ? 'NoSuchKey' : 'NoSuchVersion');
  // A delete marker has no tags to read or write.
  if (found.kind === 'marker') throw new S3Error('MethodNotAllowed', undefined, { extra: { Method: ctx.method, ResourceType: 'DeleteMarker' } });
  const versions = await ctx.state.versioning.store(bucketOf(ctx)).versionsOf(keyOf(ctx), { signal: ctx.signal });
  const isCurrent = versions[0]?.id === found.entry.id;
  return { storageKey: found.storageKey, ...(isCurrent && found.storageKey !== plain ? { mirror: plain } : {}), versionId: found.entry.id };
}
