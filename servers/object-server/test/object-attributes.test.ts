/**
 * GetObjectAttributes (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html) through
 * the AWS SDK over a real socket on the file and block backends: a single-part object, multipart objects
 * uploaded with the SDK's CRC32 checksums (composite and full-object), ObjectParts paging with
 * `x-amz-max-parts` / `x-amz-part-number-marker`, the version id in a versioned bucket, and the errors
 * (InvalidArgument for a missing or unknown attribute or a bad paging value, NoSuchKey), and an SSE-S3 object
 * seen as a client holds it. The aws CLI's get-object-attributes once.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { ObjectAttributes, S3Client } from '@aws-sdk/client-s3';
import { checksumBase64 } from '@strata/storage';
import { skipWithout } from '#system-tools';
import { BACKENDS, startOver } from './backends.ts';
import { ACCESS_KEY, REGION, SECRET_KEY } from './helpers.ts';
import type { TestServer } from './helpers.ts';
import { RawConnection, expectS3Error, signedHead, signerOf } from './raw-socket.ts';
import type { RawResponse } from './raw-socket.ts';

const ALL: ObjectAttributes[] = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'];
const PARTS = [Buffer.alloc(1500, 'a'), Buffer.alloc(1200, 'b'), Buffer.alloc(700, 'c')];
const crc = (b: Buffer) => checksumBase64('crc32', b);
/** S3's composite checksum: the checksum of the concatenated raw part checksums, then `-N`. */
const composite = (bs: Buffer[]) => `${checksumBase64('crc32', Buffer.concat(bs.map((b) => Buffer.from(crc(b), 'base64'))))}-${bs.length}`;
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

/** The error code an SDK call failed with (or 'OK'), and its HTTP status. */
async function outcome(p: Promise<{ $metadata: { httpStatusCode?: number } }>): Promise<{ code: string; status: number | undefined }> {
  try {
    return { code: 'OK', status: (await p).$metadata.httpStatusCode };
  } catch (e) {
    const err = e as { name: string; $metadata?: { httpStatusCode?: number } };
    return { code: err.name, status: err.$metadata?.httpStatusCode };
  }
}

/** A signed `GET /<bucket>/<key>?attributes` with exactly `headers`, past any SDK validation. */
async function rawAttributes(server: TestServer, path: string, headers: Record<string, string>): Promise<RawResponse> {
  const head = await signedHead(await signerOf(server.client()), server.port, { method: 'GET', path, query: { attributes: '' }, headers });
  const conn = await RawConnection.open(server.port);
  try {
    conn.write(head);
    return await conn.response(10_000);
  } finally {
    conn.destroy();
  }
}

describe.each(BACKENDS)('GetObjectAttributes on the $name backend', (backend) => {
  let server: TestServer;
  let s3: S3Client;
  const Bucket = 'attrs';

  /** Uploads PARTS as a multipart object with the SDK's default CRC32 part checksums. */
  async function multipart(Key: string, ChecksumType: 'COMPOSITE' | 'FULL_OBJECT') {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'CRC32', ChecksumType }));
    const done = [];
    for (const [i, Body] of PARTS.entries()) {
      const r = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body }));
      done.push({ PartNumber: i + 1, ETag: r.ETag, ChecksumCRC32: r.ChecksumCRC32 });
    }
    return s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: done } }));
  }

  beforeAll(async () => {
    server = await startOver(backend, { sseMasterKey: randomBytes(32) });
    s3 = server.client();
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'single', Body: 'hello attributes' }));
    await multipart('composite', 'COMPOSITE');
    await multipart('full', 'FULL_OBJECT');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a single-part object: unquoted ETag, its CRC32 as a FULL_OBJECT checksum, no ObjectParts, STANDARD, size, Last-Modified', async () => {
    const res = await s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'single', ObjectAttributes: ALL }));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'single' }));
    expect(res.ETag).toBe(md5('hello attributes'));
    expect(res.Checksum).toEqual({ ChecksumCRC32: crc(Buffer.from('hello attributes')), ChecksumType: 'FULL_OBJECT' });
    expect(res.ObjectParts).toBeUndefined();
    expect(res.StorageClass).toBe('STANDARD');
    expect(res.ObjectSize).toBe('hello attributes'.length);
    expect(res.LastModified?.getTime()).toBe(head.LastModified?.getTime());
  });

  it('returns only the attributes asked for', async () => {
    const res = await s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'single', ObjectAttributes: ['ObjectSize', 'StorageClass'] }));
    expect(res.ObjectSize).toBe(16);
    expect(res.StorageClass).toBe('STANDARD');
    expect(res.ETag).toBeUndefined();
    expect(res.Checksum).toBeUndefined();
  });

  it('a composite multipart object: the `-N` checksum, and every part with its size and CRC32', async () => {
    const res = await s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'composite', ObjectAttributes: ALL }));
    expect(res.ETag).toMatch(/^[0-9a-f]{32}-3$/);
    expect(res.Checksum).toEqual({ ChecksumCRC32: composite(PARTS), ChecksumType: 'COMPOSITE' });
    expect(res.ObjectSize).toBe(1500 + 1200 + 700);
    expect(res.ObjectParts).toEqual({
      TotalPartsCount: 3,
      PartNumberMarker: '0',
      NextPartNumberMarker: '3',
      MaxParts: 1000,
      IsTruncated: false,
      Parts: PARTS.map((b, i) => ({ PartNumber: i + 1, Size: b.length, ChecksumCRC32: crc(b) })),
    });
  });

  it('a full-object multipart object: the CRC32 of all its bytes, typed FULL_OBJECT', async () => {
    const res = await s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'full', ObjectAttributes: ['Checksum', 'ObjectParts'] }));
    expect(res.Checksum).toEqual({ ChecksumCRC32: crc(Buffer.concat(PARTS)), ChecksumType: 'FULL_OBJECT' });
    expect(res.ObjectParts?.TotalPartsCount).toBe(3);
    expect(res.ObjectParts?.Parts?.map((p) => p.Size)).toEqual([1500, 1200, 700]);
  });

  it('pages ObjectParts with x-amz-max-parts and x-amz-part-number-marker', async () => {
    const pages = [];
    let marker: string | undefined;
    for (let round = 0; round < 5; round++) {
      const res = await s3.send(
        new GetObjectAttributesCommand({ Bucket, Key: 'composite', ObjectAttributes: ['ObjectParts'], MaxParts: 2, ...(marker !== undefined ? { PartNumberMarker: marker } : {}) }),
      );
      pages.push(res.ObjectParts);
      if (!res.ObjectParts?.IsTruncated) break;
      marker = res.ObjectParts.NextPartNumberMarker;
    }
    expect(pages.map((p) => [p?.PartNumberMarker, p?.NextPartNumberMarker, p?.MaxParts, p?.IsTruncated, p?.TotalPartsCount])).toEqual([
      ['0', '2', 2, true, 3],
      ['2', '3', 2, false, 3],
    ]);
    expect(pages.flatMap((p) => p?.Parts?.map((part) => part.PartNumber))).toEqual([1, 2, 3]);
    expect(pages[1]?.Parts?.[0]).toEqual({ PartNumber: 3, Size: 700, ChecksumCRC32: crc(PARTS[2] as Buffer) });
  });

  it('answers x-amz-version-id in a versioned bucket, for the current and for a named version', async () => {
    const Versioned = 'attrs-versioned';
    await s3.send(new CreateBucketCommand({ Bucket: Versioned }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: Versioned, VersioningConfiguration: { Status: 'Enabled' } }));
    const first = await s3.send(new PutObjectCommand({ Bucket: Versioned, Key: 'k', Body: 'first' }));
    const second = await s3.send(new PutObjectCommand({ Bucket: Versioned, Key: 'k', Body: 'second!' }));
    const current = await s3.send(new GetObjectAttributesCommand({ Bucket: Versioned, Key: 'k', ObjectAttributes: ['ETag', 'ObjectSize'] }));
    expect([current.VersionId, current.ETag, current.ObjectSize]).toEqual([second.VersionId, md5('second!'), 7]);
    const older = await s3.send(new GetObjectAttributesCommand({ Bucket: Versioned, Key: 'k', VersionId: first.VersionId, ObjectAttributes: ['ETag', 'ObjectSize'] }));
    expect([older.VersionId, older.ETag, older.ObjectSize]).toEqual([first.VersionId, md5('first'), 5]);
  });

  it('an SSE-S3 object reports its plaintext size and ETag, no checksum of the sealed bytes, and its encryption', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'sealed', Body: 'secret attributes', ServerSideEncryption: 'AES256' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'sealed' }));
    const res = await s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'sealed', ObjectAttributes: ALL }));
    expect([res.ObjectSize, `"${res.ETag}"`, res.Checksum, res.ObjectParts]).toEqual([17, head.ETag, undefined, undefined]);
    const raw = await rawAttributes(server, `/${Bucket}/sealed`, { 'x-amz-object-attributes': 'ObjectSize' });
    expect(raw.headers['x-amz-server-side-encryption']).toBe('AES256');
  });

  it('a key that does not exist is 404 NoSuchKey', async () => {
    expect(await outcome(s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'absent', ObjectAttributes: ALL })))).toEqual({ code: 'NoSuchKey', status: 404 });
  });

  it('an unknown attribute is 400 InvalidArgument', async () => {
    const bogus = ['ETag', 'Colour'] as ObjectAttributes[];
    expect(await outcome(s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'single', ObjectAttributes: bogus })))).toEqual({ code: 'InvalidArgument', status: 400 });
  });

  it.each([
    ['no x-amz-object-attributes', {}],
    ['an empty x-amz-object-attributes', { 'x-amz-object-attributes': ' , ' }],
    ['a negative x-amz-max-parts', { 'x-amz-object-attributes': 'ObjectParts', 'x-amz-max-parts': '-1' }],
    ['a non-numeric x-amz-part-number-marker', { 'x-amz-object-attributes': 'ObjectParts', 'x-amz-part-number-marker': 'two' }],
  ])('%s is 400 InvalidArgument', async (_name, headers: Record<string, string>) => {
    expectS3Error(await rawAttributes(server, `/${Bucket}/single`, headers), 400, 'InvalidArgument');
  });

  it('writes the wire names: an unquoted ETag element and PartsCount', async () => {
    const res = await rawAttributes(server, `/${Bucket}/composite`, { 'x-amz-object-attributes': 'ETag,ObjectParts' });
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/<GetObjectAttributesResponse xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/"><ETag>[0-9a-f]{32}-3<\/ETag><ObjectParts><PartsCount>3<\/PartsCount>/);
    expect(res.headers['last-modified']).toMatch(/GMT$/);
  });
});

describe.skipIf(skipWithout('aws'))('the aws CLI (/usr/bin/aws)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startOver(BACKENDS[0] as (typeof BACKENDS)[number]);
    const s3 = server.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'cli' }));
    await s3.send(new PutObjectCommand({ Bucket: 'cli', Key: 'obj', Body: 'from the cli test' }));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('get-object-attributes returns the ETag, size, storage class and checksum', async () => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY, AWS_DEFAULT_REGION: REGION, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    const { stdout } = await promisify(execFile)(
      '/usr/bin/aws',
      ['--endpoint-url', server.endpoint, '--output', 'json', 's3api', 'get-object-attributes', '--bucket', 'cli', '--key', 'obj', '--object-attributes', 'ETag', 'ObjectSize', 'StorageClass', 'Checksum'],
      { env, timeout: 30_000 },
    );
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ ETag: md5('from the cli test'), ObjectSize: 17, StorageClass: 'STANDARD' });
    expect(typeof out.LastModified).toBe('string');
  });
});
