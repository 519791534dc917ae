/**
 * CompleteMultipartUpload in a versioned bucket when storage fails between the assembly and the version record
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html): storage assembles the
 * upload at the key's plain object, so a completion that stops there must not leave the assembled object
 * visible without a version. Whether the process dies (a restart over the same storage recovers) or the failure
 * is answered at once, the key reads, lists and lists-versions exactly as before the completion.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { createMemoryStorage, StorageError } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

/** A storage whose next write after a completeMultipart fails: once, or for good (the process is gone). */
function failingAfterAssembly(inner: Storage, mode: 'once' | 'dead'): { storage: Storage; arm(): void } {
  let armed = false;
  let assembled = false;
  let dead = false;
  const writes = new Set(['put', 'copy', 'delete', 'deleteMany', 'move']);
  const storage = new Proxy(inner, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (dead) throw new StorageError('Unavailable', 'injected crash');
        if (armed && assembled && writes.has(String(name))) {
          armed = false;
          if (mode === 'dead') dead = true;
          throw new StorageError('Unavailable', 'injected failure after the assembly');
        }
        const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (armed && name === 'completeMultipart') assembled = true;
        return result;
      };
    },
  });
  return { storage, arm: () => void (armed = true) };
}

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(storage: Storage): Promise<S3Client> {
  const server = await startServer({ storage });
  servers.push(server);
  return server.client({ maxAttempts: 1 });
}

const Bucket = 'mpu-crash';
const PART = 'assembled after the first version'.padEnd(64, '.');

/** The versions, the plain listing and the current bytes of `Key`, as a client sees them. */
async function seen(s3: S3Client, Key: string) {
  const versions = await s3.send(new ListObjectVersionsCommand({ Bucket }));
  const listed = await s3.send(new ListObjectsV2Command({ Bucket }));
  const body = await s3.send(new GetObjectCommand({ Bucket, Key })).then((r) => r.Body?.transformToString(), () => undefined);
  return {
    versions: (versions.Versions ?? []).filter((v) => v.Key === Key).map((v) => [v.VersionId, v.ETag]),
    listed: (listed.Contents ?? []).filter((c) => c.Key === Key).map((c) => c.ETag),
    body,
  };
}

/** A completion of `Key` that fails after its assembly: answered 503. */
async function failedCompletion(s3: S3Client, arm: () => void, Key: string): Promise<void> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const part = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: PART }));
  arm();
  await expect(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }))).rejects.toMatchObject({
    $metadata: { httpStatusCode: 503 },
  });
}

async function versionedBucket(s3: S3Client): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
}

describe('a versioned multipart completion that fails after the assembly', () => {
  for (const first of ['first version', undefined]) {
    const what = first === undefined ? 'a new key' : 'a key with a version';
    it(`leaves ${what} as it was after a crash and a restart`, async () => {
      const raw = createMemoryStorage({ minPartSize: 5 * 1024 * 1024 });
      const faulty = failingAfterAssembly(raw, 'dead');
      const s3 = await serve(faulty.storage);
      await versionedBucket(s3);
      const before = first === undefined ? undefined : await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: first }));
      await failedCompletion(s3, faulty.arm, 'k');
      // The process is gone; a new one over the same storage recovers before it answers.
      const again = await serve(raw);
      const after = await seen(again, 'k');
      expect(after).toEqual(
        before === undefined ? { versions: [], listed: [], body: undefined } : { versions: [[before.VersionId, before.ETag]], listed: [before.ETag], body: first },
      );
    });
  }

  it('puts the plain object back at once when the failure is answered', async () => {
    const faulty = failingAfterAssembly(createMemoryStorage({ minPartSize: 5 * 1024 * 1024 }), 'once');
    const s3 = await serve(faulty.storage);
    await versionedBucket(s3);
    const before = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'first version' }));
    await failedCompletion(s3, faulty.arm, 'k');
    expect(await seen(s3, 'k')).toEqual({ versions: [[before.VersionId, before.ETag]], listed: [before.ETag], body: 'first version' });
  });
});
