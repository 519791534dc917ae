/**
 * copy: a server-side CopyObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html), or a
 * multipart copy with UploadPartCopy for sources above the 5 GiB CopyObject limit (and for a ranged copy).
 *
 * The source is read with one HeadObject first: it evaluates the source conditions with the contract's read
 * precedence (`checkReadConditions`; S3 would answer 412 where the contract says `NotModified`), gives the
 * size that picks the strategy, and the metadata of the result. The copy is then pinned to that version with
 * `x-amz-copy-source-if-match`, so a source replaced in between fails with `PreconditionFailed` rather than
 * copying bytes the conditions were not checked on. Destination conditions are `If-None-Match`/`If-Match`;
 * an endpoint that ignores them on CopyObject gets a conditional copy through this process instead
 * (`copy-through-client.ts`), and one that ignores them on CompleteMultipartUpload refuses a conditional
 * multipart copy (`dialect.ts`).
 * Cost: HeadObject + CopyObject (+ GetObjectTagging when the source has tags and they are kept).
 */
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, UploadPartCopyCommand } from '@aws-sdk/client-s3';
import type { CompleteMultipartUploadCommandOutput, CopyObjectCommandOutput, CreateMultipartUploadCommandOutput, UploadPartCopyCommandOutput } from '@aws-sdk/client-s3';
import { checkReadConditions, normalizeEtag, resolveRange } from '@strata/storage';
import type { CopyOptions, ObjectInfo } from '@strata/storage';
import type { S3Core } from './core.ts';
import { copyThroughClient } from './copy-through-client.ts';
import { requireConditionalComplete, writeIfMatch } from './dialect.ts';
import type { S3Dialect } from './dialect.ts';
import { encodeMetadata, encodeTagging } from './metadata-codec.ts';
import { quoteEtag, rawHeaders, readChecksums, standardFields } from './object-info.ts';
import { headObject } from './read.ts';
import type { ReadConfig } from './read.ts';

/** Copy settings of the adapter. */
export interface CopyConfig extends ReadConfig {
  /** Sources larger than this use UploadPartCopy (S3's CopyObject limit: 5 GiB). */
  maxCopySize: number;
  /** Size of each UploadPartCopy part (raised to fit 10,000 parts). */
  copyPartSize: number;
  /** UploadPartCopy requests in flight. */
  queueSize: number;
  /** The largest single PutObject (S3: 5 GiB), for a copy through this process. */
  maxSinglePut: number;
  /** The endpoint's departures from AWS (conditional writes). */
  dialect: S3Dialect;
}

/** `CopySource` for the SDK: bucket and key URL-encoded segment by segment (AWS CopyObject, "x-amz-copy-source"). */
export function encodeCopySource(bucket: string, key: string): string {
  return `${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** Copies `source` to `destination` (see the module doc). */
export async function copyObject(core: S3Core, source: string, destination: string, options: CopyOptions, cfg: CopyConfig): Promise<ObjectInfo> {
  const { signal } = options;
  const ctx = { op: 'copy', key: destination, signal, createOnly: options.ifNoneMatch === '*' };
  const keep = options.metadataDirective !== 'replace';
  const src = await headObject(core, source, { signal }, { ...cfg, readTags: cfg.readTags && keep }, 'copy');
  checkReadConditions(src, options.source ?? {}, 'copy');
  const dest = {
    Bucket: core.bucket,
    Key: core.s3Key(destination),
    IfNoneMatch: options.ifNoneMatch,
    IfMatch: options.ifMatch === undefined ? undefined : writeIfMatch(options.ifMatch, cfg.dialect),
  };
  const meta = keep ? src : options;
  const fields = {
    ...standardFields(meta),
    Metadata: encodeMetadata(meta.userMetadata),
    Tagging: encodeTagging(keep ? src.tags : (options.tags ?? {})),
  };
  const range = options.range === undefined ? undefined : resolveRange(options.range, src.size);
  const info: ObjectInfo = {
    ...src,
    key: destination,
    ...(keep ? {} : pickMetadata(options)),
    tags: keep ? src.tags : { ...(options.tags ?? {}) },
  };
  delete info.partCount;

  const conditional = options.ifNoneMatch !== undefined || options.ifMatch !== undefined;
  const length = range === undefined ? src.size : Math.max(0, range.end - range.start + 1);
  if (conditional && !cfg.dialect.conditionalCopy && length <= cfg.maxSinglePut) {
    const written = await copyThroughClient(core, src, range, { dest, fields, headers: rawHeaders(meta) }, ctx);
    Object.assign(info, written);
    delete info.checksums;
    delete info.checksumType;
    return info;
  }

  if (src.size <= cfg.maxCopySize && options.range === undefined) {
    const out = await core.send<CopyObjectCommandOutput>(
      new CopyObjectCommand({
        ...dest,
        CopySource: encodeCopySource(core.bucket, core.s3Key(source)),
        CopySourceIfMatch: quoteEtag(src.etag),
        MetadataDirective: keep ? 'COPY' : 'REPLACE',
        TaggingDirective: keep ? 'COPY' : 'REPLACE',
        ...(keep ? {} : fields),
      }),
      { ...ctx, headers: keep ? undefined : rawHeaders(options) },
    );
    const r = out.CopyObjectResult ?? {};
    info.etag = normalizeEtag(r.ETag ?? src.etag);
    info.lastModified = r.LastModified ?? out.$date ?? new Date();
    const sums = readChecksums(r);
    if (sums !== undefined) info.checksums = sums;
    return info;
  }

  // Multipart copy: the whole source in parts, or one part for a range.
  requireConditionalComplete(options, cfg.dialect, 'copy', destination);
  const from = range?.start ?? 0;
  const to = range?.end ?? src.size - 1;
  const partSize = Math.max(cfg.copyPartSize, Math.ceil(length / 10_000));
  const created = await core.send<CreateMultipartUploadCommandOutput>(
    new CreateMultipartUploadCommand({ Bucket: dest.Bucket, Key: dest.Key, ...fields }),
    { ...ctx, headers: rawHeaders(meta) },
  );
  const uploadId = created.UploadId as string;
  try {
    const ranges: { n: number; a: number; b: number }[] = [];
    for (let a = from, n = 1; a <= to; a += partSize, n++) ranges.push({ n, a, b: Math.min(to, a + partSize - 1) });
    const etags = new Map<number, string>();
    const worker = async () => {
      for (let next = ranges.shift(); next !== undefined; next = ranges.shift()) {
        const out = await core.send<UploadPartCopyCommandOutput>(
          new UploadPartCopyCommand({
            Bucket: dest.Bucket,
            Key: dest.Key,
            UploadId: uploadId,
            PartNumber: next.n,
            CopySource: encodeCopySource(core.bucket, core.s3Key(source)),
            CopySourceIfMatch: quoteEtag(src.etag),
            CopySourceRange: `bytes=${next.a}-${next.b}`,
          }),
          ctx,
        );
        etags.set(next.n, out.CopyPartResult?.ETag ?? '');
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, cfg.queueSize) }, worker));
    const parts = [...etags.entries()].sort((x, y) => x[0] - y[0]).map(([PartNumber, ETag]) => ({ PartNumber, ETag }));
    const out = await core.send<CompleteMultipartUploadCommandOutput>(
      new CompleteMultipartUploadCommand({ ...dest, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
      ctx,
    );
    info.etag = normalizeEtag(out.ETag ?? '');
    info.size = length;
    info.lastModified = out.$date ?? new Date();
    info.partCount = parts.length;
    delete info.checksums;
    delete info.checksumType;
    return info;
  } catch (e) {
    await core.send(new AbortMultipartUploadCommand({ Bucket: dest.Bucket, Key: dest.Key, UploadId: uploadId }), { op: 'copy' }).catch(() => {});
    throw e;
  }
}

/** The metadata fields of copy options with `metadataDirective: 'replace'`. */
function pickMetadata(o: CopyOptions): Partial<ObjectInfo> {
  return {
    contentType: o.contentType,
    contentEncoding: o.contentEncoding,
    contentDisposition: o.contentDisposition,
    contentLanguage: o.contentLanguage,
    cacheControl: o.cacheControl,
    expires: o.expires,
    userMetadata: Object.fromEntries(Object.entries(o.userMetadata ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
}
