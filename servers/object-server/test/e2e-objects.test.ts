/**
 * Object operations through the real AWS SDK at default settings: copy, ranges, conditions, metadata,
 * tagging, DeleteObjects, listings (v1 and v2, paging, delimiters, url encoding) and awkward keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectTaggingCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import type { S3Client ,
  S3ServiceException} from '@aws-sdk/client-s3';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

let server: TestServer;
let s3: S3Client;
const Bucket = 'objects';

beforeAll(async () => {
  server = await startServer();
  s3 = server.client();
  await s3.send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => {
  await server.close();
});

const text = async (key: string, extra: Record<string, unknown> = {}) =>
  (await s3.send(new GetObjectCommand({ Bucket, Key: key, ...extra }))).Body?.transformToString();

describe('awkward keys', () => {
  const keys = ['a+b', 'q?x=1&y=2', 'hash#frag', 'pct%20lit', 'sp ace', '../traversal', 'a/../../b', 'dir//double', 'unicodé/ключ/鍵', 'semi;colon', 'dir/'];
  it.each(keys)('round-trips %j', async (Key) => {
    await s3.send(new PutObjectCommand({ Bucket, Key, Body: `body of ${Key}` }));
    expect(await text(Key)).toBe(`body of ${Key}`);
    expect((await server.storage.head(`${Bucket}/${Key}`)).key).toBe(`${Bucket}/${Key}`);
  });
  it('copies keys with encoded + ? & # %', async () => {
    for (const Key of ['a+b', 'q?x=1&y=2', 'hash#frag', 'pct%20lit']) {
      await s3.send(new CopyObjectCommand({ Bucket, Key: `copy/${Key}`, CopySource: `${Bucket}/${encodeURIComponent(Key)}` }));
      expect(await text(`copy/${Key}`)).toBe(`body of ${Key}`);
    }
  });
});

describe('copy', () => {
  it('keeps metadata with COPY and replaces it with REPLACE', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'src', Body: 'source', ContentType: 'text/x-src', Metadata: { a: '1' }, Tagging: 't=1' }));
    const copied = await s3.send(new CopyObjectCommand({ Bucket, Key: 'dst1', CopySource: `${Bucket}/src` }));
    expect(copied.CopyObjectResult?.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(copied.CopyObjectResult?.LastModified).toBeInstanceOf(Date);
    const h1 = await s3.send(new HeadObjectCommand({ Bucket, Key: 'dst1' }));
    expect(h1.Metadata).toEqual({ a: '1' });
    expect(h1.ContentType).toBe('text/x-src');
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'dst2', CopySource: `/${Bucket}/src`, MetadataDirective: 'REPLACE', Metadata: { b: '2' }, ContentType: 'text/x-new' }));
    const h2 = await s3.send(new HeadObjectCommand({ Bucket, Key: 'dst2' }));
    expect(h2.Metadata).toEqual({ b: '2' });
    expect(h2.ContentType).toBe('text/x-new');
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'dst2' }))).TagSet).toEqual([{ Key: 't', Value: '1' }]);
  });
  it('honours x-amz-copy-source-if-match', async () => {
    const err = await s3.send(new CopyObjectCommand({ Bucket, Key: 'dst3', CopySource: `${Bucket}/src`, CopySourceIfMatch: '"nope"' })).catch((e: unknown) => e);
    expect((err as S3ServiceException).name).toBe('PreconditionFailed');
    await expect(server.storage.head(`${Bucket}/dst3`)).rejects.toMatchObject({ code: 'NotFound' });
  });
});

describe('reads', () => {
  beforeAll(async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'digits', Body: '0123456789' }));
  });
  it('serves ranges', async () => {
    expect(await text('digits', { Range: 'bytes=2-4' })).toBe('234');
    expect(await text('digits', { Range: 'bytes=7-' })).toBe('789');
    expect(await text('digits', { Range: 'bytes=-3' })).toBe('789');
    const r = await s3.send(new GetObjectCommand({ Bucket, Key: 'digits', Range: 'bytes=0-0' }));
    expect(r.ContentRange).toBe('bytes 0-0/10');
    await r.Body?.transformToString();
  });
  it('applies response-* overrides on signed requests', async () => {
    const r = await s3.send(new GetObjectCommand({ Bucket, Key: 'digits', ResponseContentType: 'text/x-test', ResponseContentDisposition: 'attachment', ResponseCacheControl: 'no-store' }));
    expect([r.ContentType, r.ContentDisposition, r.CacheControl]).toEqual(['text/x-test', 'attachment', 'no-store']);
    await r.Body?.transformToString();
  });
  it('serves partNumber=1 of a single-part object', async () => {
    const r = await s3.send(new GetObjectCommand({ Bucket, Key: 'digits', PartNumber: 1 }));
    expect(await r.Body?.transformToString()).toBe('0123456789');
  });
  it('evaluates conditional GET and HEAD', async () => {
    const { ETag, LastModified } = await s3.send(new HeadObjectCommand({ Bucket, Key: 'digits' }));
    const notModified = await s3.send(new GetObjectCommand({ Bucket, Key: 'digits', IfNoneMatch: ETag })).catch((e: unknown) => e);
    expect((notModified as S3ServiceException).$metadata.httpStatusCode).toBe(304);
    const failed = await s3.send(new HeadObjectCommand({ Bucket, Key: 'digits', IfMatch: '"other"' })).catch((e: unknown) => e);
    expect((failed as S3ServiceException).$metadata.httpStatusCode).toBe(412);
    expect(await text('digits', { IfMatch: ETag, IfModifiedSince: new Date(0) })).toBe('0123456789');
    const since = await s3.send(new GetObjectCommand({ Bucket, Key: 'digits', IfModifiedSince: LastModified })).catch((e: unknown) => e);
    expect((since as S3ServiceException).$metadata.httpStatusCode).toBe(304);
  });
  it('returns checksums with x-amz-checksum-mode: ENABLED', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'sum', Body: 'checksummed', ChecksumAlgorithm: 'SHA256' }));
    expect(put.ChecksumSHA256).toBeDefined();
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'sum', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumSHA256).toBe(put.ChecksumSHA256);
    const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'sum', ChecksumMode: 'ENABLED' }));
    expect(await get.Body?.transformToString()).toBe('checksummed');
  });
});

describe('writes', () => {
  it('conditional PUT: If-None-Match * creates once', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'once', Body: 'first', IfNoneMatch: '*' }));
    const err = await s3.send(new PutObjectCommand({ Bucket, Key: 'once', Body: 'second', IfNoneMatch: '*' })).catch((e: unknown) => e);
    expect((err as S3ServiceException).$metadata.httpStatusCode).toBe(412);
    expect(await text('once')).toBe('first');
  });
  it('conditional PUT: If-Match swaps only the expected version', async () => {
    const first = await s3.send(new PutObjectCommand({ Bucket, Key: 'cas', Body: 'v1' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'cas', Body: 'v2', IfMatch: first.ETag }));
    const err = await s3.send(new PutObjectCommand({ Bucket, Key: 'cas', Body: 'v3', IfMatch: first.ETag })).catch((e: unknown) => e);
    expect((err as S3ServiceException).name).toBe('PreconditionFailed');
    expect(await text('cas')).toBe('v2');
  });
  it('round-trips standard headers and metadata', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket,
        Key: 'headers',
        Body: 'h',
        ContentType: 'application/json',
        ContentEncoding: 'identity',
        ContentDisposition: 'attachment; filename="h.json"',
        ContentLanguage: 'en',
        CacheControl: 'max-age=60',
        Expires: new Date('2030-01-01T00:00:00Z'),
        Metadata: { 'Mixed-Case': 'Value', other: 'x y' },
      }),
    );
    const h = await s3.send(new HeadObjectCommand({ Bucket, Key: 'headers' }));
    expect(h.ContentType).toBe('application/json');
    expect(h.ContentEncoding).toBe('identity');
    expect(h.ContentDisposition).toBe('attachment; filename="h.json"');
    expect(h.ContentLanguage).toBe('en');
    expect(h.CacheControl).toBe('max-age=60');
    expect(h.ExpiresString ?? h.Expires?.toUTCString()).toBe('Tue, 01 Jan 2030 00:00:00 GMT');
    expect(h.Metadata).toEqual({ 'mixed-case': 'Value', other: 'x y' });
  });
  it('tags objects: x-amz-tagging, put, get, delete, count', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'tagged', Body: 't', Tagging: 'a=1&b=two%20words' }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'tagged' }))).TagSet).toEqual([
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: 'two words' },
    ]);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'tagged' }));
    expect(got.TagCount).toBe(2);
    await got.Body?.transformToString();
    await s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'tagged', Tagging: { TagSet: [{ Key: 'x', Value: 'y&z' }] } }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'tagged' }))).TagSet).toEqual([{ Key: 'x', Value: 'y&z' }]);
    await s3.send(new DeleteObjectTaggingCommand({ Bucket, Key: 'tagged' }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'tagged' }))).TagSet).toEqual([]);
  });
  it('DeleteObjects deletes many keys and reports them', async () => {
    for (const k of ['del/1', 'del/2', 'del/3']) await s3.send(new PutObjectCommand({ Bucket, Key: k, Body: k }));
    const res = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'del/1' }, { Key: 'del/2' }, { Key: 'del/missing' }] } }));
    expect(res.Deleted?.map((d) => d.Key).sort()).toEqual(['del/1', 'del/2', 'del/missing']);
    const quiet = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'del/3' }], Quiet: true } }));
    expect(quiet.Deleted ?? []).toEqual([]);
    const left = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'del/' }));
    expect(left.KeyCount).toBe(0);
  });
});

describe('listing', () => {
  beforeAll(async () => {
    for (const k of ['l/a', 'l/b/1', 'l/b/2', 'l/c', 'l/d/1', 'l/e']) await s3.send(new PutObjectCommand({ Bucket, Key: k, Body: 'x' }));
  });
  it('pages v2 with continuation tokens', async () => {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 2 }, { Bucket, Prefix: 'l/' })) {
      for (const c of page.Contents ?? []) keys.push(c.Key ?? '');
    }
    expect(keys).toEqual(['l/a', 'l/b/1', 'l/b/2', 'l/c', 'l/d/1', 'l/e']);
  });
  it('groups common prefixes with a delimiter, start-after and fetch-owner', async () => {
    const r = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'l/', Delimiter: '/', StartAfter: 'l/a', FetchOwner: true }));
    expect(r.Contents?.map((c) => c.Key)).toEqual(['l/c', 'l/e']);
    expect(r.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['l/b/', 'l/d/']);
    expect(r.Contents?.[0]?.Owner?.ID).toBeDefined();
    expect(r.KeyCount).toBe(4);
  });
  it('pages v1 with markers, NextMarker only with a delimiter', async () => {
    const p1 = await s3.send(new ListObjectsCommand({ Bucket, Prefix: 'l/', Delimiter: '/', MaxKeys: 2 }));
    expect(p1.IsTruncated).toBe(true);
    expect(p1.NextMarker).toBe('l/b/');
    const p2 = await s3.send(new ListObjectsCommand({ Bucket, Prefix: 'l/', Delimiter: '/', MaxKeys: 10, Marker: p1.NextMarker }));
    expect([...(p2.Contents ?? []).map((c) => c.Key), ...(p2.CommonPrefixes ?? []).map((c) => c.Prefix)]).toEqual(['l/c', 'l/e', 'l/d/']);
    const flat = await s3.send(new ListObjectsCommand({ Bucket, Prefix: 'l/', MaxKeys: 1 }));
    expect(flat.IsTruncated).toBe(true);
    expect(flat.NextMarker).toBeUndefined();
  });
  it('max-keys 0 answers an empty page', async () => {
    const r = await s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 0 }));
    expect(r.KeyCount).toBe(0);
    expect(r.IsTruncated).toBe(false);
  });
  it('url-encodes keys with encoding-type=url', async () => {
    const r = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'sp', EncodingType: 'url' }));
    expect(r.Contents?.map((c) => c.Key)).toEqual(['sp%20ace']);
  });
  it('answers GetBucketLocation and GetBucketVersioning', async () => {
    expect((await s3.send(new GetBucketLocationCommand({ Bucket }))).LocationConstraint).toBeUndefined();
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBeUndefined();
  });
});
