/**
 * GetObject of objects larger than the file adapter's first read and read chunk, over the file backend as
 * `strata serve` opens it (read cache in front), through the real AWS SDK on a real socket: whole objects with
 * the SDK validating the stored CRC32 (ChecksumMode ENABLED, the SDK default), ranges across the 1 MiB read
 * chunks (206, no whole-object checksum: GetObject, https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html),
 * `partNumber` reads of a multipart object, conditional GETs (RFC 9110 §13.1), and a read cache that never
 * fills with large objects.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { CachedStorage } from '@strata/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../src/main.ts';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

const MiB = 1 << 20;
const Bucket = 'large';
const pattern = (n: number, seed: number) => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed + (i >> 16)) & 0xff;
  return b;
};
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

let data: string;
let storage: CachedStorage;
let server: TestServer;
let s3: S3Client;
const big = pattern(9 * MiB + 5, 1);

beforeAll(async () => {
  data = mkdtempSync(join(tmpdir(), 'strata-large-get-'));
  storage = (await openStorage({ backend: 'file', data, readCacheMB: 32 })) as CachedStorage;
  server = await startServer({ storage });
  s3 = server.client();
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'big', Body: big, ChecksumAlgorithm: 'CRC32' }));
});
afterAll(async () => {
  await server.close();
  await storage.close();
  rmSync(data, { recursive: true, force: true });
});

async function get(input: Omit<ConstructorParameters<typeof GetObjectCommand>[0], 'Bucket'>) {
  const out = await s3.send(new GetObjectCommand({ Bucket, ...input }));
  return { out, body: Buffer.from(await out.Body!.transformToByteArray()) };
}

describe('large GetObject over the file backend', () => {
  it('streams the whole object, its stored CRC32 validated by the SDK', async () => {
    const { out, body } = await get({ Key: 'big', ChecksumMode: 'ENABLED' });
    expect(out.ChecksumCRC32).toBeDefined();
    expect(out.ContentLength).toBe(big.length);
    expect(md5(body)).toBe(md5(big));
  });

  it('answers ranges across read chunks with 206 and exactly their bytes', async () => {
    for (const [start, end] of [[MiB - 3, 3 * MiB + 2], [0, MiB], [9 * MiB, 9 * MiB + 4], [4 * MiB + 1, 9 * MiB + 4]] as const) {
      const { out, body } = await get({ Key: 'big', Range: `bytes=${start}-${end}`, ChecksumMode: 'ENABLED' });
      expect(out.$metadata.httpStatusCode).toBe(206);
      expect(out.ContentRange).toBe(`bytes ${start}-${end}/${big.length}`);
      expect(out.ChecksumCRC32).toBeUndefined();
      expect(body.equals(big.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
    }
    const { body: suffix } = await get({ Key: 'big', Range: 'bytes=-1048577' });
    expect(suffix.equals(big.subarray(big.length - 1048577))).toBe(true);
  });

  it('honours conditional GETs: 304 on a matching If-None-Match, 412 on a stale If-Match', async () => {
    const { out } = await get({ Key: 'big' });
    const notModified = await s3.send(new GetObjectCommand({ Bucket, Key: 'big', IfNoneMatch: out.ETag })).catch((e: S3ServiceException) => e);
    expect((notModified as S3ServiceException).$metadata.httpStatusCode).toBe(304);
    const failed = await s3.send(new GetObjectCommand({ Bucket, Key: 'big', IfMatch: '"0123456789abcdef0123456789abcdef"' })).catch((e: S3ServiceException) => e);
    expect((failed as S3ServiceException).$metadata.httpStatusCode).toBe(412);
    const { body } = await get({ Key: 'big', IfMatch: out.ETag });
    expect(md5(body)).toBe(md5(big));
  });

  it('reads each part of a multipart object by partNumber', async () => {
    const parts = [pattern(5 * MiB, 2), pattern(3 * MiB + 11, 3)];
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'multi' }));
    const done = [];
    for (const [i, p] of parts.entries()) {
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket, Key: 'multi', UploadId, PartNumber: i + 1, Body: p }));
      done.push({ ETag, PartNumber: i + 1 });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'multi', UploadId, MultipartUpload: { Parts: done } }));
    for (const [i, p] of parts.entries()) {
      const { out, body } = await get({ Key: 'multi', PartNumber: i + 1 });
      expect(out.PartsCount).toBe(2);
      expect(body.equals(p), `part ${i + 1}`).toBe(true);
    }
  });

  it('serves concurrent large GETs byte-exact and keeps them out of the read cache', async () => {
    const got = await Promise.all([0, 1, 2, 3].map(() => get({ Key: 'big', ChecksumMode: 'ENABLED' })));
    for (const { body } of got) expect(md5(body)).toBe(md5(big));
    expect(storage.cacheStats().bytes).toBe(0);
  });
});
