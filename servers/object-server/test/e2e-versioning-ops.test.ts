/**
 * Versioning across the other object operations, through the real AWS SDK over a real socket: DeleteObjects
 * with VersionId (DeleteMarker / DeleteMarkerVersionId in the result), CopyObject from `?versionId=`, tagging
 * by version, and multipart uploads in a versioned bucket
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

let server: TestServer;
let s3: S3Client;

beforeAll(async () => {
  server = await startServer();
  s3 = server.client();
});
afterAll(async () => {
  await server.close();
});

async function versionedBucket(Bucket: string): Promise<string> {
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  return Bucket;
}

const text = async (Bucket: string, Key: string, VersionId?: string) =>
  (await s3.send(new GetObjectCommand({ Bucket, Key, ...(VersionId ? { VersionId } : {}) }))).Body?.transformToString();

describe('DeleteObjects', () => {
  it('adds markers without VersionId and removes versions with one', async () => {
    const Bucket = await versionedBucket('multi-delete');
    const a1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'a', Body: 'a1' }));
    const b1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'b', Body: 'b1' }));
    const r = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'a' }, { Key: 'b', VersionId: b1.VersionId }] } }));
    const byKey = new Map(r.Deleted?.map((d) => [d.Key, d]));
    expect(byKey.get('a')?.DeleteMarker).toBe(true);
    expect(byKey.get('a')?.DeleteMarkerVersionId).toMatch(/^[0-9a-v]{14}/);
    expect(byKey.get('b')?.VersionId).toBe(b1.VersionId);
    expect(byKey.get('b')?.DeleteMarker).toBeUndefined();
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(listed.Versions?.map((v) => [v.Key, v.VersionId])).toEqual([['a', a1.VersionId]]);
    expect(listed.DeleteMarkers?.map((m) => [m.Key, m.VersionId])).toEqual([['a', byKey.get('a')?.DeleteMarkerVersionId]]);
    // Removing the marker by id reports it as a marker.
    const undo = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'a', VersionId: byKey.get('a')?.DeleteMarkerVersionId }] } }));
    expect(undo.Deleted?.[0]).toMatchObject({ Key: 'a', DeleteMarker: true });
    expect(await text(Bucket, 'a')).toBe('a1');
  });
});

describe('CopyObject', () => {
  it('copies a named version and makes the copy a new version', async () => {
    const Bucket = await versionedBucket('copies');
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'src', Body: 'first' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'src', Body: 'second' }));
    const copy = await s3.send(new CopyObjectCommand({ Bucket, Key: 'dst', CopySource: `${Bucket}/src?versionId=${v1.VersionId}` }));
    expect(copy.CopySourceVersionId).toBe(v1.VersionId);
    expect(copy.VersionId).toMatch(/^[0-9a-v]{14}/);
    expect(await text(Bucket, 'dst')).toBe('first');
    expect(await text(Bucket, 'dst', copy.VersionId)).toBe('first');
  });

  it('refuses to copy a delete marker named by id', async () => {
    const Bucket = await versionedBucket('copy-marker');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'src', Body: 'x' }));
    const marker = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'src' }] } }));
    const id = marker.Deleted?.[0]?.DeleteMarkerVersionId;
    const e = await s3.send(new CopyObjectCommand({ Bucket, Key: 'dst', CopySource: `${Bucket}/src?versionId=${id}` })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(S3ServiceException);
    expect((e as S3ServiceException).$metadata.httpStatusCode).toBe(400);
  });
});

describe('tagging', () => {
  it('reads and writes the tags of a named version', async () => {
    const Bucket = await versionedBucket('tags');
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'one', Tagging: 'gen=1' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'two', Tagging: 'gen=2' }));
    const old = await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'k', VersionId: v1.VersionId }));
    expect(old.TagSet).toEqual([{ Key: 'gen', Value: '1' }]);
    expect(old.VersionId).toBe(v1.VersionId);
    const put = await s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'k', VersionId: v1.VersionId, Tagging: { TagSet: [{ Key: 'gen', Value: 'old' }] } }));
    expect(put.VersionId).toBe(v1.VersionId);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'k', VersionId: v1.VersionId }))).TagSet).toEqual([{ Key: 'gen', Value: 'old' }]);
    const current = await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'k' }));
    expect([current.VersionId, current.TagSet]).toEqual([v2.VersionId, [{ Key: 'gen', Value: '2' }]]);
  });
});

describe('multipart uploads', () => {
  it('make a new version and keep the null version written before versioning', async () => {
    const Bucket = 'mpu-versions';
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'big', Body: 'before versioning' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'big' }));
    const part = await s3.send(new UploadPartCommand({ Bucket, Key: 'big', UploadId, PartNumber: 1, Body: 'assembled' }));
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'big', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    expect(done.VersionId).toMatch(/^[0-9a-v]{14}/);
    expect(await text(Bucket, 'big')).toBe('assembled');
    expect(await text(Bucket, 'big', 'null')).toBe('before versioning');
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(listed.Versions?.map((v) => v.VersionId)).toEqual([done.VersionId, 'null']);
  });
});
