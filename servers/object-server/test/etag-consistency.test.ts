/**
 * One ETag and one size per object version, whichever operation reports it, through the AWS SDK over a real
 * socket: PutObject / CompleteMultipartUpload, HeadObject, GetObject, ListObjects (v1, v2), ListObjectVersions,
 * GetObjectAttributes and CopyObject's CopyObjectResult agree, and conditional requests compare against that
 * ETag ("Object", ETag: https://docs.aws.amazon.com/AmazonS3/latest/API/API_Object.html). Clients that sync
 * (rclone, `aws s3 sync`) compare a listing's ETag with HEAD's, so a disagreement re-copies every object.
 *
 * Also pinned: `x-amz-mp-object-size` of an encrypted upload counts plaintext bytes, `partNumber=N` of an empty
 * part answers that empty part, and AbortMultipartUpload leaves no record of the upload behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createMemoryStorage } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { observe } from './backends.ts';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

const MiB = 1024 * 1024;
const PART = 5 * MiB;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const customerKey = randomBytes(32);
const customer = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: customerKey.toString('base64'), SSECustomerKeyMD5: createHash('md5').update(customerKey).digest('base64') };

let server: TestServer;
let s3: S3Client;
let storage: Storage;
/** Storage reads (head and get) since the counter was last reset. */
let reads = 0;

beforeAll(async () => {
  storage = createMemoryStorage({ minPartSize: PART });
  const counted = observe(observe(storage, 'head', () => reads++), 'get', () => reads++);
  server = await startServer({ storage: counted, sseMasterKey: randomBytes(32) });
  s3 = server.client();
});
afterAll(() => server.close());

/** Uploads `parts` as one multipart object; answers the Complete's ETag and version id. */
async function multipart(Bucket: string, Key: string, parts: Buffer[], extra: Record<string, unknown> = {}, completeExtra: Record<string, unknown> = {}) {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ...extra }));
  const etags: string[] = [];
  for (const [i, Body] of parts.entries()) {
    etags.push((await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body, ...('SSECustomerKey' in extra ? customer : {}) }))).ETag as string);
  }
  const done = await s3.send(
    new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })) }, ...completeExtra }),
  );
  return { etag: done.ETag as string, versionId: done.VersionId };
}

/** The ETag and size of `Key` in every listing and in GetObjectAttributes. */
async function reported(Bucket: string, Key: string, extra: Record<string, unknown> = {}) {
  const v2 = (await s3.send(new ListObjectsV2Command({ Bucket, Prefix: Key }))).Contents?.find((c) => c.Key === Key);
  const v1 = (await s3.send(new ListObjectsCommand({ Bucket, Prefix: Key }))).Contents?.find((c) => c.Key === Key);
  const versions = (await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: Key }))).Versions?.find((c) => c.Key === Key && c.IsLatest);
  const attributes = await s3.send(new GetObjectAttributesCommand({ Bucket, Key, ObjectAttributes: ['ETag', 'ObjectSize'], ...extra }));
  return {
    etags: [v2?.ETag, v1?.ETag, versions?.ETag, `"${attributes.ETag}"`],
    sizes: [v2?.Size, v1?.Size, versions?.Size, attributes.ObjectSize],
  };
}

/** Asserts that HEAD, GET and every listing report `etag` and `size`, and that conditional reads compare against it. */
async function expectConsistent(Bucket: string, Key: string, etag: string, size: number, extra: Record<string, unknown> = {}) {
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key, ...extra }));
  expect(head.ETag).toBe(etag);
  expect(head.ContentLength).toBe(size);
  const got = await s3.send(new GetObjectCommand({ Bucket, Key, ...extra }));
  expect(got.ETag).toBe(etag);
  expect((await got.Body!.transformToByteArray()).length).toBe(size);
  const { etags, sizes } = await reported(Bucket, Key, extra);
  expect(etags).toEqual([etag, etag, etag, etag]);
  expect(sizes).toEqual([size, size, size, size]);
  // RFC 9110 §13.1.1 / §13.1.2 through S3's GetObject and HeadObject: the reported ETag is the one compared.
  expect((await s3.send(new HeadObjectCommand({ Bucket, Key, IfMatch: etag, ...extra }))).ETag).toBe(etag);
  await expect(s3.send(new HeadObjectCommand({ Bucket, Key, IfNoneMatch: etag, ...extra }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
  await expect(s3.send(new GetObjectCommand({ Bucket, Key, IfNoneMatch: etag, ...extra }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
  await expect(s3.send(new GetObjectCommand({ Bucket, Key, IfMatch: '"0123456789abcdef0123456789abcdef"', ...extra }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
}

describe('a multipart version in a versioned bucket', () => {
  const Bucket = 'etag-versioned';
  const body = [randomBytes(PART), randomBytes(1000)];

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  });

  it('answers the Complete ETag (md5-of-md5s-N) from HEAD, GET, listings and attributes, and conditions compare against it', async () => {
    const { etag, versionId } = await multipart(Bucket, 'mp.bin', body);
    expect(etag).toMatch(/^"[0-9a-f]{32}-2"$/);
    await expectConsistent(Bucket, 'mp.bin', etag, PART + 1000);
    await expectConsistent(Bucket, 'mp.bin', etag, PART + 1000, { VersionId: versionId });
    // A newer version makes this one noncurrent: reading it by id still answers its own ETag.
    await s3.send(new PutObjectCommand({ Bucket, Key: 'mp.bin', Body: 'newer' }));
    const old = await s3.send(new HeadObjectCommand({ Bucket, Key: 'mp.bin', VersionId: versionId, IfMatch: etag }));
    expect(old.ETag).toBe(etag);
  });

  it('keeps the ETag of a multipart object completed before versioning was enabled', async () => {
    const Late = 'etag-versioned-late';
    await s3.send(new CreateBucketCommand({ Bucket: Late }));
    const { etag } = await multipart(Late, 'early.bin', body);
    await s3.send(new PutBucketVersioningCommand({ Bucket: Late, VersioningConfiguration: { Status: 'Enabled' } }));
    // A newer version, removed again: the object written before versioning is current once more, as a copy.
    const newer = await s3.send(new PutObjectCommand({ Bucket: Late, Key: 'early.bin', Body: 'newer' }));
    await s3.send(new DeleteObjectCommand({ Bucket: Late, Key: 'early.bin', VersionId: newer.VersionId }));
    await expectConsistent(Late, 'early.bin', etag, PART + 1000);
  });

  it('copies with x-amz-copy-source-if-match naming that ETag', async () => {
    const { etag, versionId } = await multipart(Bucket, 'mp-src.bin', body);
    const copied = await s3.send(new CopyObjectCommand({ Bucket, Key: 'mp-dst.bin', CopySource: `${Bucket}/mp-src.bin?versionId=${versionId}`, CopySourceIfMatch: etag }));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'mp-dst.bin' }));
    expect(copied.CopyObjectResult?.ETag).toBe(head.ETag);
    const listed = (await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'mp-dst.bin' }))).Contents?.[0];
    expect(listed?.ETag).toBe(head.ETag);
  });
});

describe('single-PUT encrypted objects', () => {
  const Bucket = 'etag-sse';
  const VersionedBucket = 'etag-sse-versioned';
  const data = randomBytes(100_000);

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new CreateBucketCommand({ Bucket: VersionedBucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: VersionedBucket, VersioningConfiguration: { Status: 'Enabled' } }));
  });

  it('SSE-S3: every operation answers the plaintext MD5 and the plaintext size', async () => {
    for (const b of [Bucket, VersionedBucket]) {
      const put = await s3.send(new PutObjectCommand({ Bucket: b, Key: 's3.bin', Body: data, ServerSideEncryption: 'AES256' }));
      expect(put.ETag).toBe(`"${md5(data)}"`);
      await expectConsistent(b, 's3.bin', `"${md5(data)}"`, data.length);
      // A 304 for If-Modified-Since carries the same ETag a 200 would (RFC 9110 §15.4.5).
      const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 's3.bin' }));
      const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: b, Key: 's3.bin' }), { expiresIn: 60 });
      const notModified = await fetch(url, { headers: { 'if-modified-since': (head.LastModified as Date).toUTCString() } });
      expect([notModified.status, notModified.headers.get('etag')]).toEqual([304, `"${md5(data)}"`]);
      const copied = await s3.send(new CopyObjectCommand({ Bucket: b, Key: 's3-copy.bin', CopySource: `${b}/s3.bin`, CopySourceIfMatch: put.ETag, ServerSideEncryption: 'AES256' }));
      expect(copied.CopyObjectResult?.ETag).toBe(`"${md5(data)}"`);
      await expectConsistent(b, 's3-copy.bin', `"${md5(data)}"`, data.length);
    }
  });

  it('SSE-C: every operation answers the PutObject ETag (not an MD5 of the data) and the plaintext size', async () => {
    for (const b of [Bucket, VersionedBucket]) {
      const put = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'c.bin', Body: data, ...customer }));
      expect(put.ETag).not.toBe(`"${md5(data)}"`);
      await expectConsistent(b, 'c.bin', put.ETag as string, data.length, customer);
    }
  });

  it('lists a bucket that never held an encrypted object without reading any object', async () => {
    const Plain = 'etag-plain';
    await s3.send(new CreateBucketCommand({ Bucket: Plain }));
    for (let i = 0; i < 5; i++) await s3.send(new PutObjectCommand({ Bucket: Plain, Key: `k${i}`, Body: `v${i}` }));
    await s3.send(new ListObjectsV2Command({ Bucket: Plain }));
    reads = 0;
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: Plain }));
    expect(listed.Contents).toHaveLength(5);
    expect(reads).toBe(0);
  });
});

describe('encrypted multipart objects', () => {
  const Bucket = 'etag-sse-mp';
  const VersionedBucket = 'etag-sse-mp-versioned';
  const parts = [randomBytes(PART), randomBytes(2000)];
  const size = PART + 2000;

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new CreateBucketCommand({ Bucket: VersionedBucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: VersionedBucket, VersioningConfiguration: { Status: 'Enabled' } }));
  });

  it('GetObjectAttributes, HEAD and listings agree on the ETag and the plaintext size (SSE-S3 and SSE-C)', async () => {
    for (const b of [Bucket, VersionedBucket]) {
      const s3mp = await multipart(b, 'mp-s3.bin', parts, { ServerSideEncryption: 'AES256' });
      await expectConsistent(b, 'mp-s3.bin', s3mp.etag, size);
      const cmp = await multipart(b, 'mp-c.bin', parts, customer, customer);
      await expectConsistent(b, 'mp-c.bin', cmp.etag, size, customer);
    }
  });

  it('accepts x-amz-mp-object-size counting plaintext bytes, refuses any other value', async () => {
    const done = await multipart(Bucket, 'sized.bin', parts, { ServerSideEncryption: 'AES256' }, { MpuObjectSize: size });
    expect(done.etag).toMatch(/-2"$/);
    await expect(multipart(Bucket, 'sized-bad.bin', parts, { ServerSideEncryption: 'AES256' }, { MpuObjectSize: size + 1 })).rejects.toMatchObject({ name: 'InvalidRequest' });
  });

  it('answers partNumber=N of an empty last part with that empty part, not the whole object (encrypted or not)', async () => {
    for (const [b, encryption] of [[Bucket, { ServerSideEncryption: 'AES256' }], [VersionedBucket, { ServerSideEncryption: 'AES256' }], [Bucket, {}], [VersionedBucket, {}]] as const) {
      const { versionId } = await multipart(b, 'empty-tail.bin', [parts[0] as Buffer, Buffer.alloc(0)], encryption);
      for (const extra of [{}, versionId === undefined ? {} : { VersionId: versionId }]) {
        const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'empty-tail.bin', PartNumber: 2, ...extra }));
        expect([head.ContentLength, head.PartsCount]).toEqual([0, 2]);
        const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'empty-tail.bin', PartNumber: 2, ...extra }));
        expect(got.PartsCount).toBe(2);
        expect(got.ContentLength).toBe(0);
        expect((await got.Body!.transformToByteArray()).length).toBe(0);
        const first = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'empty-tail.bin', PartNumber: 1, ...extra }));
        expect(Buffer.from(await first.Body!.transformToByteArray()).equals(parts[0] as Buffer)).toBe(true);
      }
    }
  });
});

describe('AbortMultipartUpload', () => {
  const Bucket = 'etag-abort';

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: true }));
  });

  /** The keys under the server's reserved prefix that record uploads. */
  async function uploadRecords(): Promise<string[]> {
    const keys: string[] = [];
    for (const prefix of ['.strata/upload-locks/', '.strata/sse-uploads/']) {
      const page = await storage.list({ prefix });
      keys.push(...page.items.map((i) => i.key));
    }
    return keys;
  }

  it('removes the upload\'s object lock and encryption records', async () => {
    const before = await uploadRecords();
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket,
        Key: 'locked.bin',
        ServerSideEncryption: 'AES256',
        ObjectLockMode: 'GOVERNANCE',
        ObjectLockRetainUntilDate: new Date(Date.now() + 86_400_000),
        ObjectLockLegalHoldStatus: 'ON',
      }),
    );
    expect((await uploadRecords()).length).toBe(before.length + 2);
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'locked.bin', UploadId }));
    expect(await uploadRecords()).toEqual(before);
  });
});
