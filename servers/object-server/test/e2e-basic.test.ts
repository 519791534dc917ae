/**
 * The vertical slice through the real AWS SDK at default settings over a real socket: buckets, put, get,
 * head, list, delete — path-style and virtual-hosted-style.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

describe.each([
  ['path-style', false],
  ['virtual-hosted', true],
])('SDK basics, %s', (style, virtualHost) => {
  const bucket = `basic-${virtualHost ? 'vhost' : 'path'}`;

  it('creates, lists and heads a bucket', async () => {
    const s3 = server.client({ virtualHost });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const list = await s3.send(new ListBucketsCommand({}));
    expect(list.Buckets?.map((b) => b.Name)).toContain(bucket);
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  });

  it('puts, gets, heads, lists and deletes an object', async () => {
    const s3 = server.client({ virtualHost });
    const body = `hello ${style} ${'x'.repeat(1000)}`;
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'dir/a.txt', Body: body, ContentType: 'text/plain', Metadata: { color: 'blue' } }));
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dir/a.txt' }));
    expect(await got.Body?.transformToString()).toBe(body);
    expect(got.ContentType).toBe('text/plain');
    expect(got.Metadata).toEqual({ color: 'blue' });
    expect(got.ETag).toBe(put.ETag);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'dir/a.txt' }));
    expect(head.ContentLength).toBe(Buffer.byteLength(body));
    const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'dir/' }));
    expect(list.Contents?.map((c) => c.Key)).toEqual(['dir/a.txt']);
    expect(list.KeyCount).toBe(1);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'dir/a.txt' }));
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dir/a.txt' }))).rejects.toBeInstanceOf(NoSuchKey);
    await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'dir/a.txt' }))).rejects.toBeInstanceOf(NotFound);
  });

  it('stores the object bytes, not the aws-chunked framing', async () => {
    const s3 = server.client({ virtualHost });
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'raw', Body: 'abc' }));
    const info = await server.storage.head(`${bucket}/raw`);
    expect(info.size).toBe(3);
    expect(info.checksums?.crc32).toBeDefined();
  });

  it('answers NoSuchBucket and deletes the bucket', async () => {
    const s3 = server.client({ virtualHost });
    await expect(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' }))).rejects.toBeInstanceOf(NoSuchBucket);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'raw' }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    const list = await s3.send(new ListBucketsCommand({}));
    expect(list.Buckets?.map((b) => b.Name) ?? []).not.toContain(bucket);
  });
});
