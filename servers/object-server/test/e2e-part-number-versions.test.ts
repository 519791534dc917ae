/**
 * GetObject/HeadObject `?versionId=X&partNumber=N` through the real AWS SDK
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, `partNumber` and `versionId`): a
 * multipart upload completed in a versioned bucket serves its parts while it is current, and still after newer
 * versions replaced it or a delete marker hid it; a part beyond the last is 416 InvalidPartNumber with the
 * version's part count. A single-part version answers part 1 as the whole object without a parts count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { createMemoryStorage } from '@strata/storage';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

let server: TestServer;
let s3: S3Client;
const Bucket = 'parts-versions';
const chunks = ['aaaa', 'bbbbbb', 'cc'];

beforeAll(async () => {
  server = await startServer({ storage: createMemoryStorage({ minPartSize: 1 }) });
  s3 = server.client();
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
});
afterAll(async () => {
  await server.close();
});

/** Uploads `chunks` as the parts of a new version of `Key`; its version id. */
async function multipart(Key: string): Promise<string> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const Parts = [];
  for (const [i, Body] of chunks.entries()) Parts.push({ PartNumber: i + 1, ETag: (await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body }))).ETag });
  return (await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }))).VersionId as string;
}

async function getPart(Key: string, PartNumber: number, VersionId?: string) {
  const r = await s3.send(new GetObjectCommand({ Bucket, Key, PartNumber, ...(VersionId ? { VersionId } : {}) }));
  return { text: await r.Body?.transformToString(), count: r.PartsCount, range: r.ContentRange, version: r.VersionId };
}
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as S3ServiceException);

describe('partNumber reads of versions', () => {
  it('serve the parts of a multipart version while current, by id, and once noncurrent', async () => {
    const v1 = await multipart('k');
    expect(await getPart('k', 2)).toEqual({ text: 'bbbbbb', count: 3, range: 'bytes 4-9/12', version: v1 });
    expect(await getPart('k', 3, v1)).toEqual({ text: 'cc', count: 3, range: 'bytes 10-11/12', version: v1 });
    const v2 = (await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'newer single part' }))).VersionId;
    expect(await getPart('k', 2, v1)).toEqual({ text: 'bbbbbb', count: 3, range: 'bytes 4-9/12', version: v1 });
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'k', VersionId: v1, PartNumber: 1 }));
    expect([head.ContentLength, head.PartsCount, head.ContentRange, head.VersionId]).toEqual([4, 3, 'bytes 0-3/12', v1]);
    // The current single-part version: part 1 is the whole object, without a parts count.
    expect(await getPart('k', 1)).toEqual({ text: 'newer single part', count: undefined, range: 'bytes 0-16/17', version: v2 });
    const beyond = await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: v1, PartNumber: 4 })));
    expect([beyond?.name, beyond?.$metadata.httpStatusCode]).toEqual(['InvalidPartNumber', 416]);
  });

  it('serve the parts of a version hidden by a delete marker, and of two multipart versions of one key', async () => {
    const v1 = await multipart('m');
    const v2 = await multipart('m');
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'm' }));
    expect(await getPart('m', 2, v1)).toMatchObject({ text: 'bbbbbb', count: 3, version: v1 });
    expect(await getPart('m', 3, v2)).toMatchObject({ text: 'cc', count: 3, version: v2 });
  });
});
