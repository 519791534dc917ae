/**
 * CompleteMultipartUpload — https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
 *
 * The part list is checked by storage (InvalidPart, InvalidPartOrder, EntityTooSmall, and each part's
 * `ChecksumCRC32`… against the checksum stored with the part → InvalidPart); the result's ETag is
 * `md5-of-md5s-N`, and an upload started with a checksum algorithm answers its composite (`…-N`) or full-object
 * checksum. Whole-object checksums in `x-amz-checksum-<alg>` headers (with `x-amz-checksum-type`) are verified by
 * storage before the object appears (BadDigest), `x-amz-mp-object-size` against the parts' sizes
 * (InvalidRequest). The part sizes are recorded so GetObject `?partNumber=` can serve a part later.
 *
 * A Complete retried after it succeeded (SDKs retry it when the answer is lost) finds the upload gone; when the
 * completion recorded for the key (part-layout.ts) is this upload's with the same part list, it gets the same
 * answer, as S3 keeps a completed upload id answerable for a while. Any other part list is NoSuchUpload.
 */
import { isStorageError, normalizeEtag } from '@strata/storage';
import type { Checksums, CompletedPart, ObjectInfo, PartInfo } from '@strata/storage';
import { checksumTypeFrom, checksumXml, checksumsFromHeaders, checksumsFromXml } from '../checksum-fields.ts';
import { writeConditionsFrom } from '../conditions.ts';
import { bucketOf, header, keyOf, storageKey } from '../context.ts';
import type { Handler, S3Context, S3Response } from '../context.ts';
import { partPlainSize } from '../encryption/part-cipher.ts';
import { readXmlBody } from '../request-body.ts';
import { S3Error } from '../s3-errors.ts';
import { completeInBucket, withVersionId } from '../versioning/versioned-multipart.ts';
import { childText, children, parseXml } from '../xml.ts';

/** Parses a CompleteMultipartUpload document into the parts it names, in document order. */
export function parseCompleteXml(body: string): CompletedPart[] {
  const parts = children(parseXml(body, 'CompleteMultipartUpload'), 'Part');
  if (parts.length === 0) throw new S3Error('MalformedXML', 'You must specify at least one part');
  return parts.map((p) => {
    const n = childText(p, 'PartNumber')?.trim() ?? '';
    const etag = childText(p, 'ETag');
    if (!/^\d+$/.test(n) || etag === undefined) throw new S3Error('MalformedXML', 'Every Part needs a PartNumber and an ETag');
    const checksums = checksumsFromXml(p);
    return { partNumber: Number(n), etag: etag.trim(), ...(checksums ? { checksums } : {}) };
  });
}

/**
 * The whole-object checksums a Complete request asks storage to verify. A composite value may be sent with or
 * without its `-N` suffix (storage's composite values carry it, as S3's responses do).
 */
function expectedObjectChecksums(ctx: S3Context, partCount: number): Checksums | undefined {
  const given = checksumsFromHeaders(ctx);
  if (!given) return undefined;
  const composite = (checksumTypeFrom(ctx) ?? 'COMPOSITE') === 'COMPOSITE';
  const out: Checksums = {};
  for (const [alg, value] of Object.entries(given) as [keyof Checksums, string][]) {
    out[alg] = composite && !value.includes('-') ? `${value}-${partCount}` : value;
  }
  return out;
}

/**
 * `x-amz-mp-object-size`: the size the client expects the assembled object to have — the bytes it uploaded, so
 * for an encrypted upload the parts' plaintext sizes (`sizes`, in `requested` order), not the sealed ones.
 */
function checkObjectSize(ctx: S3Context, requested: CompletedPart[], stored: Map<number, PartInfo>, sizes: number[]): void {
  const v = header(ctx, 'x-amz-mp-object-size');
  if (v === undefined) return;
  if (!/^\d+$/.test(v.trim())) throw new S3Error('InvalidArgument', 'x-amz-mp-object-size must be a non-negative integer', { extra: { ArgumentName: 'x-amz-mp-object-size', ArgumentValue: v } });
  // Unknown parts are storage's InvalidPart to report.
  if (!requested.every((p) => stored.has(p.partNumber))) return;
  const size = sizes.reduce((n, s) => n + s, 0);
  if (size !== Number(v.trim())) {
    throw new S3Error('InvalidRequest', `The provided 'x-amz-mp-object-size' header value ${v.trim()} does not match what was computed: ${size}`);
  }
}

/** True when `e` says the upload does not exist (never started, aborted, or already completed). */
function isNoSuchUpload(e: unknown): boolean {
  return isStorageError(e) && e.code === 'NotFound' && e.reason === 'NoSuchUpload';
}

/** The part sizes of an upload, read before completing: the upload (and its part list) is gone afterwards. */
async function storedParts(ctx: S3Context, sKey: string, uploadId: string): Promise<Map<number, PartInfo>> {
  const stored = new Map<number, PartInfo>();
  let marker: number | undefined;
  for (let round = 0; round < 20; round++) {
    const page = await ctx.state.storage.listParts(sKey, uploadId, { ...(marker !== undefined ? { partNumberMarker: marker } : {}), signal: ctx.signal });
    for (const p of page.parts) stored.set(p.partNumber, p);
    marker = page.nextPartNumberMarker;
    if (marker === undefined) break;
  }
  return stored;
}

/** Completes the upload in storage; the part sizes, read before (the upload is gone afterwards), with it. */
async function assemble(ctx: S3Context, sKey: string, uploadId: string, requested: CompletedPart[], stored: Map<number, PartInfo>, sizes: number[]): Promise<ObjectInfo> {
  checkObjectSize(ctx, requested, stored, sizes);
  const expectedChecksums = expectedObjectChecksums(ctx, requested.length);
  return ctx.state.storage.completeMultipart(sKey, uploadId, requested, {
    ...writeConditionsFrom(ctx),
    ...(expectedChecksums ? { expectedChecksums } : {}),
    signal: ctx.signal,
  });
}

/**
 * Completes the upload (as a new version in a versioned bucket), then records its part sizes and completion
 * under the reserved prefix — after the version is committed, so a retried Complete is never answered for an
 * object a crash rolled back.
 */
async function complete(ctx: S3Context, bucket: string, key: string, uploadId: string, requested: CompletedPart[]): Promise<ObjectInfo & { versionId?: string }> {
  const sKey = storageKey(bucket, key);
  const stored = await storedParts(ctx, sKey, uploadId);
  const sizes = requested.map((p) => stored.get(p.partNumber)?.size ?? 0);
  // The sizes a client knows its parts by: for an encrypted upload, their plaintext sizes.
  const encrypted = (await ctx.state.encryption?.uploads.get(sKey, uploadId)) !== undefined;
  const clientSizes = encrypted ? sizes.map((n) => partPlainSize(n) ?? n) : sizes;
  // A version's part sizes serve `?partNumber=` reads of it as plaintext ranges (version-parts.ts).
  const { info, versionId } = await completeInBucket(ctx, bucket, key, uploadId, (target) => assemble(ctx, target, uploadId, requested, stored, clientSizes), clientSizes);
  await ctx.state.layouts.record(sKey, {
    etag: info.etag,
    sizes,
    partChecksums: requested.map((p) => stored.get(p.partNumber)?.checksums ?? {}),
    completion: {
      uploadId,
      parts: requested.map((p) => [p.partNumber, normalizeEtag(p.etag)]),
      at: Date.now(),
      ...(info.checksums ? { checksums: info.checksums } : {}),
      ...(info.checksumType ? { checksumType: info.checksumType } : {}),
    },
  });
  return { ...info, ...(versionId !== undefined ? { versionId } : {}) };
}

/** The CompleteMultipartUploadResult of an object. */
function result(bucket: string, key: string, info: Pick<ObjectInfo, 'etag' | 'checksums' | 'checksumType'>): S3Response {
  const checksumType = info.checksums && Object.keys(info.checksums).length > 0 ? (info.checksumType ?? 'COMPOSITE') : undefined;
  return {
    xml: {
      root: 'CompleteMultipartUploadResult',
      body: {
        Location: `/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
        Bucket: bucket,
        Key: key,
        ETag: `"${info.etag}"`,
        ...checksumXml(info.checksums),
        ChecksumType: checksumType,
      },
    },
  };
}

/** Completes a multipart upload, or answers a retry of a Complete that already succeeded. */
export const completeMultipartUpload: Handler = async (ctx) => {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const uploadId = ctx.query.get('uploadId') ?? '';
  const sKey = storageKey(bucket, key);
  // x-amz-checksum-* headers describe the assembled object here, not the XML body.
  const requested = parseCompleteXml(await readXmlBody(ctx, undefined, false));
  try {
    const info = await complete(ctx, bucket, key, uploadId, requested);
    return withVersionId(result(bucket, key, info), info.versionId);
  } catch (e) {
    if (!isNoSuchUpload(e)) throw e;
    const earlier = await ctx.state.layouts.completedBy(sKey, uploadId, requested);
    if (earlier?.completion === undefined) throw e;
    return result(bucket, key, { etag: earlier.etag, ...earlier.completion });
  }
};
