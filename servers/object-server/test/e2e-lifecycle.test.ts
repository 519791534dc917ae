/**
 * Lifecycle rules through the real AWS SDK over a real socket, from AWS's documentation:
 * PutBucketLifecycleConfiguration / GetBucketLifecycleConfiguration / DeleteBucketLifecycle,
 * "Lifecycle configuration elements" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html),
 * "Expiring objects" and "Using S3 Object Lock" (a lifecycle rule never removes a locked version).
 * The worker runs one pass at a time (`app.lifecycle.runPass()`) with the app's object clock moved forward.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketLifecycleCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import type { LifecycleRule, S3Client } from '@aws-sdk/client-s3';
import { createMemoryStorage } from '@strata/storage';
import { startServer } from './helpers.ts';
import { DAY, s3Failure, testClock } from './object-clock.ts';
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
// Each case starts at real time: its objects are written now, then it moves the clock.
beforeEach(() => {
  clock.reset();
});


async function bucket(Bucket: string, rules: LifecycleRule[], options: { versioned?: boolean; locked?: boolean } = {}): Promise<string> {
  await s3.send(new CreateBucketCommand({ Bucket, ...(options.locked ? { ObjectLockEnabledForBucket: true } : {}) }));
  if (options.versioned) await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: rules } }));
  return Bucket;
}

const keys = async (Bucket: string) => ((await s3.send(new ListObjectsV2Command({ Bucket }))).Contents ?? []).map((c) => c.Key);
const versions = async (Bucket: string) => {
  const r = await s3.send(new ListObjectVersionsCommand({ Bucket }));
  return [...(r.Versions ?? []).map((v) => `${v.Key}:${v.IsLatest ? 'current' : 'old'}`), ...(r.DeleteMarkers ?? []).map((m) => `${m.Key}:marker`)].sort();
};

describe('lifecycle configuration', () => {
  it('round-trips, survives a refused PUT unchanged, and is gone after DeleteBucketLifecycle', async () => {
    const Bucket = await bucket('lc-config', [
      { ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 7 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
      {
        ID: 'big-old',
        Status: 'Disabled',
        Filter: { And: { Prefix: 'data/', Tags: [{ Key: 'tier', Value: 'cold' }], ObjectSizeGreaterThan: 100, ObjectSizeLessThan: 1000 } },
        NoncurrentVersionExpiration: { NoncurrentDays: 3, NewerNoncurrentVersions: 2 },
      },
    ]);
    // A rule filtered by tags cannot abort uploads (uploads have no tags yet).
    const tagged = { ID: 't', Status: 'Enabled' as const, Filter: { Tag: { Key: 'a', Value: 'b' } }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } };
    expect((await s3Failure(s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: [tagged] } })))).name).toBe('InvalidArgument');
    const got = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
    expect(got.Rules).toEqual([
      { ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 7 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
      {
        ID: 'big-old',
        Status: 'Disabled',
        Filter: { And: { Prefix: 'data/', Tags: [{ Key: 'tier', Value: 'cold' }], ObjectSizeGreaterThan: 100, ObjectSizeLessThan: 1000 } },
        NoncurrentVersionExpiration: { NoncurrentDays: 3, NewerNoncurrentVersions: 2 },
      },
    ]);
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket }));
    expect((await s3Failure(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket })))).name).toBe('NoSuchLifecycleConfiguration');
  });

  it('refuses duplicate rule IDs and a rule without an action', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lc-bad' }));
    const dup = { ID: 'same', Status: 'Enabled' as const, Filter: { Prefix: '' }, Expiration: { Days: 1 } };
    expect((await s3Failure(s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'lc-bad', LifecycleConfiguration: { Rules: [dup, dup] } })))).name).toBe('InvalidArgument');
    const none = { ID: 'none', Status: 'Enabled' as const, Filter: { Prefix: '' } };
    expect((await s3Failure(s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'lc-bad', LifecycleConfiguration: { Rules: [none] } })))).name).toBe('InvalidArgument');
  });
});

describe('expiration', () => {
  it('answers x-amz-expiration on PUT and HEAD, and removes matching objects once due', async () => {
    const Bucket = await bucket('lc-expire', [{ ID: 'logs-rule', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 1 } }]);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'logs/a', Body: 'x' }));
    // S3 rounds the expiry up to the next midnight UTC after creation plus Days.
    const midnight = Math.ceil((clock.now() + DAY) / DAY) * DAY;
    expect(put.Expiration).toBe(`expiry-date="${new Date(midnight).toUTCString()}", rule-id="logs-rule"`);
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'logs/a' }))).Expiration).toContain('rule-id="logs-rule"');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'keep/b', Body: 'x' }));
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'keep/b' }))).Expiration).toBeUndefined();

    await server.app.lifecycle.runPass();
    expect(await keys(Bucket)).toEqual(['keep/b', 'logs/a']);
    clock.advance(2);
    await server.app.lifecycle.runPass();
    expect(await keys(Bucket)).toEqual(['keep/b']);
  });

  it('filters by tags and object size, with And', async () => {
    const Bucket = await bucket('lc-filter', [
      { ID: 'cold-big', Status: 'Enabled', Filter: { And: { Tags: [{ Key: 'tier', Value: 'cold' }], ObjectSizeGreaterThan: 3 } }, Expiration: { Days: 1 } },
    ]);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'cold-big', Body: 'xxxxxx', Tagging: 'tier=cold' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'cold-small', Body: 'x', Tagging: 'tier=cold' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'hot-big', Body: 'xxxxxx', Tagging: 'tier=hot' }));
    clock.advance(2);
    await server.app.lifecycle.runPass();
    expect(await keys(Bucket)).toEqual(['cold-small', 'hot-big']);
  });
});

describe('versioned buckets', () => {
  it('a delete leaves a marker; the noncurrent version expires, then the expired marker is removed', async () => {
    const Bucket = await bucket('lc-marker', [{ ID: 'tidy', Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Expiration: { ExpiredObjectDeleteMarker: true } }], { versioned: true });
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
    const del = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
    expect(del.DeleteMarker).toBe(true);
    expect(await versions(Bucket)).toEqual(['k:marker', 'k:old']);
    await server.app.lifecycle.runPass();
    expect(await versions(Bucket)).toEqual(['k:marker', 'k:old']);
    clock.advance(2);
    await server.app.lifecycle.runPass();
    expect(await versions(Bucket)).toEqual([]);
  });

  it('keeps the NewerNoncurrentVersions newest noncurrent versions', async () => {
    const Bucket = await bucket('lc-newer', [{ ID: 'keep-one', Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 1 } }], { versioned: true });
    const ids: string[] = [];
    for (const body of ['1', '2', '3', '4']) ids.push((await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: body }))).VersionId as string);
    clock.advance(2);
    await server.app.lifecycle.runPass();
    const left = ((await s3.send(new ListObjectVersionsCommand({ Bucket }))).Versions ?? []).map((v) => v.VersionId);
    expect(left).toEqual([ids[3], ids[2]]);
  });

  it('never removes a locked version: a legal hold survives noncurrent expiration, and current expiration only adds a marker', async () => {
    const Bucket = await bucket('lc-locked', [{ ID: 'all', Status: 'Enabled', Filter: {}, Expiration: { Days: 1 }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }], { locked: true });
    const held = (await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'held', ObjectLockLegalHoldStatus: 'ON' }))).VersionId;
    clock.advance(2);
    await server.app.lifecycle.runPass();
    // The current version expired: a delete marker now hides it, and the held version stays.
    expect(await versions(Bucket)).toEqual(['k:marker', 'k:old']);
    clock.advance(2);
    await server.app.lifecycle.runPass();
    const r = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect((r.Versions ?? []).map((v) => v.VersionId)).toEqual([held]);
  });
});

describe('AbortIncompleteMultipartUpload', () => {
  it('aborts uploads older than DaysAfterInitiation', async () => {
    const Bucket = await bucket('lc-mpu', [{ ID: 'abort', Status: 'Enabled', Filter: { Prefix: 'up/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }]);
    await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'up/a' }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'other/b' }));
    await server.app.lifecycle.runPass();
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads?.length).toBe(2);
    clock.advance(2);
    await server.app.lifecycle.runPass();
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads?.map((u) => u.Key)).toEqual(['other/b']);
  });
});

describe('bounded passes', () => {
  it('do a bounded amount of work and resume from the persisted cursor after a restart', async () => {
    const storage = createMemoryStorage();
    let local = 0;
    const objectClock = () => Date.now() + local;
    let first: TestServer | undefined = await startServer({ storage, objectClock, lifecycle: { maxKeysPerPass: 2 } });
    const c = first.client();
    await c.send(new CreateBucketCommand({ Bucket: 'lc-bounded' }));
    await c.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'lc-bounded', LifecycleConfiguration: { Rules: [{ ID: 'x', Status: 'Enabled', Filter: { Prefix: 'x' }, Expiration: { Days: 1 } }] } }));
    for (const k of ['a', 'b', 'x1', 'x2', 'x3']) await c.send(new PutObjectCommand({ Bucket: 'lc-bounded', Key: k, Body: k }));
    local += 2 * DAY;
    // The first pass visits 'a' and 'b', which no rule expires: only the persisted cursor remembers it.
    expect(await first.app.lifecycle.runPass()).toEqual({ keys: 2, actions: 0, completed: false });
    await first.close();
    first = undefined;

    const second = await startServer({ storage, objectClock, lifecycle: { maxKeysPerPass: 2 } });
    try {
      const list = async () => ((await second.client().send(new ListObjectsV2Command({ Bucket: 'lc-bounded' }))).Contents ?? []).map((o) => o.Key);
      expect(await second.app.lifecycle.runPass()).toEqual({ keys: 2, actions: 2, completed: false });
      expect(await list()).toEqual(['a', 'b', 'x3']);
      expect(await second.app.lifecycle.runPass()).toEqual({ keys: 1, actions: 1, completed: true });
      expect(await list()).toEqual(['a', 'b']);
      // Having finished, the next pass starts over from the first bucket.
      expect(await second.app.lifecycle.runPass()).toEqual({ keys: 2, actions: 0, completed: true });
    } finally {
      await second.close();
    }
  });
});
