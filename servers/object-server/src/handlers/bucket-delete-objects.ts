/**
 * DeleteObjects — https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
 *
 * Up to 1000 keys per request; each key gets its own result (Deleted, or Error with S3's code), and Quiet mode
 * reports only errors. A body that is not a valid Delete document, or names no key or too many, is MalformedXML.
 * Each key is authorized on its own (iam/delete-authorization.ts): one the caller may not delete gets an
 * AccessDenied Error entry and the others are deleted.
 */
import { hasErrorCode } from '@strata/storage';
import { bucketOf, storageKey } from '../context.ts';
import type { Handler } from '../context.ts';
import { toS3Error } from '../error-mapping.ts';
import { readXmlBody } from '../request-body.ts';
import { S3Error } from '../s3-errors.ts';
import { childText, children, parseXml } from '../xml.ts';
import type { XmlObject } from '../xml.ts';
import { deleteVersions } from '../versioning/delete-versions.ts';
import { deleteRefusal } from '../iam/delete-authorization.ts';

/** S3's limit on keys per DeleteObjects request. */
export const MAX_DELETE_KEYS = 1000;

/** Deletes many keys of a bucket. */
export const deleteObjects: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const root = parseXml(await readXmlBody(ctx), 'Delete');
  const quiet = (childText(root, 'Quiet') ?? 'false').trim().toLowerCase() === 'true';
  const objects = children(root, 'Object');
  if (objects.length === 0 || objects.length > MAX_DELETE_KEYS) {
    throw new S3Error('MalformedXML', `A Delete request names between 1 and ${MAX_DELETE_KEYS} keys`);
  }
  const keys = objects.map((o) => {
    const key = childText(o, 'Key');
    if (key === undefined) throw new S3Error('MalformedXML', 'Every Object needs a Key');
    return key;
  });
  // A versioned bucket, or any Object naming a VersionId, deletes through the version store.
  const mode = await ctx.state.versioning.mode(bucket);
  const versionIds = objects.map((o) => childText(o, 'VersionId'));
  if (mode !== null || versionIds.some((v) => v !== undefined)) {
    return { xml: { root: 'DeleteResult', body: await deleteVersions(ctx, bucket, mode, keys, versionIds, quiet) } };
  }
  const deleted: XmlObject[] = [];
  const errors: XmlObject[] = [];
  const valid: string[] = [];
  for (const key of keys) {
    if (key === '') errors.push({ Key: key, Code: 'InvalidArgument', Message: 'Invalid key' });
    else if (Buffer.byteLength(key) > 1024) errors.push({ Key: key, Code: 'KeyTooLongError', Message: 'Your key is too long.' });
    else {
      const refused = await deleteRefusal(ctx, bucket, key, undefined);
      if (refused !== undefined) errors.push({ Key: key, Code: refused.code, Message: refused.message });
      else valid.push(key);
    }
  }
  const results = valid.length > 0 ? await ctx.state.storage.deleteMany(valid.map((k) => storageKey(bucket, k)), { signal: ctx.signal }) : [];
  const gone: string[] = [];
  results.forEach((r, i) => {
    const key = valid[i] ?? '';
    // A missing key is deleted as far as S3 is concerned (see object-delete.ts on NotFound from a race).
    if (r.ok || hasErrorCode(r.error, 'NotFound')) {
      gone.push(storageKey(bucket, key));
      if (!quiet) deleted.push({ Key: key });
    } else {
      const e = toS3Error(r.error);
      errors.push({ Key: key, Code: e.code, Message: e.message });
    }
  });
  // Part-layout records of deleted multipart objects go with them (no storage call for keys without one).
  for (const key of gone) await ctx.state.layouts.forget(key);
  return { xml: { root: 'DeleteResult', body: { Deleted: deleted, Error: errors } } };
};
