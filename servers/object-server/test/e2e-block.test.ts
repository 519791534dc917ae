/**
 * The server over the block backend end to end: `buildApp` over `createBlockStorage` on an image file in a
 * temporary directory, driven by the AWS SDK at default settings (CRC32 trailers) — put/get/list, ranges,
 * multipart with a copied part and partNumber reads, copy, deletes — and the objects still there after the
 * image is closed and opened again by a new server.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { createBlockStorage } from '@strata/block';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

let dir: string;
let server: TestServer;
const Bucket = 'blocks';
const open = () => createBlockStorage({ path: path.join(dir, 'img'), pageCount: 4096, minPartSize: 1024 });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'strata-os-block-'));
  server = await startServer({ storage: await open() });
  await server.client().send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => {
  await server.close();
  await server.storage.close();
  await rm(dir, { recursive: true, force: true });
});

const text = async (Key: string, extra: { Range?: string; PartNumber?: number } = {}) =>
  (await server.client().send(new GetObjectCommand({ Bucket, Key, ...extra }))).Body!.transformToString();

describe('over the block adapter', () => {
  it('puts, heads, gets (whole and ranged) and lists', async () => {
    const s3 = server.client();
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'dir/a.txt', Body: 'block backed', ContentType: 'text/plain', Metadata: { k: 'v' } }));
    expect(put.ETag).toBe(`"${createHash('md5').update('block backed').digest('hex')}"`);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'dir/b.txt', Body: 'second' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'top', Body: 'x' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'dir/a.txt' }));
    expect([head.ContentLength, head.ContentType, head.Metadata]).toEqual([12, 'text/plain', { k: 'v' }]);
    expect(await text('dir/a.txt')).toBe('block backed');
    expect(await text('dir/a.txt', { Range: 'bytes=6-' })).toBe('backed');
    const list = await s3.send(new ListObjectsV2Command({ Bucket, Delimiter: '/' }));
    expect(list.Contents?.map((c) => c.Key)).toEqual(['top']);
    expect(list.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['dir/']);
  });

  it('assembles a multipart upload with a copied part and serves its parts', async () => {
    const s3 = server.client();
    const Key = 'mp';
    const p1 = Buffer.alloc(2048, 1);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const r1 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: p1 }));
    const r2 = await s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 2, CopySource: `${Bucket}/dir/a.txt`, CopySourceRange: 'bytes=0-4' }));
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: r1.ETag }, { PartNumber: 2, ETag: r2.CopyPartResult?.ETag }] } }),
    );
    expect(done.ETag).toMatch(/-2"$/);
    const whole = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToByteArray());
    expect(whole.equals(Buffer.concat([p1, Buffer.from('block')]))).toBe(true);
    const part2 = await s3.send(new GetObjectCommand({ Bucket, Key, PartNumber: 2 }));
    expect([await part2.Body?.transformToString(), part2.PartsCount]).toEqual(['block', 2]);
  });

  it('copies and deletes', async () => {
    const s3 = server.client();
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'copied', CopySource: `${Bucket}/dir/b.txt` }));
    expect(await text('copied')).toBe('second');
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'top' }));
    const many = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'dir/b.txt' }, { Key: 'mp' }] } }));
    expect(many.Deleted?.map((d) => d.Key).sort()).toEqual(['dir/b.txt', 'mp']);
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket }))).Contents?.map((c) => c.Key);
    expect(keys).toEqual(['copied', 'dir/a.txt']);
  });

  it('keeps buckets and objects across a reopen of the image', async () => {
    await server.close();
    await server.storage.close();
    server = await startServer({ storage: await open() });
    expect(await text('dir/a.txt')).toBe('block backed');
    expect((await server.client().send(new ListObjectsV2Command({ Bucket }))).KeyCount).toBe(2);
  });
});
