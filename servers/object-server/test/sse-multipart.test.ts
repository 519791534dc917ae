/**
 * Multipart uploads of encrypted objects ("Using server-side encryption with customer-provided keys (SSE-C)",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html, and
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html) through the AWS SDK's `Upload` over a
 * real socket, on the file backend, whose data directory is read to check no plaintext reaches the medium:
 * SSE-S3 and SSE-C uploads, ranges across part boundaries, `partNumber` reads, part keys, UploadPartCopy
 * into and out of encrypted uploads, listings reporting the plaintext size, and the aws CLI once.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListPartsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Storage } from '@strata/storage';
import { createFileStorage } from '@strata/file';
import { skipWithout } from '#system-tools';
import { ACCESS_KEY, REGION, SECRET_KEY, startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

const MiB = 1024 * 1024;
const PART = 5 * MiB;
const Bucket = 'vault-mp';
const DefaultBucket = 'vault-mp-default';

let parent: string;
let root: string;
let server: TestServer;
let files: Storage;

/** Text that is easy to find: a marker and a counter, repeated. */
function plaintext(size: number, marker: string): Buffer {
  const out = Buffer.alloc(size);
  let at = 0;
  for (let i = 0; at < size; i++) at += out.write(`${marker}:${i};`, at);
  return out;
}

/** Whether any file under the data directory holds `marker`. */
async function mediumHolds(marker: string): Promise<boolean> {
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && (await readFile(path.join(entry.parentPath, entry.name))).includes(marker)) return true;
  }
  return false;
}

const customer = (key: Buffer) => ({ SSECustomerAlgorithm: 'AES256', SSECustomerKey: key.toString('base64'), SSECustomerKeyMD5: createHash('md5').update(key).digest('base64') });

beforeAll(async () => {
  parent = await mkdtemp(path.join(os.tmpdir(), 'strata-sse-mp-'));
  root = path.join(parent, 'data');
  files = createFileStorage({ root });
  server = await startServer({ storage: files, sseMasterKey: randomBytes(32) });
  await server.client().send(new CreateBucketCommand({ Bucket }));
  await server.client().send(new CreateBucketCommand({ Bucket: DefaultBucket }));
});
afterAll(async () => {
  await server.close();
  await files.close();
  await rm(parent, { recursive: true, force: true });
});

/** 3 parts of 5 MiB and a 100 KiB tail. */
const SIZE = 3 * PART + 100 * 1024;

describe('SSE-S3 multipart upload', () => {
  const body = plaintext(SIZE, 'MP-S3-SECRET');

  it('stores sealed parts only; GET, HEAD and listings describe the plaintext', async () => {
    const s3 = server.client();
    await new Upload({ client: s3, params: { Bucket, Key: 's3.bin', Body: body, ServerSideEncryption: 'AES256' }, partSize: PART, queueSize: 2 }).done();
    expect(await mediumHolds('MP-S3-SECRET')).toBe(false);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 's3.bin' }));
    expect(head.ContentLength).toBe(SIZE);
    expect(head.ServerSideEncryption).toBe('AES256');
    // S3's multipart form: md5 of the part ETags, dash, part count.
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}-4"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 's3.bin' }));
    expect(got.ServerSideEncryption).toBe('AES256');
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 's3.bin' }));
    expect(listed.Contents?.[0]?.Size).toBe(SIZE);
  });

  it('reads ranges across part boundaries and single parts by partNumber', async () => {
    const s3 = server.client();
    for (const [start, end] of [[PART - 10, PART + 9], [PART - 1, 3 * PART + 5], [0, SIZE - 1], [SIZE - 7, SIZE - 1], [2 * PART, 2 * PART]] as const) {
      const got = await s3.send(new GetObjectCommand({ Bucket, Key: 's3.bin', Range: `bytes=${start}-${end}` }));
      expect(got.ContentRange).toBe(`bytes ${start}-${end}/${SIZE}`);
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body.subarray(start, end + 1))).toBe(true);
    }
    for (const n of [1, 2, 4]) {
      const part = await s3.send(new GetObjectCommand({ Bucket, Key: 's3.bin', PartNumber: n }));
      expect(part.PartsCount).toBe(4);
      const start = (n - 1) * PART;
      expect(part.ContentLength).toBe(Math.min(PART, SIZE - start));
      expect(Buffer.from(await part.Body!.transformToByteArray()).equals(body.subarray(start, Math.min(start + PART, SIZE)))).toBe(true);
    }
    await expect(s3.send(new HeadObjectCommand({ Bucket, Key: 's3.bin', PartNumber: 5 }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 416 } });
  });

  it('encrypts an upload started without headers in a bucket with default encryption', async () => {
    const s3 = server.client();
    await s3.send(new PutBucketEncryptionCommand({ Bucket: DefaultBucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }));
    const small = plaintext(PART + 1000, 'MP-DEFAULT-SECRET');
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: DefaultBucket, Key: 'd.bin' }));
    expect(created.ServerSideEncryption).toBe('AES256');
    const UploadId = created.UploadId;
    const p1 = await s3.send(new UploadPartCommand({ Bucket: DefaultBucket, Key: 'd.bin', UploadId, PartNumber: 1, Body: small.subarray(0, PART) }));
    expect(p1.ServerSideEncryption).toBe('AES256');
    const p2 = await s3.send(new UploadPartCommand({ Bucket: DefaultBucket, Key: 'd.bin', UploadId, PartNumber: 2, Body: small.subarray(PART) }));
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: DefaultBucket, Key: 'd.bin', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] } }));
    expect(done.ServerSideEncryption).toBe('AES256');
    expect(done.ETag).toMatch(/-2"$/);
    expect(await mediumHolds('MP-DEFAULT-SECRET')).toBe(false);
    const got = await s3.send(new GetObjectCommand({ Bucket: DefaultBucket, Key: 'd.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(small)).toBe(true);
  });
});

describe('SSE-C multipart upload', () => {
  const key = randomBytes(32);
  const body = plaintext(SIZE, 'MP-C-SECRET');

  it('needs the key on every part, on GET and HEAD; answers its MD5', async () => {
    const s3 = server.client();
    await new Upload({ client: s3, params: { Bucket, Key: 'c.bin', Body: body, ...customer(key) }, partSize: PART, queueSize: 2 }).done();
    expect(await mediumHolds('MP-C-SECRET')).toBe(false);
    await expect(s3.send(new HeadObjectCommand({ Bucket, Key: 'c.bin' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'c.bin', ...customer(randomBytes(32)) }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'c.bin', ...customer(key) }));
    expect(head.ContentLength).toBe(SIZE);
    expect(head.SSECustomerKeyMD5).toBe(customer(key).SSECustomerKeyMD5);
    const range = await s3.send(new GetObjectCommand({ Bucket, Key: 'c.bin', Range: `bytes=${2 * PART - 3}-${2 * PART + 2}`, ...customer(key) }));
    expect(Buffer.from(await range.Body!.transformToByteArray()).equals(body.subarray(2 * PART - 3, 2 * PART + 3))).toBe(true);
    const part3 = await s3.send(new GetObjectCommand({ Bucket, Key: 'c.bin', PartNumber: 3, ...customer(key) }));
    expect(Buffer.from(await part3.Body!.transformToByteArray()).equals(body.subarray(2 * PART, 3 * PART))).toBe(true);
  });

  it('refuses a part without the key (InvalidRequest) or with another key (InvalidArgument), storing nothing', async () => {
    const s3 = server.client();
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'c2.bin', ...customer(key) }));
    expect(created.SSECustomerKeyMD5).toBe(customer(key).SSECustomerKeyMD5);
    const UploadId = created.UploadId;
    const part = { Bucket, Key: 'c2.bin', UploadId, PartNumber: 1, Body: 'MP-REFUSED-PART' };
    await expect(s3.send(new UploadPartCommand(part))).rejects.toMatchObject({ name: 'InvalidRequest', $metadata: { httpStatusCode: 400 } });
    await expect(s3.send(new UploadPartCommand({ ...part, ...customer(randomBytes(32)) }))).rejects.toMatchObject({ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
    const ok = await s3.send(new UploadPartCommand({ ...part, ...customer(key) }));
    expect(ok.SSECustomerKeyMD5).toBe(customer(key).SSECustomerKeyMD5);
    const listed = await s3.send(new ListPartsCommand({ Bucket, Key: 'c2.bin', UploadId }));
    expect(listed.Parts?.map((p) => p.Size)).toEqual(['MP-REFUSED-PART'.length]);
    expect(await mediumHolds('MP-REFUSED-PART')).toBe(false);
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'c2.bin', UploadId }));
  });
});

describe('UploadPartCopy with encryption', () => {
  it('copies an encrypted source (ranges of plaintext) into an SSE-C upload, and a plain source into an SSE-S3 one', async () => {
    const s3 = server.client();
    const key = randomBytes(32);
    const source = plaintext(PART + 300, 'MP-COPY-SECRET');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'src.bin', Body: source, ServerSideEncryption: 'AES256' }));
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'copied.bin', ...customer(key) }));
    const UploadId = created.UploadId;
    const target = { Bucket, Key: 'copied.bin', UploadId, ...customer(key) };
    const p1 = await s3.send(new UploadPartCopyCommand({ ...target, PartNumber: 1, CopySource: `${Bucket}/src.bin`, CopySourceRange: `bytes=0-${PART - 1}` }));
    expect(p1.SSECustomerKeyMD5).toBe(customer(key).SSECustomerKeyMD5);
    // The second part from the SSE-C multipart object above, a range across its first part boundary.
    const cKey = customer(randomBytes(32));
    await new Upload({ client: s3, params: { Bucket, Key: 'c-src.bin', Body: source, ...cKey }, partSize: PART }).done();
    const p2 = await s3.send(new UploadPartCopyCommand({
      ...target, PartNumber: 2, CopySource: `${Bucket}/c-src.bin`, CopySourceRange: `bytes=${PART - 100}-${PART + 299}`,
      CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: cKey.SSECustomerKey, CopySourceSSECustomerKeyMD5: cKey.SSECustomerKeyMD5,
    }));
    await s3.send(new CompleteMultipartUploadCommand({ ...target, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.CopyPartResult?.ETag }, { PartNumber: 2, ETag: p2.CopyPartResult?.ETag }] } }));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'copied.bin', ...customer(key) }));
    const expected = Buffer.concat([source.subarray(0, PART), source.subarray(PART - 100, PART + 300)]);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(expected)).toBe(true);
    // CopyObject from the encrypted multipart object decrypts it part by part into an SSE-S3 object.
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'whole-copy.bin', CopySource: `${Bucket}/copied.bin`, ServerSideEncryption: 'AES256', CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: customer(key).SSECustomerKey, CopySourceSSECustomerKeyMD5: customer(key).SSECustomerKeyMD5 }));
    const whole = await s3.send(new GetObjectCommand({ Bucket, Key: 'whole-copy.bin' }));
    expect(Buffer.from(await whole.Body!.transformToByteArray()).equals(expected)).toBe(true);

    await s3.send(new PutObjectCommand({ Bucket, Key: 'plain-src.bin', Body: 'MP-PLAIN-SOURCE-BYTES' }));
    const s3Upload = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'from-plain.bin', ServerSideEncryption: 'AES256' }));
    const only = await s3.send(new UploadPartCopyCommand({ Bucket, Key: 'from-plain.bin', UploadId: s3Upload.UploadId, PartNumber: 1, CopySource: `${Bucket}/plain-src.bin` }));
    expect(only.ServerSideEncryption).toBe('AES256');
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'from-plain.bin', UploadId: s3Upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: only.CopyPartResult?.ETag }] } }));
    const back = await s3.send(new GetObjectCommand({ Bucket, Key: 'from-plain.bin' }));
    expect(await back.Body!.transformToString()).toBe('MP-PLAIN-SOURCE-BYTES');
    expect(await mediumHolds('MP-COPY-SECRET')).toBe(false);
  });
});

describe('listings', () => {
  it('report the plaintext size of encrypted objects (ListObjects, ListObjectsV2, ListObjectVersions)', async () => {
    const s3 = server.client();
    const Versioned = 'vault-mp-versioned';
    await s3.send(new CreateBucketCommand({ Bucket: Versioned }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: Versioned, VersioningConfiguration: { Status: 'Enabled' } }));
    const sizes: Record<string, number> = { 'l-s3.txt': 70_000, 'l-c.txt': 12_345, 'l-plain.txt': 999 };
    for (const b of [Bucket, Versioned]) {
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'l-s3.txt', Body: plaintext(70_000, 'L'), ServerSideEncryption: 'AES256' }));
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'l-c.txt', Body: plaintext(12_345, 'L'), ...customer(randomBytes(32)) }));
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'l-plain.txt', Body: plaintext(999, 'L') }));
    }
    await new Upload({ client: s3, params: { Bucket: Versioned, Key: 'l-mp.bin', Body: plaintext(PART + 10, 'L'), ServerSideEncryption: 'AES256' }, partSize: PART }).done();
    const v2 = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'l-' }));
    const v1 = await s3.send(new ListObjectsCommand({ Bucket, Prefix: 'l-' }));
    for (const listing of [v2.Contents, v1.Contents]) expect(Object.fromEntries((listing ?? []).map((o) => [o.Key, o.Size]))).toEqual(sizes);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: Versioned, Prefix: 'l-' }));
    expect(Object.fromEntries((versions.Versions ?? []).map((v) => [v.Key, v.Size]))).toEqual({ ...sizes, 'l-mp.bin': PART + 10 });
    const nullVersions = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: 'l-' }));
    expect(Object.fromEntries((nullVersions.Versions ?? []).map((v) => [v.Key, v.Size]))).toEqual(sizes);
    // The versioned multipart object reads back through its version too (its part layout is walked).
    const version = versions.Versions?.find((v) => v.Key === 'l-mp.bin')?.VersionId;
    const got = await s3.send(new GetObjectCommand({ Bucket: Versioned, Key: 'l-mp.bin', VersionId: version, Range: `bytes=${PART - 2}-${PART + 1}` }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(plaintext(PART + 10, 'L').subarray(PART - 2, PART + 2))).toBe(true);
  });
});

describe.skipIf(skipWithout('aws'))('the aws CLI (/usr/bin/aws)', () => {
  it('aws s3 cp --sse AES256 of 20 MiB (multipart) stores ciphertext and copies back the same bytes', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'strata-sse-cli-'));
    try {
      const file = path.join(dir, 'big.bin');
      const body = plaintext(20 * MiB, 'MP-CLI-SECRET');
      await writeFile(file, body);
      const env = { ...process.env, AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY, AWS_DEFAULT_REGION: REGION, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
      const aws = (...args: string[]) => promisify(execFile)('/usr/bin/aws', ['--endpoint-url', server.endpoint, ...args], { env, timeout: 120_000 });
      await aws('s3', 'cp', '--sse', 'AES256', file, `s3://${Bucket}/cli.bin`);
      const head = await server.client().send(new HeadObjectCommand({ Bucket, Key: 'cli.bin' }));
      expect(head.ServerSideEncryption).toBe('AES256');
      expect(head.ContentLength).toBe(20 * MiB);
      expect(head.ETag).toMatch(/-\d+"$/);
      expect(await mediumHolds('MP-CLI-SECRET')).toBe(false);
      await aws('s3', 'cp', `s3://${Bucket}/cli.bin`, path.join(dir, 'back.bin'));
      expect((await readFile(path.join(dir, 'back.bin'))).equals(body)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
