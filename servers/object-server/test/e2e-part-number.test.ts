/**
 * GetObject/HeadObject `?partNumber=N` through the real AWS SDK
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_RequestSyntax): parts of a
 * multipart object; a copy of one (a single-part object, as S3's CopyObject makes) and a multipart object whose
 * layout the server never recorded answer as S3 does for a non-multipart object — part 1 is the whole object
 * without `x-amz-mp-parts-count`, other parts are 416 InvalidPartNumber. And the part-layout records under the
 * reserved prefix go away with DeleteObject, DeleteObjects and overwrites (PutObject, CopyObject), also after a
 * restart of the server over the same storage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { createMemoryStorage } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

let storage: Storage;
let server: TestServer;
let s3: S3Client;
const Bucket = 'parts';
const chunks = ['aaaa', 'bbbbbb', 'cc'];

beforeAll(async () => {
  storage = createMemoryStorage({ minPartSize: 1 });
  server = await startServer({ storage });
  s3 = server.client();
  await s3.send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => {
  await server.close();
});

async function multipart(Key: string, client = s3): Promise<void> {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const Parts = [];
  for (const [i, Body] of chunks.entries()) {
    const r = await client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body }));
    Parts.push({ PartNumber: i + 1, ETag: r.ETag });
  }
  await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }));
}

const getPart = async (Key: string, PartNumber: number) => {
  const r = await s3.send(new GetObjectCommand({ Bucket, Key, PartNumber }));
  return { text: await r.Body!.transformToString(), count: r.PartsCount, range: r.ContentRange };
};
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as S3ServiceException);

/** The part-layout records in the backing storage (the reserved prefix is not reachable through S3). */
async function layoutKeys(): Promise<string[]> {
  return (await storage.list({ prefix: '.strata/parts/' })).items.map((i) => i.key.slice('.strata/parts/'.length));
}

describe('partNumber', () => {
  it('serves each part of a multipart object with its parts count', async () => {
    await multipart('mp');
    for (const [i, c] of chunks.entries()) expect(await getPart('mp', i + 1)).toMatchObject({ text: c, count: 3 });
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'mp', PartNumber: 2 }));
    expect([head.ContentLength, head.PartsCount, head.ContentRange]).toEqual([6, 3, 'bytes 4-9/12']);
    const beyond = await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'mp', PartNumber: 4 })));
    expect([beyond?.name, beyond?.$metadata.httpStatusCode]).toEqual(['InvalidPartNumber', 416]);
  });

  it('answers for a copy of a multipart object as for a single-part object', async () => {
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'mp-copy', CopySource: `${Bucket}/mp` }));
    expect(await getPart('mp-copy', 1)).toMatchObject({ text: chunks.join(''), count: undefined });
    const two = await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'mp-copy', PartNumber: 2 })));
    expect([two?.name, two?.$metadata.httpStatusCode]).toEqual(['InvalidPartNumber', 416]);
    const head = await failure(s3.send(new HeadObjectCommand({ Bucket, Key: 'mp-copy', PartNumber: 2 })));
    expect(head?.$metadata.httpStatusCode).toBe(416);
  });

  it('answers for a multipart object of unknown layout as for a single-part object', async () => {
    // Completed through the backing storage, not the server: no layout was recorded.
    const key = `${Bucket}/elsewhere`;
    const { uploadId } = await storage.startMultipart(key);
    const done = [];
    for (const [i, c] of chunks.entries()) done.push(await storage.uploadPart(key, uploadId, i + 1, c));
    const info = await storage.completeMultipart(key, uploadId, done.map((p) => ({ partNumber: p.partNumber, etag: p.etag })));
    expect(info.partCount).toBe(3);
    expect(await getPart('elsewhere', 1)).toMatchObject({ text: chunks.join(''), count: undefined });
    expect((await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'elsewhere', PartNumber: 3 }))))?.name).toBe('InvalidPartNumber');
  });

  it('serves part 1 of a single-part object without a parts count, and 416 beyond', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'single', Body: '0123456789' }));
    expect(await getPart('single', 1)).toMatchObject({ text: '0123456789', count: undefined });
    expect((await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'single', PartNumber: 2 }))))?.name).toBe('InvalidPartNumber');
  });
});

describe('part-layout records', () => {
  it('are removed by DeleteObject, DeleteObjects, PutObject and CopyObject onto the key', async () => {
    for (const k of ['del', 'many-1', 'many-2', 'over-put', 'over-copy']) await multipart(`rec/${k}`);
    const recorded = (await layoutKeys()).filter((k) => k.startsWith(`${Bucket}/rec/`));
    expect(recorded).toHaveLength(5);
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'rec/del' }));
    await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'rec/many-1' }, { Key: 'rec/many-2' }] } }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'rec/over-put', Body: 'new' }));
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'rec/over-copy', CopySource: `${Bucket}/single` }));
    expect((await layoutKeys()).filter((k) => k.startsWith(`${Bucket}/rec/`))).toEqual([]);
  });

  it('are removed after a restart of the server over the same storage', async () => {
    await multipart('restart');
    expect(await layoutKeys()).toContain(`${Bucket}/restart`);
    const again = await startServer({ storage });
    try {
      const client = again.client();
      expect((await client.send(new GetObjectCommand({ Bucket, Key: 'restart', PartNumber: 2 }))).PartsCount).toBe(3);
      await client.send(new DeleteObjectCommand({ Bucket, Key: 'restart' }));
      expect(await layoutKeys()).not.toContain(`${Bucket}/restart`);
    } finally {
      await again.close();
    }
  });
});
