/**
 * Listing and bucket behaviours clients rely on, through the real AWS SDK and raw HTTP over a real socket, on
 * the file and block backends:
 *
 * - ListObjectsV2 with an empty `continuation-token` starts from the beginning;
 * - keys and prefixes come back as they are without `encoding-type=url` (a line break stays a line break, not
 *   `%0A`), URL-encoded with it (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html,
 *   "EncodingType"), in ListObjects, ListObjectsV2, ListMultipartUploads and ListParts alike; control
 *   characters XML 1.0 cannot carry are written as character references (`&#x1;`) as S3 writes them, and the
 *   SDK reads every key back exactly;
 * - CreateBucket of a bucket one already owns is 200 in us-east-1 and 409 BucketAlreadyOwnedByYou in any
 *   other region (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html, "Errors").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { BACKENDS, startOver } from './backends.ts';
import type { TestServer } from './helpers.ts';
import { rawRequest } from './raw-http.ts';

const Bucket = 'listing';

/** Keys with every character class a listing must carry: line breaks, controls, XML specials, spaces, `+`, `%`. */
const AWKWARD = ['awk/line\nbreak', 'awk/ctl\u0001\u001f\u000b', 'awk/cr\r and crlf\r\n', 'awk/tab\t', 'awk/xml&<>"\'', 'awk/sp ace+plus%25', 'awk/é ключ 鍵'];
/** A key under a prefix holding a line break, so a common prefix carries one too. */
const NESTED = 'awk/dir\n/leaf';

/** S3's `encoding-type=url` form of a key: every byte but unreserved characters and `/` percent-encoded. */
const urlEncoded = (key: string) => encodeURIComponent(key).replace(/%2F/g, '/');

describe.each(BACKENDS)('listings over the $name backend', (backend) => {
  let server: TestServer;
  let s3: S3Client;
  beforeAll(async () => {
    server = await startOver(backend);
    s3 = server.client();
    await s3.send(new CreateBucketCommand({ Bucket }));
    for (const Key of [...AWKWARD, NESTED]) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    for (let i = 0; i < 5; i++) await s3.send(new PutObjectCommand({ Bucket, Key: `pages/${i}`, Body: 'x' }));
  });
  afterAll(async () => {
    await server.close();
  });

  describe('an empty continuation-token', () => {
    it('starts ListObjectsV2 from the beginning', async () => {
      const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'pages/', ContinuationToken: '', MaxKeys: 2 }));
      expect(page.Contents?.map((c) => c.Key)).toEqual(['pages/0', 'pages/1']);
      const next = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'pages/', ContinuationToken: page.NextContinuationToken, MaxKeys: 2 }));
      expect(next.Contents?.map((c) => c.Key)).toEqual(['pages/2', 'pages/3']);
    });

    it('still refuses a token that is not one', async () => {
      const error = await s3.send(new ListObjectsV2Command({ Bucket, ContinuationToken: 'not a token' })).catch((e: S3ServiceException) => e);
      expect((error as S3ServiceException).name).toBe('InvalidArgument');
    });
  });

  describe('keys and prefixes, with and without encoding-type=url', () => {
    const expectedKeys = [...AWKWARD].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

    it('ListObjectsV2 returns them as they are without encoding-type, and the SDK reads them back exactly', async () => {
      const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'awk/', Delimiter: '/' }));
      expect(page.EncodingType).toBeUndefined();
      expect(page.Contents?.map((c) => c.Key)).toEqual(expectedKeys);
      expect(page.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['awk/dir\n/']);
      const under = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'awk/dir\n/', StartAfter: 'awk/dir\n/' }));
      expect([under.Prefix, under.StartAfter, under.Contents?.map((c) => c.Key)]).toEqual(['awk/dir\n/', 'awk/dir\n/', [NESTED]]);
    });

    it('ListObjects (v1) returns them as they are without encoding-type', async () => {
      const page = await s3.send(new ListObjectsCommand({ Bucket, Prefix: 'awk/', Delimiter: '/', Marker: 'awk/\u0001' }));
      expect(page.EncodingType).toBeUndefined();
      expect(page.Marker).toBe('awk/\u0001');
      expect(page.Contents?.map((c) => c.Key)).toEqual(expectedKeys);
      expect(page.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['awk/dir\n/']);
    });

    it('writes a line break as itself and XML-illegal controls as character references, never percent-encoded', async () => {
      const url = await getSignedUrl(s3, new ListObjectsV2Command({ Bucket, Prefix: 'awk/' }), { expiresIn: 60 });
      const answer = await rawRequest(server.port, 'GET', url.slice(server.endpoint.length));
      const xml = answer.body.toString('utf8');
      expect(answer.status).toBe(200);
      expect(xml).toContain('<Key>awk/line\nbreak</Key>');
      expect(xml).toContain('<Key>awk/ctl&#x1;&#x1F;&#xB;</Key>');
      expect(xml).toContain('<Key>awk/cr&#13; and crlf&#13;\n</Key>');
      expect(xml).toContain('<Key>awk/xml&amp;&lt;&gt;&quot;&apos;</Key>');
      expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
      expect(xml).not.toContain('%0A');
    });

    it('URL-encodes keys, prefixes, markers and delimiters with encoding-type=url (V1 and V2)', async () => {
      const v2 = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'awk/', Delimiter: '/', EncodingType: 'url', StartAfter: 'awk/\u0001' }));
      expect(v2.EncodingType).toBe('url');
      expect(v2.Contents?.map((c) => c.Key)).toEqual(expectedKeys.map(urlEncoded));
      expect(v2.Contents?.map((c) => decodeURIComponent(c.Key!))).toEqual(expectedKeys);
      expect([v2.Prefix, v2.Delimiter, v2.StartAfter, v2.CommonPrefixes?.map((p) => p.Prefix)]).toEqual(['awk/', '/', 'awk/%01', ['awk/dir%0A/']]);
      const v1 = await s3.send(new ListObjectsCommand({ Bucket, Prefix: 'awk/', Delimiter: '/', EncodingType: 'url', Marker: 'awk/\u0001', MaxKeys: 2 }));
      expect(v1.EncodingType).toBe('url');
      expect([v1.Marker, v1.NextMarker, v1.Contents?.map((c) => c.Key)]).toEqual(['awk/%01', urlEncoded(expectedKeys[1]!), expectedKeys.slice(0, 2).map(urlEncoded)]);
    });

    it('ListMultipartUploads, ListParts and CompleteMultipartUpload carry such keys too', async () => {
      const Key = 'uploads/line\nbreak\u0002';
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      const plain = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'uploads/' }));
      expect(plain.EncodingType).toBeUndefined();
      expect(plain.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([[Key, UploadId]]);
      const grouped = await s3.send(new ListMultipartUploadsCommand({ Bucket, Delimiter: '\n' }));
      expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['uploads/line\n']);
      const encoded = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'uploads/', EncodingType: 'url', KeyMarker: 'uploads/\u0001' }));
      expect(encoded.EncodingType).toBe('url');
      expect([encoded.KeyMarker, encoded.Uploads?.map((u) => u.Key)]).toEqual(['uploads/%01', [urlEncoded(Key)]]);

      const part = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'part' }));
      expect((await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }))).Key).toBe(Key);
      const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
      expect(done.Key).toBe(Key);
    });

    it('DeleteObjects answers with the keys as they are', async () => {
      const keys = ['del/line\nbreak', 'del/ctl\u0003'];
      for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket, Key, Body: 'x' }));
      const deleted = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
      expect(deleted.Deleted?.map((d) => d.Key).sort()).toEqual([...keys].sort());
      expect((await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'del/' }))).KeyCount).toBe(0);
    });
  });
});

describe.each(BACKENDS)('CreateBucket of an owned bucket over the $name backend', (backend) => {
  it('answers 200 in us-east-1 and keeps the bucket and its objects', async () => {
    const server = await startOver(backend);
    try {
      const s3 = server.client();
      await s3.send(new CreateBucketCommand({ Bucket: 'mine' }));
      await s3.send(new PutObjectCommand({ Bucket: 'mine', Key: 'kept', Body: 'x' }));
      const again = await s3.send(new CreateBucketCommand({ Bucket: 'mine' }));
      expect([again.$metadata.httpStatusCode, again.Location]).toEqual([200, '/mine']);
      expect((await s3.send(new ListObjectsV2Command({ Bucket: 'mine' }))).Contents?.map((c) => c.Key)).toEqual(['kept']);
    } finally {
      await server.close();
    }
  });

  it('answers 409 BucketAlreadyOwnedByYou in another region', async () => {
    const region = 'eu-west-1';
    const server = await startOver(backend, { region });
    try {
      const s3 = server.client({ region });
      await s3.send(new CreateBucketCommand({ Bucket: 'mine', CreateBucketConfiguration: { LocationConstraint: region } }));
      expect((await s3.send(new GetBucketLocationCommand({ Bucket: 'mine' }))).LocationConstraint).toBe(region);
      const again = await s3
        .send(new CreateBucketCommand({ Bucket: 'mine', CreateBucketConfiguration: { LocationConstraint: region } }))
        .then(() => undefined, (e: S3ServiceException) => ({ name: e.name, status: e.$metadata.httpStatusCode }));
      expect(again).toEqual({ name: 'BucketAlreadyOwnedByYou', status: 409 });
    } finally {
      await server.close();
    }
  });
});
