/**
 * Behaviour of the S3 adapter beyond the contract suite, through the object server: the wire form of
 * metadata, copy (CopyObject and the UploadPartCopy path), abort signals, presigned URLs and the capability
 * probe. (Option validation needs no server: `packages/s3/test/options.test.ts`.)
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { readBytes } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { createS3Storage, presignGet, presignPut, probeS3Capabilities } from '@strata/s3';
import { TEST_CREDENTIALS, TEST_REGION, rawClient, startFileBackedServer } from '../src/object-server.ts';
import type { RunningServer } from '../src/object-server.ts';

const MiB = 1024 * 1024;
let server: RunningServer;
let storage: Storage;
let raw: S3Client;
const opts = () => ({ endpoint: server.endpoint, region: TEST_REGION, bucket: 'behave', credentials: TEST_CREDENTIALS });

beforeAll(async () => {
  server = await startFileBackedServer('behave');
  storage = createS3Storage({ ...opts(), prefix: 'tenant/' });
  raw = rawClient(server.endpoint);
});
afterAll(async () => {
  raw?.destroy();
  await storage?.close();
  await server?.close();
});

describe('wire format', () => {
  it('stores keys under the prefix and non-ASCII metadata as RFC 2047 encoded-words', async () => {
    await storage.put('m', 'x', { userMetadata: { name: 'Zoë 🙂' } });
    const head = await raw.send(new HeadObjectCommand({ Bucket: 'behave', Key: 'tenant/m' }));
    expect(head.Metadata?.name).toBe(`=?UTF-8?B?${Buffer.from('Zoë 🙂').toString('base64')}?=`);
    expect((await storage.head('m')).userMetadata).toEqual({ name: 'Zoë 🙂' });
  });

  it('lists keys with control characters (encoding-type=url) relative to the prefix', async () => {
    const key = 'ctl/\u0001 a+b%';
    await storage.put(key, 'x');
    expect((await storage.list({ prefix: 'ctl/' })).items.map((i) => i.key)).toEqual([key]);
    const listed = await raw.send(new ListObjectsV2Command({ Bucket: 'behave', Prefix: 'tenant/ctl/', EncodingType: 'url' }));
    expect(listed.Contents).toHaveLength(1);
  });
});

describe('copy', () => {
  it('copies keys that need URL-encoding in x-amz-copy-source, keeping metadata and tags', async () => {
    const src = 'dir with space/a+b%2F?é';
    await storage.put(src, 'copy me', { contentType: 'text/x', userMetadata: { k: 'v' }, tags: { t: '1' } });
    const info = await storage.copy(src, 'copied');
    expect(info).toMatchObject({ key: 'copied', contentType: 'text/x', userMetadata: { k: 'v' }, tags: { t: '1' } });
    expect(await storage.head('copied')).toMatchObject({ contentType: 'text/x', userMetadata: { k: 'v' }, tags: { t: '1' }, etag: info.etag });
  });

  it('copies through UploadPartCopy above maxCopySize, pinned to the source ETag', async () => {
    const s = createS3Storage({ ...opts(), maxCopySize: 1, copyPartSize: 5 * MiB });
    const body = Buffer.alloc(11 * MiB, 7);
    body.write('head', 0);
    await s.put('mp-src', body, { userMetadata: { big: 'yes' } });
    server.requests.length = 0;
    const info = await s.copy('mp-src', 'mp-dst');
    expect(info.etag).toMatch(/-3$/);
    expect(server.requests.filter((r) => r.method === 'PUT')).toHaveLength(3);
    const got = await s.get('mp-dst');
    expect(got.info.userMetadata).toEqual({ big: 'yes' });
    expect((await readBytes(got.body)).equals(body)).toBe(true);
    await s.close();
  }, 30_000);

  it('a ranged copy becomes one UploadPartCopy', async () => {
    await storage.put('r-src', '0123456789');
    const info = await storage.copy('r-src', 'r-dst', { range: { start: 2, end: 5 } });
    expect(info.size).toBe(4);
    expect((await readBytes(await storage.get('r-dst'))).toString()).toBe('2345');
  });

  // A copy has no "not modified" answer: every unmet x-amz-copy-source-if-* is 412 (AWS CopyObject), and the
  // contract says PreconditionFailed (conformance `copy` cases).
  it('unmet source conditions fail with PreconditionFailed (If-None-Match included)', async () => {
    const put = await storage.put('cond-src', 'x');
    await expect(storage.copy('cond-src', 'cond-dst', { source: { ifNoneMatch: put.etag } })).rejects.toMatchObject({ code: 'PreconditionFailed' });
    await expect(storage.copy('cond-src', 'cond-dst', { source: { ifMatch: 'nope' } })).rejects.toMatchObject({ code: 'PreconditionFailed' });
  });
});

describe('abort signals reach the SDK', () => {
  it('an aborted put of an endless stream fails with Aborted and stores nothing', async () => {
    const ac = new AbortController();
    const endless = new Readable({
      read() {
        setTimeout(() => this.push(Buffer.alloc(64 * 1024)), 1);
      },
    });
    setTimeout(() => ac.abort(), 100);
    await expect(storage.put('aborted', endless, { signal: ac.signal })).rejects.toMatchObject({ code: 'Aborted' });
    await expect(storage.head('aborted')).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('an already-aborted get sends no request', async () => {
    const ac = new AbortController();
    ac.abort();
    server.requests.length = 0;
    await expect(storage.get('m', { signal: ac.signal })).rejects.toMatchObject({ code: 'Aborted' });
    expect(server.requests).toHaveLength(0);
  });
});

describe('presigned URLs', () => {
  it('presignPut then presignGet move bytes without credentials', async () => {
    const putUrl = await presignPut(storage, 'presigned', { expiresIn: 60, contentType: 'text/plain' });
    const put = await fetch(putUrl, { method: 'PUT', body: 'via url', headers: { 'content-type': 'text/plain' } });
    expect(put.status).toBe(200);
    const getUrl = await presignGet(storage, 'presigned', { expiresIn: 60 });
    expect(getUrl).toContain('/behave/tenant/presigned?');
    const got = await fetch(getUrl);
    expect(await got.text()).toBe('via url');
    expect((await storage.head('presigned')).contentType).toBe('text/plain');
  });

  it('rejects an out-of-range expiry', async () => {
    await expect(presignGet(storage, 'k', { expiresIn: 0 })).rejects.toMatchObject({ code: 'InvalidArgument' });
  });
});

describe('probeS3Capabilities', () => {
  it('reports what the object server honours and cleans up after itself', async () => {
    const result = await probeS3Capabilities(raw, 'behave', 'probe/');
    expect(result.errors).toEqual([]);
    expect(result).toMatchObject({ conditionalCreate: true, ifMatchOnPut: true, checksums: true, checksumsVerified: true, tags: true, enforcesMinPartSize: true });
    expect(['NotFound', 'PreconditionFailed']).toContain(result.ifMatchOnMissingKey);
    expect(result.capabilities).toEqual({ conditionalPut: true, checksums: true, tags: true, minPartSize: 5 * MiB });
    const left = await raw.send(new ListObjectsV2Command({ Bucket: 'behave', Prefix: 'probe/' }));
    expect(left.KeyCount ?? 0).toBe(0);
  });
});
