/**
 * Multipart through the real AWS SDK: create, upload (any order), copy a part with a range, list parts and
 * uploads, complete (md5-of-md5s-N ETag, part checks), abort, partNumber reads, and @aws-sdk/lib-storage
 * uploading a stream of unknown length.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  NoSuchUpload,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import type { S3Client ,
  S3ServiceException} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

const MiB = 1024 * 1024;
let server: TestServer;
let s3: S3Client;
const Bucket = 'multi';

beforeAll(async () => {
  server = await startServer();
  s3 = server.client();
  await s3.send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => {
  await server.close();
});

const md5 = (b: Buffer) => createHash('md5').update(b).digest();
const fill = (n: number, byte: number) => Buffer.alloc(n, byte);

describe('multipart', () => {
  it('uploads parts out of order, copies a ranged part, lists and completes', async () => {
    const Key = 'assembled/obj';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType: 'application/x-test', Metadata: { m: 'v' } }));
    expect(UploadId).toBeTruthy();
    const p1 = fill(5 * MiB, 1);
    const p3 = Buffer.from('tail');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'copy-src', Body: fill(6 * MiB, 2) }));
    const r3 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 3, Body: p3 }));
    const r1 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: p1 }));
    const r2 = await s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 2, CopySource: `${Bucket}/copy-src`, CopySourceRange: `bytes=0-${5 * MiB - 1}` }));
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'assembled/' }));
    expect(uploads.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([[Key, UploadId]]);
    const parts = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([[1, 5 * MiB], [2, 5 * MiB], [3, 4]]);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: r1.ETag }, { PartNumber: 2, ETag: r2.CopyPartResult?.ETag }, { PartNumber: 3, ETag: r3.ETag }] },
      }),
    );
    const expected = createHash('md5').update(Buffer.concat([md5(p1), md5(fill(5 * MiB, 2)), md5(p3)])).digest('hex');
    expect(done.ETag).toBe(`"${expected}-3"`);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key }));
    expect(head.ContentLength).toBe(10 * MiB + 4);
    expect(head.ContentType).toBe('application/x-test');
    expect(head.Metadata).toEqual({ m: 'v' });
    const part3 = await s3.send(new GetObjectCommand({ Bucket, Key, PartNumber: 3 }));
    expect(part3.PartsCount).toBe(3);
    expect(await part3.Body?.transformToString()).toBe('tail');
    const after = await s3.send(new ListMultipartUploadsCommand({ Bucket }));
    expect(after.Uploads ?? []).toEqual([]);
  });

  it('rejects small parts, unknown parts and bad order', async () => {
    const Key = 'bad/obj';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const a = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'small' }));
    const b = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: 'small' }));
    const complete = (Parts: { PartNumber: number; ETag: string | undefined }[]) =>
      s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } })).then(
        () => undefined,
        (e: unknown) => e as S3ServiceException,
      );
    expect((await complete([{ PartNumber: 1, ETag: a.ETag }, { PartNumber: 2, ETag: b.ETag }]))?.name).toBe('EntityTooSmall');
    expect((await complete([{ PartNumber: 1, ETag: '"0123456789abcdef0123456789abcdef"' }]))?.name).toBe('InvalidPart');
    expect((await complete([{ PartNumber: 2, ETag: b.ETag }, { PartNumber: 1, ETag: a.ETag }]))?.name).toBe('InvalidPartOrder');
    await expect(server.storage.head(`${Bucket}/${Key}`)).rejects.toMatchObject({ code: 'NotFound' });
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    await expect(s3.send(new ListPartsCommand({ Bucket, Key, UploadId }))).rejects.toBeInstanceOf(NoSuchUpload);
  });

  it('uploads a stream of unknown length with lib-storage', async () => {
    const total = 12 * MiB + 123;
    const hash = createHash('md5');
    async function* generate() {
      let sent = 0;
      while (sent < total) {
        const n = Math.min(256 * 1024, total - sent);
        const chunk = Buffer.alloc(n, sent % 251);
        hash.update(chunk);
        sent += n;
        yield chunk;
      }
    }
    const upload = new Upload({ client: s3, params: { Bucket, Key: 'streamed', Body: Readable.from(generate()) }, partSize: 5 * MiB, queueSize: 2 });
    const res = await upload.done();
    expect(res.ETag).toMatch(/-3"$/);
    const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'streamed' }));
    const bytes = Buffer.from(await get.Body!.transformToByteArray());
    expect(bytes.length).toBe(total);
    expect(createHash('md5').update(bytes).digest('hex')).toBe(hash.digest('hex'));
  });
});
