/**
 * The adapter's overhead (the goal: at most 5 % over raw client-s3 for 64 MiB): a body already in memory —
 * bytes or a string larger than the part size — is ONE PutObject with the MD5 ETag, as raw `PutObjectCommand`
 * would send it, not a multipart upload; so is an in-memory part. The adapter no longer hashes MD5 on the
 * client (S3 computes the ETag), yet a caller's `contentMd5` is still verified and a mismatch stores nothing.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readBytes } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { createS3Storage } from '@strata/s3';
import { TEST_CREDENTIALS, TEST_REGION, startFileBackedServer } from '../src/object-server.ts';
import type { RunningServer } from '../src/object-server.ts';

const MiB = 1024 * 1024;
let server: RunningServer;
let storage: Storage;

beforeAll(async () => {
  server = await startFileBackedServer('inmem');
  storage = createS3Storage({ endpoint: server.endpoint, region: TEST_REGION, bucket: 'inmem', credentials: TEST_CREDENTIALS, partSize: 5 * MiB });
});
afterAll(async () => {
  await storage?.close();
  await server?.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

const md5 = (b: Uint8Array | string) => createHash('md5').update(b).digest();
const methods = () => server.requests.map((r) => `${r.method} ${new URL(r.url, 'http://x').searchParams.has('uploadId') ? 'part' : 'object'}`);

describe('in-memory bodies above the part size', () => {
  it('a 12 MiB Buffer is one PutObject with the MD5 ETag, and reads back intact', async () => {
    const body = Buffer.alloc(12 * MiB, 7);
    body.write('head', 0);
    const info = await storage.put('buf', body);
    expect(methods()).toEqual(['PUT object']);
    expect(info.size).toBe(body.length);
    expect(info.etag).toBe(md5(body).toString('hex'));
    expect((await readBytes(await storage.get('buf'))).equals(body)).toBe(true);
  });

  it('a Uint8Array view and a long string are one PutObject each', async () => {
    const backing = new Uint8Array(8 * MiB);
    backing.fill(3);
    const view = backing.subarray(1, 6 * MiB + 1);
    expect((await storage.put('view', view)).etag).toBe(md5(view).toString('hex'));
    const text = 'ü'.repeat(3 * MiB);
    expect((await storage.put('text', text)).etag).toBe(md5(text).toString('hex'));
    expect(methods()).toEqual(['PUT object', 'PUT object']);
    expect((await readBytes(await storage.get('text'))).toString()).toBe(text);
  });

  it('a wrong contentMd5 fails with BadDigest before any request and stores nothing; a right one passes', async () => {
    const body = Buffer.alloc(6 * MiB, 1);
    await expect(storage.put('md5', body, { contentMd5: md5('other').toString('base64') })).rejects.toMatchObject({ code: 'InvalidArgument', reason: 'BadDigest' });
    expect(methods()).toEqual([]);
    await expect(storage.head('md5')).rejects.toMatchObject({ code: 'NotFound' });
    const info = await storage.put('md5', body, { contentMd5: md5(body).toString('base64') });
    expect(info.etag).toBe(md5(body).toString('hex'));
  });

  it('a wrong contentMd5 on a streamed known-length body stores nothing', async () => {
    const size = 6 * MiB;
    const chunks = Array.from({ length: 6 }, () => Buffer.alloc(MiB, 2));
    const put = storage.put('md5-stream', Readable.from(chunks), { contentLength: size, contentMd5: md5('other').toString('base64') });
    await expect(put).rejects.toMatchObject({ code: 'InvalidArgument', reason: 'BadDigest' });
    await expect(storage.head('md5-stream')).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('an in-memory part is one UploadPart whose ETag is its MD5', async () => {
    const up = await storage.startMultipart('mp');
    const one = Buffer.alloc(5 * MiB, 4);
    const two = Buffer.from('tail');
    server.requests.length = 0;
    const p1 = await storage.uploadPart('mp', up.uploadId, 1, one);
    const p2 = await storage.uploadPart('mp', up.uploadId, 2, two);
    expect(methods()).toEqual(['PUT part', 'PUT part']);
    expect([p1.etag, p2.etag]).toEqual([md5(one).toString('hex'), md5(two).toString('hex')]);
    const info = await storage.completeMultipart('mp', up.uploadId, [p1, p2]);
    expect(info.size).toBe(one.length + two.length);
  });
});
