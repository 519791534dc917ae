/**
 * `probeS3Capabilities`: finds out what an endpoint honours, because S3-compatible servers differ (older
 * MinIO, Ceph RGW and others ignore or half-implement conditional writes, flexible checksums or tagging, and
 * some accept `If-Match` on a missing key where AWS answers 404 — AWS "Conditional writes").
 *
 * It does a few harmless operations under `<prefix>.strata-probe-<random>/` — about 20 small requests: 1-byte
 * puts, conditional puts (If-Match with the ETag quoted, then bare), a checksummed put and head, a tagged put
 * and tag read, a conditional CopyObject, a one-part multipart upload completed with `If-None-Match: *` over an
 * existing key, a two-part multipart upload of 1-byte parts — and deletes everything it wrote (objects and
 * uploads) before returning, also when a step fails. Pass the result's `capabilities` and `dialect` to
 * `createS3Adapter({ capabilities, dialect })`.
 */
import { randomBytes, createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { normalizeEtag } from '@strata/storage';
import type { Capabilities } from '@strata/storage';
import { encodeCopySource } from './copy.ts';
import { AWS_DIALECT } from './dialect.ts';
import type { S3Dialect } from './dialect.ts';
import { toStorageError } from './to-storage-error.ts';

/** What {@link probeS3Capabilities} observed. */
export interface S3ProbeResult {
  /** Capabilities to declare for this endpoint. */
  capabilities: Partial<Capabilities>;
  /** `If-None-Match: *` on PutObject refuses to overwrite (412). */
  conditionalCreate: boolean;
  /** `If-Match` with a wrong ETag on PutObject is refused (412). */
  ifMatchOnPut: boolean;
  /** What `If-Match` on PutObject does for a missing key: AWS answers 404, some servers 412, some write. */
  ifMatchOnMissingKey: 'NotFound' | 'PreconditionFailed' | 'accepted' | 'other';
  /** A SHA-256 sent with a put is stored and returned by HeadObject with checksum mode. */
  checksums: boolean;
  /** A wrong SHA-256 on a put is rejected (BadDigest). */
  checksumsVerified: boolean;
  /** Tags sent with `x-amz-tagging` are returned by GetObjectTagging. */
  tags: boolean;
  /** Whether CompleteMultipartUpload refused 1-byte non-final parts (EntityTooSmall). */
  enforcesMinPartSize: boolean;
  /** How the endpoint departs from AWS where the adapter works around it (pass it as the adapter's `dialect`). */
  dialect: S3Dialect;
  /** Steps that failed unexpectedly, with their error message. */
  errors: string[];
}

/**
 * Probes `bucket` through `client` under `prefix` (see the module doc). Never throws for an endpoint's
 * answer; network and permission failures of the first put are thrown (nothing can be learned then).
 */
export async function probeS3Capabilities(client: S3Client, bucket: string, prefix = ''): Promise<S3ProbeResult> {
  const base = `${prefix}.strata-probe-${randomBytes(6).toString('hex')}/`;
  const written = new Set<string>();
  const errors: string[] = [];
  const put = async (name: string, extra: Partial<PutObjectCommandInput> = {}) => {
    const Key = base + name;
    written.add(Key);
    return client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Buffer.from('p'), ...extra }));
  };
  /** Runs a request expected to fail; returns the error's contract code, or 'ok' when it succeeded. */
  const outcome = async (f: () => Promise<unknown>): Promise<string> => {
    try {
      await f();
      return 'ok';
    } catch (e) {
      return toStorageError(e, { op: 'probe' }).code;
    }
  };
  const result: S3ProbeResult = {
    capabilities: {},
    conditionalCreate: false,
    ifMatchOnPut: false,
    ifMatchOnMissingKey: 'other',
    checksums: false,
    checksumsVerified: false,
    tags: false,
    enforcesMinPartSize: false,
    dialect: { ...AWS_DIALECT },
    errors,
  };
  const uploads = new Map<string, string>();
  let uploadId: string | undefined;
  try {
    const etag = normalizeEtag((await put('a')).ETag ?? '');
    result.conditionalCreate = (await outcome(() => put('a', { IfNoneMatch: '*' }))) === 'PreconditionFailed';
    result.ifMatchOnPut = (await outcome(() => put('a', { IfMatch: '"00000000000000000000000000000000"' }))) === 'PreconditionFailed';
    const missing = await outcome(() => put('missing', { IfMatch: '"00000000000000000000000000000000"' }));
    result.ifMatchOnMissingKey = missing === 'NotFound' || missing === 'PreconditionFailed' ? missing : missing === 'ok' ? 'accepted' : 'other';
    // The current ETag, as RFC 9110 writes an entity-tag (quoted); some endpoints match only the bare hex.
    if (result.ifMatchOnPut && (await outcome(() => put('a', { IfMatch: `"${etag}"` }))) !== 'ok') {
      if ((await outcome(() => put('a', { IfMatch: etag }))) === 'ok') result.dialect.writeIfMatch = 'bare';
    }
    if (result.conditionalCreate) {
      try {
        await put('copy-target');
        const copied = await outcome(() =>
          client.send(new CopyObjectCommand({ Bucket: bucket, Key: base + 'copy-target', CopySource: encodeCopySource(bucket, base + 'a'), IfNoneMatch: '*' })),
        );
        result.dialect.conditionalCopy = copied !== 'ok';
        result.dialect.conditionalComplete = await completesConditionally(client, bucket, base + 'a', uploads);
      } catch (e) {
        errors.push(`conditional copy and complete: ${(e as Error).message}`);
      }
    }

    const sha = createHash('sha256').update('p').digest('base64');
    try {
      await put('sum', { ChecksumSHA256: sha });
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: base + 'sum', ChecksumMode: 'ENABLED' }));
      result.checksums = head.ChecksumSHA256 === sha;
    } catch (e) {
      errors.push(`checksum put: ${(e as Error).message}`);
    }
    const wrong = createHash('sha256').update('q').digest('base64');
    result.checksumsVerified = (await outcome(() => put('badsum', { ChecksumSHA256: wrong }))) === 'InvalidArgument';

    try {
      await put('tagged', { Tagging: 'probe=1' });
      const t = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: base + 'tagged' }));
      result.tags = t.TagSet?.some((x) => x.Key === 'probe' && x.Value === '1') === true;
    } catch (e) {
      errors.push(`tagging: ${(e as Error).message}`);
    }

    try {
      const Key = base + 'mpu';
      const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }));
      uploadId = created.UploadId;
      const parts: { PartNumber: number; ETag?: string }[] = [];
      for (const PartNumber of [1, 2]) {
        const p = await client.send(new UploadPartCommand({ Bucket: bucket, Key, UploadId: uploadId, PartNumber, Body: Buffer.from('p') }));
        parts.push({ PartNumber, ETag: p.ETag });
      }
      written.add(Key);
      const done = await outcome(() => client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } })));
      result.enforcesMinPartSize = done === 'InvalidArgument';
      if (done === 'ok') uploadId = undefined;
    } catch (e) {
      errors.push(`multipart: ${(e as Error).message}`);
    }
  } finally {
    if (uploadId !== undefined) uploads.set(uploadId, base + 'mpu');
    for (const [UploadId, Key] of uploads) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId })).catch(() => {});
    }
    for (const Key of written) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key })).catch(() => {});
  }
  result.capabilities = {
    conditionalPut: result.conditionalCreate && result.ifMatchOnPut,
    checksums: result.checksums,
    tags: result.tags,
    // What the endpoint enforces: S3's 5 MiB, or none (1-byte parts were accepted).
    minPartSize: result.enforcesMinPartSize ? 5 * 1024 * 1024 : 1,
  };
  return result;
}

/**
 * Whether CompleteMultipartUpload honours `If-None-Match: *`: a one-part upload completed over `existingKey`
 * must be refused (412). The upload is left in `uploads` for the caller to abort when it was refused.
 */
async function completesConditionally(client: S3Client, bucket: string, existingKey: string, uploads: Map<string, string>): Promise<boolean> {
  const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: existingKey }));
  const UploadId = created.UploadId;
  if (UploadId === undefined) return true;
  uploads.set(UploadId, existingKey);
  const part = await client.send(new UploadPartCommand({ Bucket: bucket, Key: existingKey, UploadId, PartNumber: 1, Body: Buffer.from('p') }));
  try {
    await client.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: existingKey, UploadId, IfNoneMatch: '*', MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }),
    );
  } catch (e) {
    return toStorageError(e, { op: 'probe', createOnly: true }).code === 'AlreadyExists';
  }
  uploads.delete(UploadId);
  return false;
}
