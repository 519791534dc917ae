/**
 * Object lock through the real AWS SDK over a real socket, and the aws CLI, from AWS's documentation:
 * "Using S3 Object Lock" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html),
 * CreateBucket (`x-amz-bucket-object-lock-enabled`), PutObjectLockConfiguration, PutObjectRetention,
 * PutObjectLegalHold, PutObject's object lock headers, DeleteObject and DeleteObjects with a version id.
 * Time comes from the app's object clock, which the tests move forward.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { createMemoryStorage } from '@strata/storage';
import { skipWithout } from '#system-tools';
import { ACCESS_KEY, REGION, SECRET_KEY, startServer } from './helpers.ts';
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


async function lockedBucket(Bucket: string): Promise<string> {
  await s3.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: true }));
  return Bucket;
}

const inDays = clock.inDays;

describe('object lock on a bucket', () => {
  it('is enabled at creation, with versioning, and its default retention is stored', async () => {
    const Bucket = await lockedBucket('lock-config');
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Enabled');
    expect((await s3.send(new GetObjectLockConfigurationCommand({ Bucket }))).ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled' });
    await s3.send(new PutObjectLockConfigurationCommand({ Bucket, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 2 } } } }));
    const got = await s3.send(new GetObjectLockConfigurationCommand({ Bucket }));
    expect(got.ObjectLockConfiguration?.Rule?.DefaultRetention).toEqual({ Mode: 'GOVERNANCE', Days: 2 });
    // Versioning of a bucket with object lock cannot be suspended.
    const e = await s3Failure(s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } })));
    expect(e.name).toBe('InvalidBucketState');
  });

  it('is absent on a plain bucket, where lock headers are InvalidRequest', async () => {
    const Bucket = 'lock-none';
    await s3.send(new CreateBucketCommand({ Bucket }));
    expect((await s3Failure(s3.send(new GetObjectLockConfigurationCommand({ Bucket })))).name).toBe('ObjectLockConfigurationNotFoundError');
    const e = await s3Failure(s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: inDays(1) })));
    expect(e.name).toBe('InvalidRequest');
    expect(e.$metadata.httpStatusCode).toBe(400);
    // Enabling lock on an existing bucket needs versioning Enabled first.
    expect((await s3Failure(s3.send(new PutObjectLockConfigurationCommand({ Bucket, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } })))).name).toBe('InvalidBucketState');
  });

  it('refuses a default retention with both Days and Years', async () => {
    const Bucket = await lockedBucket('lock-bad-rule');
    const e = await s3Failure(s3.send(new PutObjectLockConfigurationCommand({ Bucket, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1, Years: 1 } } } })));
    expect(e.name).toBe('MalformedXML');
  });
});

describe('retention', () => {
  it('is set by PUT headers, answered by HEAD, GET and GetObjectRetention, and blocks a versioned delete', async () => {
    const Bucket = await lockedBucket('lock-put');
    const until = inDays(1);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'doc', Body: 'v1', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: until, ObjectLockLegalHoldStatus: 'OFF' }));
    const VersionId = put.VersionId as string;
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'doc' }));
    expect(head.ObjectLockMode).toBe('COMPLIANCE');
    expect(head.ObjectLockRetainUntilDate?.getTime()).toBe(until.getTime());
    const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'doc', VersionId }));
    expect(get.ObjectLockMode).toBe('COMPLIANCE');
    await get.Body?.transformToString();
    expect((await s3.send(new GetObjectRetentionCommand({ Bucket, Key: 'doc', VersionId }))).Retention).toEqual({ Mode: 'COMPLIANCE', RetainUntilDate: until });

    const denied = await s3Failure(s3.send(new DeleteObjectCommand({ Bucket, Key: 'doc', VersionId, BypassGovernanceRetention: true })));
    expect(denied.$metadata.httpStatusCode).toBe(403);
    expect(denied.name).toBe('AccessDenied');
    expect(denied.message).toBe('Access Denied because object protected by object lock.');
    // A delete without a version id only adds a delete marker, which lock allows.
    const marker = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'doc' }));
    expect(marker.DeleteMarker).toBe(true);
    // Once the period ends, the version may go.
    clock.advance(2);
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'doc', VersionId }));
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(versions.Versions ?? []).toEqual([]);
  });

  it('comes from the bucket default when the PUT names none', async () => {
    const Bucket = await lockedBucket('lock-default');
    await s3.send(new PutObjectLockConfigurationCommand({ Bucket, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } } }));
    const { VersionId } = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
    const r = await s3.send(new GetObjectRetentionCommand({ Bucket, Key: 'k', VersionId }));
    expect(r.Retention?.Mode).toBe('GOVERNANCE');
    const expected = inDays(1).getTime();
    expect(Math.abs((r.Retention?.RetainUntilDate?.getTime() ?? 0) - expected)).toBeLessThan(60_000);
    // So do copies and completed multipart uploads.
    const copied = await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy', CopySource: `${Bucket}/k` }));
    expect((await s3.send(new GetObjectRetentionCommand({ Bucket, Key: 'copy', VersionId: copied.VersionId }))).Retention?.Mode).toBe('GOVERNANCE');
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mpu' }));
    const part = await s3.send(new UploadPartCommand({ Bucket, Key: 'mpu', UploadId, PartNumber: 1, Body: 'part' }));
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'mpu', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32 }] } }));
    expect((await s3.send(new GetObjectRetentionCommand({ Bucket, Key: 'mpu', VersionId: done.VersionId }))).Retention?.Mode).toBe('GOVERNANCE');
    expect((await s3Failure(s3.send(new DeleteObjectCommand({ Bucket, Key: 'mpu', VersionId: done.VersionId })))).name).toBe('AccessDenied');
    // Lock headers on CreateMultipartUpload itself: e2e-multipart-object-lock.test.ts.
  });

  it('GOVERNANCE is shortened or removed only with the bypass header; COMPLIANCE never', async () => {
    const Bucket = await lockedBucket('lock-modes');
    const gov = (await s3.send(new PutObjectCommand({ Bucket, Key: 'g', Body: 'x', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: inDays(10) }))).VersionId;
    const shorter = { Mode: 'GOVERNANCE' as const, RetainUntilDate: inDays(1) };
    expect((await s3Failure(s3.send(new PutObjectRetentionCommand({ Bucket, Key: 'g', VersionId: gov, Retention: shorter })))).name).toBe('AccessDenied');
    // Extending needs no bypass.
    await s3.send(new PutObjectRetentionCommand({ Bucket, Key: 'g', VersionId: gov, Retention: { Mode: 'GOVERNANCE', RetainUntilDate: inDays(20) } }));
    await s3.send(new PutObjectRetentionCommand({ Bucket, Key: 'g', VersionId: gov, Retention: shorter, BypassGovernanceRetention: true }));
    expect((await s3.send(new GetObjectRetentionCommand({ Bucket, Key: 'g', VersionId: gov }))).Retention?.RetainUntilDate?.getTime()).toBe(shorter.RetainUntilDate.getTime());
    // A GOVERNANCE version may be deleted with the bypass.
    expect((await s3Failure(s3.send(new DeleteObjectCommand({ Bucket, Key: 'g', VersionId: gov })))).name).toBe('AccessDenied');
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'g', VersionId: gov, BypassGovernanceRetention: true }));

    const comp = (await s3.send(new PutObjectCommand({ Bucket, Key: 'c', Body: 'x', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: inDays(10) }))).VersionId;
    for (const Retention of [{ Mode: 'COMPLIANCE' as const, RetainUntilDate: inDays(1) }, { Mode: 'GOVERNANCE' as const, RetainUntilDate: inDays(30) }]) {
      const e = await s3Failure(s3.send(new PutObjectRetentionCommand({ Bucket, Key: 'c', VersionId: comp, Retention, BypassGovernanceRetention: true })));
      expect(e.name).toBe('AccessDenied');
    }
    await s3.send(new PutObjectRetentionCommand({ Bucket, Key: 'c', VersionId: comp, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: inDays(30) } }));
    expect((await s3.send(new GetObjectRetentionCommand({ Bucket, Key: 'c', VersionId: comp }))).Retention?.Mode).toBe('COMPLIANCE');
  });

  it('a retain-until date in the past is InvalidArgument; a version without retention has none', async () => {
    const Bucket = await lockedBucket('lock-past');
    const e = await s3Failure(s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: inDays(-1) })));
    expect(e.name).toBe('InvalidArgument');
    const { VersionId } = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
    expect((await s3Failure(s3.send(new GetObjectRetentionCommand({ Bucket, Key: 'k', VersionId })))).name).toBe('NoSuchObjectLockConfiguration');
  });
});

describe('legal hold', () => {
  it('blocks deletion while ON, whatever the retention, and is answered by GetObjectLegalHold and HEAD', async () => {
    const Bucket = await lockedBucket('lock-hold');
    const { VersionId } = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
    expect((await s3.send(new GetObjectLegalHoldCommand({ Bucket, Key: 'k', VersionId }))).LegalHold?.Status).toBe('OFF');
    await s3.send(new PutObjectLegalHoldCommand({ Bucket, Key: 'k', VersionId, LegalHold: { Status: 'ON' } }));
    expect((await s3.send(new GetObjectLegalHoldCommand({ Bucket, Key: 'k', VersionId }))).LegalHold?.Status).toBe('ON');
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'k' }))).ObjectLockLegalHoldStatus).toBe('ON');
    const e = await s3Failure(s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId, BypassGovernanceRetention: true })));
    expect(e.name).toBe('AccessDenied');
    await s3.send(new PutObjectLegalHoldCommand({ Bucket, Key: 'k', VersionId, LegalHold: { Status: 'OFF' } }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId }));
  });

  it('is refused in a bucket without object lock', async () => {
    const Bucket = 'hold-none';
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
    expect((await s3Failure(s3.send(new PutObjectLegalHoldCommand({ Bucket, Key: 'k', LegalHold: { Status: 'ON' } })))).name).toBe('InvalidRequest');
  });
});

describe('DeleteObjects', () => {
  it('leaves a locked version in place with an AccessDenied error, and deletes the others', async () => {
    const Bucket = await lockedBucket('lock-multi');
    const locked = (await s3.send(new PutObjectCommand({ Bucket, Key: 'locked', Body: 'x', ObjectLockLegalHoldStatus: 'ON' }))).VersionId;
    const free = (await s3.send(new PutObjectCommand({ Bucket, Key: 'free', Body: 'x' }))).VersionId;
    const r = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'locked', VersionId: locked }, { Key: 'free', VersionId: free }] } }));
    expect(r.Deleted).toEqual([{ Key: 'free', VersionId: free }]);
    expect(r.Errors).toEqual([{ Key: 'locked', VersionId: locked, Code: 'AccessDenied', Message: 'Access Denied because object protected by object lock.' }]);
    const text = await (await s3.send(new GetObjectCommand({ Bucket, Key: 'locked', VersionId: locked }))).Body?.transformToString();
    expect(text).toBe('x');
  });
});

describe('after a restart', () => {
  it('the bucket configuration and a version\'s legal hold still hold', async () => {
    const storage = createMemoryStorage();
    const first = await startServer({ storage });
    const c1 = first.client();
    await c1.send(new CreateBucketCommand({ Bucket: 'lock-restart', ObjectLockEnabledForBucket: true }));
    const { VersionId } = await c1.send(new PutObjectCommand({ Bucket: 'lock-restart', Key: 'k', Body: 'x', ObjectLockLegalHoldStatus: 'ON' }));
    await first.close();
    const second = await startServer({ storage });
    try {
      const c2 = second.client();
      expect((await c2.send(new GetObjectLockConfigurationCommand({ Bucket: 'lock-restart' }))).ObjectLockConfiguration?.ObjectLockEnabled).toBe('Enabled');
      expect((await s3Failure(c2.send(new DeleteObjectCommand({ Bucket: 'lock-restart', Key: 'k', VersionId })))).name).toBe('AccessDenied');
    } finally {
      await second.close();
    }
  });
});

describe.skipIf(skipWithout('aws'))('the aws CLI (/usr/bin/aws)', () => {
  it('put-object-retention, then get-object-retention returns it', async () => {
    const Bucket = await lockedBucket('lock-cli');
    const { VersionId } = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
    const env = { ...process.env, AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY, AWS_DEFAULT_REGION: REGION, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    const aws = (...args: string[]) => promisify(execFile)('/usr/bin/aws', ['--endpoint-url', server.endpoint, '--output', 'json', 's3api', ...args], { env, timeout: 30_000 });
    const until = new Date(clock.now() + 5 * DAY);
    until.setUTCMilliseconds(0);
    await aws('put-object-retention', '--bucket', Bucket, '--key', 'k', '--version-id', VersionId as string, '--retention', `Mode=GOVERNANCE,RetainUntilDate=${until.toISOString()}`);
    const { stdout } = await aws('get-object-retention', '--bucket', Bucket, '--key', 'k', '--version-id', VersionId as string);
    const got = JSON.parse(stdout) as { Retention: { Mode: string; RetainUntilDate: string } };
    expect(got.Retention.Mode).toBe('GOVERNANCE');
    expect(Date.parse(got.Retention.RetainUntilDate)).toBe(until.getTime());
    const e = await s3Failure(s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId })));
    expect(e.name).toBe('AccessDenied');
  });
});
