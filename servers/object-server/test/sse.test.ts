/**
 * Server-side encryption at rest ("Protecting data with server-side encryption",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/serv-side-encryption.html): SSE-S3, SSE-C and bucket
 * default encryption through the AWS SDK over a real socket, on the file backend, whose data directory is read
 * to check that no plaintext of an encrypted object reaches the medium.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { createMemoryStorage, withReadCache } from '@strata/storage';
import type { ByteRange, GetOptions, Storage } from '@strata/storage';
import { createFileStorage } from '@strata/file';
import { buildApp } from '../src/app.ts';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

const MASTER_KEY = randomBytes(32);
const Bucket = 'vault';
const DefaultBucket = 'vault-default';

let parent: string;
let root: string;
let server: TestServer;
let files: Storage;
/** The stored ranges storage was asked to read (undefined: the whole object), most recent last. */
const reads: (ByteRange | undefined)[] = [];

/** The file storage, with every read's range recorded. */
function recording(storage: Storage): Storage {
  return new Proxy(storage, {
    get(target, name) {
      if (name === 'get') return (key: string, options?: GetOptions) => (reads.push(options?.range), target.get(key, options));
      const value = Reflect.get(target, name) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Text that is easy to find: a marker and a counter, repeated. */
const plaintext = (size: number, marker: string) => {
  let s = '';
  for (let i = 0; s.length < size; i++) s += `${marker}:${i};`;
  return s.slice(0, size);
};

/** Every file's bytes under the data directory, joined. */
async function medium(): Promise<Buffer> {
  const out: Buffer[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out.push(await readFile(path.join(entry.parentPath, entry.name)));
  }
  return Buffer.concat(out);
}

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');
const customer = (key: Buffer) => ({ SSECustomerAlgorithm: 'AES256', SSECustomerKey: key.toString('base64'), SSECustomerKeyMD5: createHash('md5').update(key).digest('base64') });

beforeAll(async () => {
  parent = await mkdtemp(path.join(os.tmpdir(), 'strata-sse-'));
  root = path.join(parent, 'data');
  files = createFileStorage({ root });
  server = await startServer({ storage: recording(files), sseMasterKey: MASTER_KEY });
  await server.client().send(new CreateBucketCommand({ Bucket }));
  await server.client().send(new CreateBucketCommand({ Bucket: DefaultBucket }));
});
afterAll(async () => {
  await server.close();
  await files.close();
  await rm(parent, { recursive: true, force: true });
});

describe('SSE-S3', () => {
  const body = plaintext(300_000, 'SSE-S3-SECRET');

  it('stores ciphertext only and reads back the plaintext with S3 headers, size and ETag', async () => {
    const s3 = server.client();
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 's3.txt', Body: body, ServerSideEncryption: 'AES256', Metadata: { color: 'blue' } }));
    expect(put.ServerSideEncryption).toBe('AES256');
    expect(put.ETag).toBe(`"${md5(body)}"`);
    // The control: an object stored without encryption is found on the medium as it was sent.
    await s3.send(new PutObjectCommand({ Bucket, Key: 'control.txt', Body: 'PLAIN-CONTROL-BODY' }));
    const stored = await medium();
    expect(stored.includes('PLAIN-CONTROL-BODY')).toBe(true);
    expect(stored.includes('SSE-S3-SECRET')).toBe(false);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 's3.txt' }));
    expect(got.ServerSideEncryption).toBe('AES256');
    expect(got.ContentLength).toBe(body.length);
    expect(got.ETag).toBe(`"${md5(body)}"`);
    expect(got.Metadata).toEqual({ color: 'blue' });
    expect(await got.Body?.transformToString()).toBe(body);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 's3.txt' }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.ServerSideEncryption).toBe('AES256');
  });

  it('answers ranges from only the segments covering them', async () => {
    const s3 = server.client();
    const segment = 64 * 1024;
    for (const [start, end] of [[0, 0], [segment - 5, segment + 5], [200_000, 200_099], [299_990, 299_999]] as const) {
      reads.length = 0;
      const got = await s3.send(new GetObjectCommand({ Bucket, Key: 's3.txt', Range: `bytes=${start}-${end}` }));
      expect(await got.Body?.transformToString()).toBe(body.slice(start, end + 1));
      expect(got.ContentRange).toBe(`bytes ${start}-${end}/${body.length}`);
      // The largest stored read is at most the two sealed segments the range touches.
      const largest = Math.max(...reads.map((r) => (r && 'end' in r && r.end !== undefined && 'start' in r ? r.end - r.start + 1 : Infinity)));
      expect(largest).toBeLessThanOrEqual(2 * (segment + 16));
    }
    const suffix = await s3.send(new GetObjectCommand({ Bucket, Key: 's3.txt', Range: 'bytes=-10' }));
    expect(await suffix.Body?.transformToString()).toBe(body.slice(-10));
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 's3.txt', Range: `bytes=${body.length}-` }))).rejects.toMatchObject({ name: 'InvalidRange' });
  });

  it('compares conditional headers with the plaintext ETag', async () => {
    const s3 = server.client();
    const etag = `"${md5(body)}"`;
    const ok = await s3.send(new GetObjectCommand({ Bucket, Key: 's3.txt', IfMatch: etag, Range: 'bytes=0-3' }));
    expect(await ok.Body?.transformToString()).toBe(body.slice(0, 4));
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 's3.txt', IfNoneMatch: etag }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
  });

  it('encrypts an empty object', async () => {
    const s3 = server.client();
    await s3.send(new PutObjectCommand({ Bucket, Key: 'empty', Body: '', ServerSideEncryption: 'AES256' }));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'empty' }));
    expect(got.ContentLength).toBe(0);
    expect(got.ETag).toBe(`"${md5('')}"`);
    expect(await got.Body?.transformToString()).toBe('');
  });
});

describe('SSE-C', () => {
  const key = randomBytes(32);
  const body = plaintext(100_000, 'SSE-C-SECRET');

  it('stores ciphertext, needs the key to read, and reports the key MD5', async () => {
    const s3 = server.client();
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'c.txt', Body: body, ...customer(key) }));
    expect(put.SSECustomerAlgorithm).toBe('AES256');
    expect(put.SSECustomerKeyMD5).toBe(customer(key).SSECustomerKeyMD5);
    // SSE-C ETags are not the MD5 of the object data.
    expect(put.ETag).not.toBe(`"${md5(body)}"`);
    const stored = await medium();
    expect(stored.includes('SSE-C-SECRET')).toBe(false);
    expect(stored.includes(key)).toBe(false);
    expect(stored.includes(key.toString('base64'))).toBe(false);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'c.txt', ...customer(key), Range: 'bytes=70000-70009' }));
    expect(await got.Body?.transformToString()).toBe(body.slice(70000, 70010));
    expect(got.SSECustomerKeyMD5).toBe(customer(key).SSECustomerKeyMD5);
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'c.txt', ...customer(key) }))).ContentLength).toBe(body.length);
  });

  it('answers 400 InvalidRequest without the key and 403 AccessDenied with another', async () => {
    const s3 = server.client();
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'c.txt' }))).rejects.toMatchObject({ name: 'InvalidRequest', $metadata: { httpStatusCode: 400 } });
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'c.txt', ...customer(randomBytes(32)) }))).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await expect(s3.send(new HeadObjectCommand({ Bucket, Key: 'c.txt', ...customer(randomBytes(32)) }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    // A key on an object stored in plaintext is refused too.
    await s3.send(new PutObjectCommand({ Bucket, Key: 'plain.txt', Body: 'plain' }));
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'plain.txt', ...customer(key) }))).rejects.toMatchObject({ name: 'InvalidRequest' });
  });

  it('refuses malformed customer keys with InvalidArgument', async () => {
    const s3 = server.client();
    // The SDK computes the key's MD5 itself; a key of the wrong length is what a client can get wrong here.
    await expect(s3.send(new PutObjectCommand({ Bucket, Key: 'x', Body: 'x', ...customer(randomBytes(16)) }))).rejects.toMatchObject({ name: 'InvalidArgument' });
    await expect(s3.send(new HeadObjectCommand({ Bucket, Key: 'x' }))).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('encrypts a browser-based upload with the key given in the form', async () => {
    const s3 = server.client();
    const ssecFields = {
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
      'x-amz-server-side-encryption-customer-key': key.toString('base64'),
      'x-amz-server-side-encryption-customer-key-MD5': customer(key).SSECustomerKeyMD5,
    };
    const { url, fields } = await createPresignedPost(s3 as unknown as Parameters<typeof createPresignedPost>[0], {
      Bucket, Key: 'form-c.txt', Fields: ssecFields, Conditions: Object.entries(ssecFields).map(([n, v]) => ({ [n]: v })),
    });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob(['FORM-SSE-C-SECRET']), 'f.txt');
    const posted = await fetch(url, { method: 'POST', body: form });
    expect(posted.status).toBe(204);
    expect(posted.headers.get('x-amz-server-side-encryption-customer-key-md5')).toBe(customer(key).SSECustomerKeyMD5);
    expect((await medium()).includes('FORM-SSE-C-SECRET')).toBe(false);
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'form-c.txt' }))).rejects.toMatchObject({ name: 'InvalidRequest' });
    expect(await (await s3.send(new GetObjectCommand({ Bucket, Key: 'form-c.txt', ...customer(key) }))).Body?.transformToString()).toBe('FORM-SSE-C-SECRET');
  });

  it('copies with decryption and re-encryption under the target settings', async () => {
    const s3 = server.client();
    const copied = await s3.send(new CopyObjectCommand({
      Bucket, Key: 'c-to-s3.txt', CopySource: `${Bucket}/c.txt`, ServerSideEncryption: 'AES256',
      CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: key.toString('base64'), CopySourceSSECustomerKeyMD5: customer(key).SSECustomerKeyMD5,
    }));
    expect(copied.ServerSideEncryption).toBe('AES256');
    expect(copied.CopyObjectResult?.ETag).toBe(`"${md5(body)}"`);
    expect(await (await s3.send(new GetObjectCommand({ Bucket, Key: 'c-to-s3.txt' }))).Body?.transformToString()).toBe(body);
    // Without the source key the copy is refused.
    await expect(s3.send(new CopyObjectCommand({ Bucket, Key: 'nope', CopySource: `${Bucket}/c.txt` }))).rejects.toMatchObject({ name: 'InvalidRequest' });
    // Encrypted to plaintext: the destination has no encryption.
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'decrypted.txt', CopySource: `${Bucket}/c-to-s3.txt` }));
    const plain = await s3.send(new GetObjectCommand({ Bucket, Key: 'decrypted.txt' }));
    expect(plain.ServerSideEncryption).toBeUndefined();
    expect(plain.ETag).toBe(`"${md5(body)}"`);
    expect(await plain.Body?.transformToString()).toBe(body);
  });
});

describe('bucket default encryption', () => {
  it('is put, read, applied to new objects, kept across restarts and deleted', async () => {
    const s3 = server.client();
    await expect(s3.send(new GetBucketEncryptionCommand({ Bucket: DefaultBucket }))).rejects.toMatchObject({ name: 'ServerSideEncryptionConfigurationNotFoundError' });
    await s3.send(new PutBucketEncryptionCommand({
      Bucket: DefaultBucket,
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    }));
    const config = await s3.send(new GetBucketEncryptionCommand({ Bucket: DefaultBucket }));
    expect(config.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');
    const put = await s3.send(new PutObjectCommand({ Bucket: DefaultBucket, Key: 'auto.txt', Body: 'DEFAULT-ENCRYPTED-BODY' }));
    expect(put.ServerSideEncryption).toBe('AES256');
    expect((await medium()).includes('DEFAULT-ENCRYPTED-BODY')).toBe(false);
    // A browser-based upload to the bucket is encrypted too.
    const { url, fields } = await createPresignedPost(s3 as unknown as Parameters<typeof createPresignedPost>[0], { Bucket: DefaultBucket, Key: 'posted.txt' });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob(['POSTED-FORM-SECRET']), 'posted.txt');
    const posted = await fetch(url, { method: 'POST', body: form });
    expect(posted.status).toBe(204);
    expect(posted.headers.get('x-amz-server-side-encryption')).toBe('AES256');
    expect(posted.headers.get('etag')).toBe(`"${md5('POSTED-FORM-SECRET')}"`);
    expect((await medium()).includes('POSTED-FORM-SECRET')).toBe(false);
    expect(await (await s3.send(new GetObjectCommand({ Bucket: DefaultBucket, Key: 'posted.txt' }))).Body?.transformToString()).toBe('POSTED-FORM-SECRET');
    // A multipart upload to the bucket is encrypted too (sse-multipart.test.ts has the parts).
    const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: DefaultBucket, Key: 'mp' }));
    expect(upload.ServerSideEncryption).toBe('AES256');
    await s3.send(new AbortMultipartUploadCommand({ Bucket: DefaultBucket, Key: 'mp', UploadId: upload.UploadId }));

    // A second app over the same storage reads the persisted default.
    const again = buildApp({ storage: files, credentials: [{ accessKeyId: 'a', secretAccessKey: 'b' }], sseMasterKey: MASTER_KEY, allowAnonymous: true });
    const res = await again.inject({ method: 'GET', url: `/${DefaultBucket}?encryption` });
    await again.close();
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<SSEAlgorithm>AES256</SSEAlgorithm>');

    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: DefaultBucket }));
    await expect(s3.send(new GetBucketEncryptionCommand({ Bucket: DefaultBucket }))).rejects.toMatchObject({ name: 'ServerSideEncryptionConfigurationNotFoundError' });
    const plain = await s3.send(new PutObjectCommand({ Bucket: DefaultBucket, Key: 'later.txt', Body: 'x' }));
    expect(plain.ServerSideEncryption).toBeUndefined();
    // Objects written while the default held stay encrypted and readable.
    expect(await (await s3.send(new GetObjectCommand({ Bucket: DefaultBucket, Key: 'auto.txt' }))).Body?.transformToString()).toBe('DEFAULT-ENCRYPTED-BODY');
  });
});

describe('encrypted objects elsewhere', () => {
  it('keeps every version of an encrypted object readable in a versioned bucket', async () => {
    const s3 = server.client();
    const Versioned = 'vault-versions';
    await s3.send(new CreateBucketCommand({ Bucket: Versioned }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: Versioned, VersioningConfiguration: { Status: 'Enabled' } }));
    const first = await s3.send(new PutObjectCommand({ Bucket: Versioned, Key: 'v', Body: 'VERSION-ONE-SECRET', ServerSideEncryption: 'AES256' }));
    await s3.send(new PutObjectCommand({ Bucket: Versioned, Key: 'v', Body: 'VERSION-TWO-SECRET', ServerSideEncryption: 'AES256' }));
    expect(await (await s3.send(new GetObjectCommand({ Bucket: Versioned, Key: 'v' }))).Body?.transformToString()).toBe('VERSION-TWO-SECRET');
    const old = await s3.send(new GetObjectCommand({ Bucket: Versioned, Key: 'v', VersionId: first.VersionId, Range: 'bytes=8-10' }));
    expect(await old.Body?.transformToString()).toBe('ONE');
    expect(old.ServerSideEncryption).toBe('AES256');
    const stored = await medium();
    expect(stored.includes('VERSION-ONE-SECRET') || stored.includes('VERSION-TWO-SECRET')).toBe(false);
  });

  it('copies the plaintext of an encrypted source into a part of a plain upload, never its sealed bytes', async () => {
    const s3 = server.client();
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'assembled' }));
    const part = await s3.send(new UploadPartCopyCommand({ Bucket, Key: 'assembled', UploadId, PartNumber: 1, CopySource: `${Bucket}/s3.txt`, CopySourceRange: 'bytes=0-99' }));
    expect(part.ServerSideEncryption).toBeUndefined();
    const { Parts } = await s3.send(new ListPartsCommand({ Bucket, Key: 'assembled', UploadId }));
    expect(Parts?.[0]?.Size).toBe(100);
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'assembled', UploadId }));
  });

  it('forgets the default encryption of a deleted bucket', async () => {
    const s3 = server.client();
    const Gone = 'vault-gone';
    await s3.send(new CreateBucketCommand({ Bucket: Gone }));
    await s3.send(new PutBucketEncryptionCommand({ Bucket: Gone, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }));
    await s3.send(new DeleteBucketCommand({ Bucket: Gone }));
    await s3.send(new CreateBucketCommand({ Bucket: Gone }));
    await expect(s3.send(new GetBucketEncryptionCommand({ Bucket: Gone }))).rejects.toMatchObject({ name: 'ServerSideEncryptionConfigurationNotFoundError' });
  });
});

describe('the encryption record', () => {
  it('is never shown, and cannot be set by a client', async () => {
    const s3 = server.client();
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 's3.txt' }));
    expect(Object.keys(head.Metadata ?? {})).toEqual(['color']);
    await expect(s3.send(new PutObjectCommand({ Bucket, Key: 'forged', Body: 'x', Metadata: { 'x-strata-sse': 'e30' } }))).rejects.toMatchObject({ name: 'InvalidArgument' });
  });
});

describe('behind the read cache', () => {
  it('serves an encrypted object decrypted on cache hits too', async () => {
    const cached = await startServer({ storage: withReadCache(createMemoryStorage(), { maxBytes: 1024 * 1024 }), sseMasterKey: MASTER_KEY });
    try {
      const s3 = cached.client();
      await s3.send(new CreateBucketCommand({ Bucket }));
      await s3.send(new PutObjectCommand({ Bucket, Key: 'hot', Body: 'HOT-SECRET', ServerSideEncryption: 'AES256' }));
      for (let i = 0; i < 3; i++) {
        const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'hot' }));
        expect([await got.Body?.transformToString(), got.ETag, got.ContentLength]).toEqual(['HOT-SECRET', `"${md5('HOT-SECRET')}"`, 10]);
      }
    } finally {
      await cached.close();
    }
  });
});

describe('without a master key', () => {
  it('refuses SSE-S3 with NotImplemented and stores nothing', async () => {
    const bare = await startServer();
    try {
      const s3 = bare.client();
      await s3.send(new CreateBucketCommand({ Bucket }));
      await expect(s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x', ServerSideEncryption: 'AES256' }))).rejects.toMatchObject({ name: 'NotImplemented' });
      await expect(s3.send(new HeadObjectCommand({ Bucket, Key: 'k' }))).rejects.toMatchObject({ name: 'NotFound' });
    } finally {
      await bare.close();
    }
  });
});
