/**
 * Lifecycle rules on delete markers and object sizes, through the real AWS SDK over a real socket
 * ("Lifecycle configuration elements", https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html;
 * "Managing delete markers", https://docs.aws.amazon.com/AmazonS3/latest/userguide/ManagingDelMarkers.html;
 * "Adding filters to Lifecycle rules", https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-filters.html):
 * - an expired object delete marker is removed under ExpiredObjectDeleteMarker true, and under Expiration Days
 *   once it is that old; ExpiredObjectDeleteMarker false takes no action;
 * - ObjectSizeGreaterThan / ObjectSizeLessThan pick noncurrent versions by their size;
 * - AbortIncompleteMultipartUpload with an object size filter is refused (InvalidRequest), as S3 refuses it.
 * The worker runs one pass at a time with the app's object clock moved forward.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { LifecycleRule, S3Client } from '@aws-sdk/client-s3';
import { startServer } from './helpers.ts';
import { testClock } from './object-clock.ts';
import type { TestServer } from './helpers.ts';

const clock = testClock();
let server: TestServer;
let s3: S3Client;

beforeAll(async () => {
  server = await startServer({ objectClock: clock.now });
  s3 = server.client();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  clock.reset();
});

async function versionedBucket(Bucket: string, rules: LifecycleRule[]): Promise<string> {
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: rules } }));
  return Bucket;
}

/** `key:current|old|marker` of every version, sorted. */
async function versions(Bucket: string): Promise<string[]> {
  const r = await s3.send(new ListObjectVersionsCommand({ Bucket }));
  return [...(r.Versions ?? []).map((v) => `${v.Key}:${v.IsLatest ? 'current' : 'old'}:${v.Size}`), ...(r.DeleteMarkers ?? []).map((m) => `${m.Key}:marker`)].sort();
}

/** Writes `k` and deletes it: a delete marker over one noncurrent version. */
async function markedKey(Bucket: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
  await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
}

async function pass(days: number): Promise<void> {
  clock.advance(days);
  await server.app.lifecycle.runPass();
}

describe('expired object delete markers', () => {
  it('are removed by an Expiration Days rule once the marker is that old', async () => {
    const Bucket = await versionedBucket('lcm-days', [{ ID: 'r', Status: 'Enabled', Filter: {}, Expiration: { Days: 5 }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }]);
    await markedKey(Bucket);
    await pass(2);
    // The noncurrent version is gone; the marker, now the only version, is two days old: kept.
    expect(await versions(Bucket)).toEqual(['k:marker']);
    await pass(4);
    expect(await versions(Bucket)).toEqual([]);
  });

  it('stay under ExpiredObjectDeleteMarker false, which takes no action', async () => {
    const Bucket = await versionedBucket('lcm-false', [{ ID: 'r', Status: 'Enabled', Filter: {}, Expiration: { ExpiredObjectDeleteMarker: false }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }]);
    await markedKey(Bucket);
    await pass(30);
    expect(await versions(Bucket)).toEqual(['k:marker']);
  });

  it('are not touched by a rule filtering on object size (a marker has none)', async () => {
    const Bucket = await versionedBucket('lcm-size-marker', [{ ID: 'r', Status: 'Enabled', Filter: { ObjectSizeLessThan: 100 }, Expiration: { Days: 1 }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }]);
    await markedKey(Bucket);
    await pass(10);
    expect(await versions(Bucket)).toEqual(['k:marker']);
  });
});

describe('object size filters', () => {
  it('pick the noncurrent versions NoncurrentVersionExpiration removes', async () => {
    const Bucket = await versionedBucket('lcm-size', [{ ID: 'big', Status: 'Enabled', Filter: { ObjectSizeGreaterThan: 3 }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }]);
    for (const Body of ['xxxxxx', 'x', 'yyyyyy']) await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body }));
    await pass(2);
    expect(await versions(Bucket)).toEqual(['k:current:6', 'k:old:1']);
  });

  it('are refused with AbortIncompleteMultipartUpload, which acts on uploads by prefix only', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lcm-abort' }));
    for (const Filter of [{ ObjectSizeGreaterThan: 10 }, { And: { Prefix: 'up/', ObjectSizeLessThan: 10 } }]) {
      const refused = await s3
        .send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'lcm-abort', LifecycleConfiguration: { Rules: [{ ID: 'a', Status: 'Enabled', Filter, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }] } }))
        .then(() => undefined, (e: unknown) => e);
      expect(refused).toBeInstanceOf(S3ServiceException);
      expect([(refused as S3ServiceException).name, (refused as S3ServiceException).$metadata.httpStatusCode]).toEqual(['InvalidRequest', 400]);
    }
  });
});
