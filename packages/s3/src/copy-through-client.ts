/**
 * A conditional copy for endpoints whose CopyObject ignores the destination's `If-None-Match` / `If-Match`
 * (`dialect.conditionalCopy: false`; Ceph RGW 16 copies over whatever is there): the source is read with one
 * GetObject pinned to the version the copy checked (`If-Match` on its ETag, so a source replaced in between
 * fails with `PreconditionFailed`), and written with one PutObject that carries the destination conditions,
 * which such endpoints do honour (AWS PutObject, "Conditional writes"). The bytes stream through this process,
 * never held whole. Cost: HeadObject (done by the caller) + GetObject + PutObject, and the transfer both ways.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { GetObjectCommandOutput, PutObjectCommandInput, PutObjectCommandOutput } from '@aws-sdk/client-s3';
import { StorageError, normalizeEtag } from '@strata/storage';
import type { ObjectInfo } from '@strata/storage';
import type { S3Core } from './core.ts';
import { quoteEtag } from './object-info.ts';
import type { ErrorContext } from './to-storage-error.ts';

/** What the copy writes: the destination with its conditions, and the object's fields. */
export interface ClientCopyTarget {
  dest: Pick<PutObjectCommandInput, 'Bucket' | 'Key' | 'IfNoneMatch' | 'IfMatch'>;
  fields: Partial<PutObjectCommandInput>;
  /** Raw headers of the object (`Expires`), as the caller sends them with its other writes. */
  headers: Record<string, string | null> | undefined;
}

/** Copies `src` (its bytes `range`, or all) to `target` through this process; returns the written ETag and date. */
export async function copyThroughClient(
  core: S3Core,
  src: ObjectInfo,
  range: { start: number; end: number } | undefined,
  target: ClientCopyTarget,
  ctx: ErrorContext,
): Promise<{ etag: string; lastModified: Date; size: number }> {
  const read = await core.send<GetObjectCommandOutput>(
    new GetObjectCommand({
      Bucket: core.bucket,
      Key: core.s3Key(src.key),
      IfMatch: quoteEtag(src.etag),
      ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end}` }),
    }),
    { ...ctx, key: src.key, date: false },
  );
  const body = read.Body as Readable;
  const size = read.ContentLength ?? 0;
  try {
    const out = await core.send<PutObjectCommandOutput>(
      new PutObjectCommand({ ...target.dest, ...target.fields, Body: body, ContentLength: size }),
      { ...ctx, headers: target.headers },
    );
    if (out.ETag === undefined) throw new StorageError('Unavailable', 'S3 answered the write without an ETag', { op: ctx.op, key: ctx.key });
    return { etag: normalizeEtag(out.ETag), lastModified: out.$date ?? new Date(), size };
  } finally {
    body.destroy();
  }
}
