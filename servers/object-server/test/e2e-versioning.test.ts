/**
 * Object versioning through the real AWS SDK over a real socket (AWS "Using versioning in S3 buckets",
 * ListObjectVersions, PutBucketVersioning, "Working with objects in a versioning-suspended bucket",
 * "Deleting object versions").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { startServer } from './helpers.ts';
import { s3Failure } from './object-clock.ts';
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

async function bucket(name: string, status?: 'Enabled' | 'Suspended'): Promise<string> {
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  if (status) await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: status } }));
  return name;
}

const text = async (Bucket: string, Key: string, VersionId?: string) =>
  (await s3.send(new GetObjectCommand({ Bucket, Key, ...(VersionId ? { VersionId } : {}) }))).Body?.transformToString();


describe('bucket versioning state', () => {
  it('is empty until enabled, then Enabled or Suspended', async () => {
    const Bucket = await bucket('state');
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBeUndefined();
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Enabled');
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Suspended');
  });

  it('leaves a never-enabled bucket without version ids', async () => {
    const Bucket = await bucket('plain');
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'v1' }));
    expect(put.VersionId).toBeUndefined();
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'k' }));
    expect(got.VersionId).toBeUndefined();
    await got.Body?.transformToString();
    // Objects of an unversioned bucket are null versions.
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(listed.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest])).toEqual([['k', 'null', true]]);
  });
});

describe('an Enabled bucket', () => {
  it('keeps every version, newest current, each readable by id', async () => {
    const Bucket = await bucket('enabled', 'Enabled');
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'doc', Body: 'one' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket, Key: 'doc', Body: 'two' }));
    expect(v1.VersionId).toMatch(/^[0-9a-v]{14}/);
    expect(v2.VersionId).not.toBe(v1.VersionId);
    expect(await text(Bucket, 'doc')).toBe('two');
    expect(await text(Bucket, 'doc', v1.VersionId)).toBe('one');
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'doc', VersionId: v1.VersionId }));
    expect(head.VersionId).toBe(v1.VersionId);
    expect(head.ContentLength).toBe(3);
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(listed.Versions?.map((v) => [v.VersionId, v.IsLatest, v.Size])).toEqual([[v2.VersionId, true, 3], [v1.VersionId, false, 3]]);
  });

  it('keeps every one of many concurrent writes to one key as its own version', async () => {
    const Bucket = await bucket('concurrent', 'Enabled');
    const puts = await Promise.all(Array.from({ length: 12 }, (_, i) => s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: `write ${i}` }))));
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(new Set(listed.Versions?.map((v) => v.VersionId))).toEqual(new Set(puts.map((p) => p.VersionId)));
    expect(listed.Versions?.filter((v) => v.IsLatest)).toHaveLength(1);
    // The current version is the one the plain listing and a plain GET show.
    const latest = listed.Versions?.find((v) => v.IsLatest);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'k' }));
    await got.Body?.transformToString();
    expect([got.VersionId, got.ETag]).toEqual([latest?.VersionId, latest?.ETag]);
    expect((await s3.send(new ListObjectsV2Command({ Bucket }))).Contents?.[0]?.ETag).toBe(latest?.ETag);
  });

  it('adds a delete marker: GET is 404 with x-amz-delete-marker, GET of the marker is 405', async () => {
    const Bucket = await bucket('markers', 'Enabled');
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'kept' }));
    const del = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
    expect(del.DeleteMarker).toBe(true);
    expect(del.VersionId).toBeDefined();
    const gone = await s3Failure(s3.send(new GetObjectCommand({ Bucket, Key: 'k' })));
    expect(gone.name).toBe('NoSuchKey');
    expect(gone.$response?.headers['x-amz-delete-marker']).toBe('true');
    expect(gone.$response?.headers['x-amz-version-id']).toBe(del.VersionId);
    const marker = await s3Failure(s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: del.VersionId })));
    expect(marker.$metadata.httpStatusCode).toBe(405);
    expect(await text(Bucket, 'k', v1.VersionId)).toBe('kept');
    // The plain listing no longer shows the key; the version listing shows the marker on top.
    expect((await s3.send(new ListObjectsV2Command({ Bucket }))).KeyCount).toBe(0);
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(listed.DeleteMarkers?.map((m) => [m.Key, m.VersionId, m.IsLatest])).toEqual([['k', del.VersionId, true]]);
    expect(listed.Versions?.map((v) => [v.VersionId, v.IsLatest])).toEqual([[v1.VersionId, false]]);
    // Deleting the marker by id brings the object back.
    const undone = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: del.VersionId }));
    expect(undone.DeleteMarker).toBe(true);
    expect(await text(Bucket, 'k')).toBe('kept');
  });

  it('deletes one version for good; the next one becomes current', async () => {
    const Bucket = await bucket('purge', 'Enabled');
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'one' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'two' }));
    const del = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: v2.VersionId }));
    expect(del.VersionId).toBe(v2.VersionId);
    expect(del.DeleteMarker).toBeUndefined();
    expect(await text(Bucket, 'k')).toBe('one');
    expect((await s3Failure(s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: v2.VersionId })))).name).toBe('NoSuchVersion');
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: v1.VersionId }));
    expect((await s3Failure(s3.send(new GetObjectCommand({ Bucket, Key: 'k' })))).name).toBe('NoSuchKey');
    expect((await s3.send(new ListObjectVersionsCommand({ Bucket }))).Versions).toBeUndefined();
  });

  it('keeps an object written before versioning as the null version', async () => {
    const Bucket = await bucket('adopt');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'old', Body: 'before' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const v = await s3.send(new PutObjectCommand({ Bucket, Key: 'old', Body: 'after' }));
    expect(await text(Bucket, 'old')).toBe('after');
    expect(await text(Bucket, 'old', 'null')).toBe('before');
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(listed.Versions?.map((x) => x.VersionId)).toEqual([v.VersionId, 'null']);
  });

  it('refuses a malformed version id with InvalidArgument', async () => {
    const Bucket = await bucket('badid', 'Enabled');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
    const e = await s3Failure(s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: 'not-a-version' })));
    expect(e.$metadata.httpStatusCode).toBe(400);
  });

  it('evaluates If-None-Match: * against the current version', async () => {
    const Bucket = await bucket('conditional', 'Enabled');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x', IfNoneMatch: '*' }));
    const e = await s3Failure(s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'y', IfNoneMatch: '*' })));
    expect(e.$metadata.httpStatusCode).toBe(412);
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
    // Behind a delete marker the key has no current object: a create-only put succeeds.
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'z', IfNoneMatch: '*' }));
    expect(await text(Bucket, 'k')).toBe('z');
  });
});

describe('conditional and ranged reads of versions', () => {
  it('evaluates If-None-Match and If-Match against the version read, and serves ranges of it', async () => {
    const Bucket = await bucket('cond-reads', 'Enabled');
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'version one' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'version two' }));
    const notModified = await s3Failure(s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: v1.VersionId, IfNoneMatch: v1.ETag })));
    expect(notModified.$metadata.httpStatusCode).toBe(304);
    const mismatch = await s3Failure(s3.send(new GetObjectCommand({ Bucket, Key: 'k', IfMatch: v1.ETag })));
    expect(mismatch.$metadata.httpStatusCode).toBe(412);
    const ranged = await s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: v1.VersionId, Range: 'bytes=8-10' }));
    expect([await ranged.Body?.transformToString(), ranged.ContentRange, ranged.VersionId]).toEqual(['one', 'bytes 8-10/11', v1.VersionId]);
  });
});

describe('a Suspended bucket', () => {
  it('writes the null version, replacing the earlier null version and keeping the others', async () => {
    const Bucket = await bucket('suspended', 'Enabled');
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'versioned' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    const n1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'null one' }));
    expect(n1.VersionId).toBe('null');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'null two' }));
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(listed.Versions?.map((v) => v.VersionId)).toEqual(['null', v1.VersionId]);
    expect(await text(Bucket, 'k')).toBe('null two');
    // A delete adds the null delete marker, which replaces the null version.
    const del = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
    expect([del.DeleteMarker, del.VersionId]).toEqual([true, 'null']);
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(after.DeleteMarkers?.map((m) => m.VersionId)).toEqual(['null']);
    expect(after.Versions?.map((v) => v.VersionId)).toEqual([v1.VersionId]);
  });
});

describe('ListObjectVersions', () => {
  it('pages by key and version-id markers, with prefix and delimiter', async () => {
    const Bucket = await bucket('paging', 'Enabled');
    const ids = new Map<string, string[]>();
    for (const Key of ['a', 'b/1', 'b/2', 'c']) {
      for (let i = 0; i < 3; i++) {
        const r = await s3.send(new PutObjectCommand({ Bucket, Key, Body: `${Key}#${i}` }));
        ids.set(Key, [r.VersionId as string, ...(ids.get(Key) ?? [])]);
      }
    }
    const seen: string[] = [];
    let KeyMarker: string | undefined;
    let VersionIdMarker: string | undefined;
    for (let page = 0; page < 20; page++) {
      const r = await s3.send(new ListObjectVersionsCommand({ Bucket, MaxKeys: 2, KeyMarker, VersionIdMarker }));
      for (const v of r.Versions ?? []) seen.push(`${v.Key}@${v.VersionId}`);
      if (!r.IsTruncated) break;
      KeyMarker = r.NextKeyMarker;
      VersionIdMarker = r.NextVersionIdMarker;
    }
    const expected = ['a', 'b/1', 'b/2', 'c'].flatMap((k) => (ids.get(k) ?? []).map((id) => `${k}@${id}`));
    expect(seen).toEqual(expected);

    const grouped = await s3.send(new ListObjectVersionsCommand({ Bucket, Delimiter: '/' }));
    expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['b/']);
    expect([...new Set(grouped.Versions?.map((v) => v.Key))]).toEqual(['a', 'c']);
    const prefixed = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: 'b/' }));
    expect(prefixed.Versions?.length).toBe(6);
  });

  it('url-encodes keys with encoding-type=url and answers max-keys 0 with an empty page', async () => {
    const Bucket = await bucket('encoded', 'Enabled');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'sp ace&amp', Body: 'x' }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'sp ace&amp' }));
    const r = await s3.send(new ListObjectVersionsCommand({ Bucket, EncodingType: 'url' }));
    expect(r.Versions?.map((v) => v.Key)).toEqual(['sp%20ace%26amp']);
    expect(r.DeleteMarkers?.map((m) => m.Key)).toEqual(['sp%20ace%26amp']);
    const empty = await s3.send(new ListObjectVersionsCommand({ Bucket, MaxKeys: 0 }));
    expect([empty.Versions, empty.IsTruncated]).toEqual([undefined, false]);
  });
});

describe('DeleteBucket', () => {
  it('refuses a bucket holding only versions and delete markers, and forgets versioning once deleted', async () => {
    const Bucket = await bucket('drop-me', 'Enabled');
    const v = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
    const marker = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
    expect((await s3Failure(s3.send(new DeleteBucketCommand({ Bucket })))).name).toBe('BucketNotEmpty');
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: v.VersionId }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: marker.VersionId }));
    await s3.send(new DeleteBucketCommand({ Bucket }));
    await s3.send(new CreateBucketCommand({ Bucket }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBeUndefined();
  });
});
