/**
 * `probeS3Capabilities`: finds out what an endpoint honours, because S3-compatible servers differ (older
 * MinIO, Ceph RGW and others ignore or half-implement conditional writes, flexible checksums or tagging, and
 * some accept `If-Match` on a missing key where AWS answers 404 — AWS "Conditional writes").
 *
 * It does a few harmless operations under `<prefix>.strata-probe-<random>/` — about 12 small requests: three
 * 1-byte puts, conditional puts, a checksummed put and head, a tagged put and tag read, a two-part multipart
 * upload of 1-byte parts — and deletes everything it wrote (objects and the upload) before returning, also
 * when a step fails. Pass the result's `capabilities` to `createS3Adapter({ capabilities })`.
 */
import { randomBytes, createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import type { Capabilities } from '@strata/storage';
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
    errors,
  };
  let uploadId: string | undefined;
  try {
    await put('a');
    result.conditionalCreate = (await outcome(() => put('a', { IfNoneMatch: '*' }))) === 'PreconditionFailed';
    result.ifMatchOnPut = (await outcome(() => put('a', { IfMatch: '"00000000000000000000000000000000"' }))) === 'PreconditionFailed';
    const missing = await outcome(() => put('missing', { IfMatch: '"00000000000000000000000000000000"' }));
    result.ifMatchOnMissingKey = missing === 'NotFound' || missing === 'PreconditionFailed' ? missing : missing === 'ok' ? 'accepted' : 'other';

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
    if (uploadId !== undefined) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: base + 'mpu', UploadId: uploadId })).catch(() => {});
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
