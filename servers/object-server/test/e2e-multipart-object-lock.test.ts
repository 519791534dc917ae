/**
 * Object lock headers on CreateMultipartUpload, through the real AWS SDK over a real socket
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html: `x-amz-object-lock-mode`,
 * `x-amz-object-lock-retain-until-date`, `x-amz-object-lock-legal-hold`). The completed version carries them;
 * they are checked when the upload starts as PutObject checks them; without a mode the bucket's default
 * retention applies, counted from the completion, when the version is created (AWS "Using S3 Object Lock").
 * Time comes from the app's object clock, which the tests move forward.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  PutObjectLockConfigurationCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { CreateMultipartUploadCommandInput, S3Client } from '@aws-sdk/client-s3';
import { startServer } from './helpers.ts';
import { s3Failure, testClock } from './object-clock.ts';
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


const inDays = clock.inDays;

/** Starts an upload with `input`, uploads one part and completes it; the completed version's id. */
async function upload(input: CreateMultipartUploadCommandInput & { Bucket: string; Key: string }, beforeComplete?: () => void): Promise<string | undefined> {
  const { Bucket, Key } = input;
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand(input));
  const part = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'part' }));
  beforeComplete?.();
  const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32 }] } }));
  return done.VersionId;
}

describe('object lock headers on CreateMultipartUpload', () => {
  it('carry the retention and the legal hold to the completed version, which then cannot be deleted', async () => {
    const Bucket = 'mpu-lock-named';
    await s3.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: true }));
    const until = inDays(3);
    const VersionId = await upload({ Bucket, Key: 'k', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: until, ObjectLockLegalHoldStatus: 'ON' });
    const retention = await s3.send(new GetObjectRetentionCommand({ Bucket, Key: 'k', VersionId }));
    expect(retention.Retention?.Mode).toBe('COMPLIANCE');
    expect(Math.abs((retention.Retention?.RetainUntilDate?.getTime() ?? 0) - until.getTime())).toBeLessThan(1000);
    expect((await s3.send(new GetObjectLegalHoldCommand({ Bucket, Key: 'k', VersionId }))).LegalHold?.Status).toBe('ON');
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'k', VersionId }));
    expect([head.ObjectLockMode, head.ObjectLockLegalHoldStatus]).toEqual(['COMPLIANCE', 'ON']);
    expect((await s3Failure(s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId })))).name).toBe('AccessDenied');
    // The settings were kept beside the upload until it completed, and not after.
    expect((await server.storage.list({ prefix: '.strata/upload-locks/' })).items).toEqual([]);
  });

  it('are checked as PutObject checks them, before any upload starts', async () => {
    const Bucket = 'mpu-lock-checks';
    await s3.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: true }));
    const cases: [CreateMultipartUploadCommandInput, string][] = [
      [{ Bucket, Key: 'k', ObjectLockMode: 'GOVERNANCE' }, 'InvalidArgument'],
      [{ Bucket, Key: 'k', ObjectLockRetainUntilDate: inDays(1) }, 'InvalidArgument'],
      [{ Bucket, Key: 'k', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: inDays(-1) }, 'InvalidArgument'],
      [{ Bucket, Key: 'k', ObjectLockMode: 'FOREVER' as 'GOVERNANCE', ObjectLockRetainUntilDate: inDays(1) }, 'InvalidArgument'],
      [{ Bucket, Key: 'k', ObjectLockLegalHoldStatus: 'MAYBE' as 'ON' }, 'InvalidArgument'],
    ];
    for (const [input, code] of cases) expect((await s3Failure(s3.send(new CreateMultipartUploadCommand(input)))).name, JSON.stringify(input)).toBe(code);
    await s3.send(new CreateBucketCommand({ Bucket: 'mpu-lock-none' }));
    const plain = await s3Failure(s3.send(new CreateMultipartUploadCommand({ Bucket: 'mpu-lock-none', Key: 'k', ObjectLockLegalHoldStatus: 'ON' })));
    expect([plain.name, plain.$metadata.httpStatusCode]).toEqual(['InvalidRequest', 400]);
  });

  it('without a mode, the bucket default retention applies from the completion; a named hold is kept', async () => {
    const Bucket = 'mpu-lock-default';
    await s3.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: true }));
    await s3.send(new PutObjectLockConfigurationCommand({ Bucket, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } } }));
    // Two days pass between the start and the completion: the default is counted from the completion.
    const VersionId = await upload({ Bucket, Key: 'k', ObjectLockLegalHoldStatus: 'ON' }, () => void (clock.advance(2)));
    const retention = await s3.send(new GetObjectRetentionCommand({ Bucket, Key: 'k', VersionId }));
    expect(retention.Retention?.Mode).toBe('GOVERNANCE');
    expect(Math.abs((retention.Retention?.RetainUntilDate?.getTime() ?? 0) - inDays(1).getTime())).toBeLessThan(60_000);
    expect((await s3.send(new GetObjectLegalHoldCommand({ Bucket, Key: 'k', VersionId }))).LegalHold?.Status).toBe('ON');
  });
});
