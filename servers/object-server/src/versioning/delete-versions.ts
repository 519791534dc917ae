/**
 * DeleteObjects in a versioned bucket, or naming versions
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html): each Object is deleted as
 * DeleteObject would (a delete marker without VersionId, the version for good with one), and its Deleted
 * result carries `VersionId`, `DeleteMarker` and `DeleteMarkerVersionId` as S3's do: for a marker created,
 * `DeleteMarker` and `DeleteMarkerVersionId`; for a marker removed by id, `VersionId` and `DeleteMarker`.
 * A version object lock protects stays, with an AccessDenied Error entry (object-lock/lock-guard.ts), and so
 * does a key the caller may not delete (s3:DeleteObject, or s3:DeleteObjectVersion with a VersionId;
 * iam/delete-authorization.ts).
 */
import { isVersionIdShape } from '@strata/storage';
import type { VersioningMode } from '@strata/storage';
import type { S3Context } from '../context.ts';
import { storageKey } from '../context.ts';
import { toS3Error } from '../error-mapping.ts';
import { deleteRefusal } from '../iam/delete-authorization.ts';
import { deletionGuard } from '../object-lock/lock-guard.ts';
import type { XmlObject } from '../xml.ts';

/** Deletes `keys` (with their `versionIds`) one by one; the DeleteResult body. */
export async function deleteVersions(
  ctx: S3Context,
  bucket: string,
  mode: VersioningMode | null,
  keys: string[],
  versionIds: (string | undefined)[],
  quiet: boolean,
): Promise<XmlObject> {
  const store = ctx.state.versioning.store(bucket);
  const guard = deletionGuard(ctx);
  const deleted: XmlObject[] = [];
  const errors: XmlObject[] = [];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const versionId = versionIds[i];
    if (key === '') {
      errors.push({ Key: key, Code: 'InvalidArgument', Message: 'Invalid key' });
      continue;
    }
    if (Buffer.byteLength(key) > 1024) {
      errors.push({ Key: key, Code: 'KeyTooLongError', Message: 'Your key is too long.' });
      continue;
    }
    if (versionId !== undefined && !isVersionIdShape(versionId)) {
      errors.push({ Key: key, VersionId: versionId, Code: 'NoSuchVersion', Message: 'The specified version does not exist.' });
      continue;
    }
    const refused = await deleteRefusal(ctx, bucket, key, versionId);
    if (refused !== undefined) {
      errors.push({ Key: key, ...(versionId !== undefined ? { VersionId: versionId } : {}), Code: refused.code, Message: refused.message });
      continue;
    }
    try {
      if (mode === null && versionId === undefined) {
        // A bucket that never had versioning: a plain delete, and no marker (S3's unversioned behaviour).
        await ctx.state.storage.delete(storageKey(bucket, key), { signal: ctx.signal });
        await ctx.state.layouts.forget(storageKey(bucket, key));
        if (!quiet) deleted.push({ Key: key });
        continue;
      }
      const r = await store.delete(key, mode ?? 'Suspended', versionId, { signal: ctx.signal }, guard);
      await ctx.state.layouts.forget(storageKey(bucket, key));
      if (quiet) continue;
      if (versionId === undefined) {
        deleted.push({ Key: key, DeleteMarker: r.deleteMarker ? true : undefined, DeleteMarkerVersionId: r.versionId });
      } else {
        deleted.push({ Key: key, VersionId: versionId, DeleteMarker: r.deleteMarker ? true : undefined });
      }
    } catch (e) {
      const err = toS3Error(e);
      errors.push({ Key: key, ...(versionId !== undefined ? { VersionId: versionId } : {}), Code: err.code, Message: err.message });
    }
  }
  return { Deleted: deleted, Error: errors };
}
