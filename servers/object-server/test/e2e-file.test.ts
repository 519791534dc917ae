/**
 * The SDK over the file adapter (the server's default backend) on a temporary directory: the basic cycle,
 * multipart, and traversal keys that must stay inside the data directory.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createFileStorage } from '@strata/file';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

let parent: string;
let root: string;
let server: TestServer;
const Bucket = 'files';

beforeAll(async () => {
  parent = await mkdtemp(path.join(os.tmpdir(), 'strata-os-'));
  root = path.join(parent, 'data');
  server = await startServer({ storage: createFileStorage({ root }) });
  await server.client().send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => {
  await server.close();
  await server.storage.close();
  await rm(parent, { recursive: true, force: true });
});

describe('over the file adapter', () => {
  it('puts, lists, gets and deletes', async () => {
    const s3 = server.client();
    await s3.send(new PutObjectCommand({ Bucket, Key: 'a/b.txt', Body: 'file backed' }));
    expect((await s3.send(new ListObjectsV2Command({ Bucket }))).Contents?.map((c) => c.Key)).toEqual(['a/b.txt']);
    expect(await (await s3.send(new GetObjectCommand({ Bucket, Key: 'a/b.txt' }))).Body?.transformToString()).toBe('file backed');
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'a/b.txt' }));
  });
  it('keeps traversal keys inside the data directory', async () => {
    const s3 = server.client();
    for (const Key of ['../escape', '../../escape2', 'x/../../../escape3']) {
      await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
      expect(await (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body?.transformToString()).toBe(Key);
    }
    expect(await readdir(parent)).toEqual(['data']);
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket }))).Contents?.map((c) => c.Key);
    expect(keys).toEqual(expect.arrayContaining(['../escape', '../../escape2', 'x/../../../escape3']));
  });
  // Regression (`aws s3 rb --force` once failed with NoSuchKey): concurrent deletes emptying one
  // directory race in the file adapter (one delete's directory fsync after another removed the directory).
  it('deletes every key of a directory concurrently, each answering success', async () => {
    const s3 = server.client();
    const keys = Array.from({ length: 60 }, (_, i) => `race/${String(i).padStart(3, '0')}`);
    await Promise.all(keys.map((Key) => server.storage.put(`${Bucket}/${Key}`, 'x')));
    const results = await Promise.allSettled(keys.map((Key) => s3.send(new DeleteObjectCommand({ Bucket, Key }))));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    await Promise.all(keys.map((Key) => server.storage.put(`${Bucket}/${Key}`, 'x')));
    const halves = [keys.slice(0, 30), keys.slice(30)];
    const many = await Promise.all(halves.map((h) => s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: h.map((Key) => ({ Key })) } }))));
    expect(many.flatMap((m) => m.Errors ?? [])).toEqual([]);
    expect((await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'race/' }))).KeyCount).toBe(0);
  });
  // A presigned PUT's body is read straight from the request (no decoder stage): a connection that goes away
  // mid-body must fail the put and remove its staged file, not leave it waiting for bytes that never come.
  it('removes the staged file of a presigned PUT whose connection went away mid-body', async () => {
    const s3 = server.client();
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'cut/short' }), { expiresIn: 60 });
    await new Promise<void>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => {
        socket.write(`PUT ${url.slice(server.endpoint.length)} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(70000)}`);
        setTimeout(() => socket.destroy(), 100);
      });
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    const staging = path.join(root, '.strata-staging');
    for (let i = 0; i < 50 && (await readdir(staging)).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await readdir(staging)).toEqual([]);
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'cut/short' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
  });
  it('uploads multipart with lib-storage', async () => {
    const body = Buffer.alloc(11 * 1024 * 1024, 7);
    const res = await new Upload({ client: server.client(), params: { Bucket, Key: 'big', Body: body }, partSize: 5 * 1024 * 1024 }).done();
    expect(res.ETag).toMatch(/-3"$/);
    const got = await server.client().send(new GetObjectCommand({ Bucket, Key: 'big' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });
});
