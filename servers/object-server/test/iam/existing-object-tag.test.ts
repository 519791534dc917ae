/**
 * The `s3:ExistingObjectTag/<key>` condition key ("Tagging and access control policies",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-and-policies.html): a user policy granting reads
 * of objects tagged `classification=public` only, over a real socket with the AWS SDK — version-aware (a named
 * version is judged by its own tags) — and the cost rule: the object's tags are read only when a policy that
 * applies mentions the key. A copy's source is judged by the source's tags.
 */
import type { IncomingMessage } from 'node:http';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { createMemoryStorage } from '@strata/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Authorizer } from '../../src/iam/authorizer.ts';
import { BucketAccessStore } from '../../src/iam/bucket-access-settings.ts';
import { BucketPolicyStore, parseBucketPolicy } from '../../src/iam/bucket-policy-store.ts';
import { IdentityStore } from '../../src/iam/identity-store.ts';
import { QueryParams } from '../../src/query-params.ts';
import { startServer } from '../helpers.ts';
import type { TestServer } from '../helpers.ts';
import { createUser } from './iam-client.ts';

let server: TestServer;
const code = (e: unknown) => (e as { name?: string }).name;
const publicOnly = (bucket: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:GetObjectVersionTagging'],
      Resource: `arn:aws:s3:::${bucket}/*`,
      Condition: { StringEquals: { 's3:ExistingObjectTag/classification': 'public' } },
    },
  ],
});

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe('s3:ExistingObjectTag over the wire', () => {
  it('grants reads of objects carrying the tag, and only those', async () => {
    const root = server.client();
    await root.send(new CreateBucketCommand({ Bucket: 'tagged' }));
    await root.send(new PutObjectCommand({ Bucket: 'tagged', Key: 'open.txt', Body: 'open', Tagging: 'classification=public' }));
    await root.send(new PutObjectCommand({ Bucket: 'tagged', Key: 'closed.txt', Body: 'closed', Tagging: 'classification=secret' }));
    await root.send(new PutObjectCommand({ Bucket: 'tagged', Key: 'untagged.txt', Body: 'none' }));
    const reader = server.client({ credentials: await createUser(server.endpoint, root, 'tag-reader', publicOnly('tagged')) });
    expect(await (await reader.send(new GetObjectCommand({ Bucket: 'tagged', Key: 'open.txt' }))).Body?.transformToString()).toBe('open');
    await reader.send(new HeadObjectCommand({ Bucket: 'tagged', Key: 'open.txt' }));
    expect((await reader.send(new GetObjectTaggingCommand({ Bucket: 'tagged', Key: 'open.txt' }))).TagSet).toEqual([{ Key: 'classification', Value: 'public' }]);
    for (const Key of ['closed.txt', 'untagged.txt']) {
      expect(code(await reader.send(new GetObjectCommand({ Bucket: 'tagged', Key })).catch((e: unknown) => e))).toBe('AccessDenied');
    }
    // Re-tagging changes the answer at once: the tags are read per request.
    await root.send(new PutObjectTaggingCommand({ Bucket: 'tagged', Key: 'open.txt', Tagging: { TagSet: [{ Key: 'classification', Value: 'secret' }] } }));
    expect(code(await reader.send(new GetObjectCommand({ Bucket: 'tagged', Key: 'open.txt' })).catch((e: unknown) => e))).toBe('AccessDenied');
  });

  it('judges a named version by its own tags', async () => {
    const root = server.client();
    await root.send(new CreateBucketCommand({ Bucket: 'tagged-versions' }));
    await root.send(new PutBucketVersioningCommand({ Bucket: 'tagged-versions', VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = await root.send(new PutObjectCommand({ Bucket: 'tagged-versions', Key: 'doc', Body: 'first', Tagging: 'classification=public' }));
    await root.send(new PutObjectCommand({ Bucket: 'tagged-versions', Key: 'doc', Body: 'second', Tagging: 'classification=secret' }));
    const reader = server.client({ credentials: await createUser(server.endpoint, root, 'version-reader', publicOnly('tagged-versions')) });
    expect(code(await reader.send(new GetObjectCommand({ Bucket: 'tagged-versions', Key: 'doc' })).catch((e: unknown) => e))).toBe('AccessDenied');
    const old = await reader.send(new GetObjectCommand({ Bucket: 'tagged-versions', Key: 'doc', VersionId: v1.VersionId }));
    expect(await old.Body?.transformToString()).toBe('first');
  });
});

describe("s3:ExistingObjectTag of a copy's source", () => {
  // The source of CopyObject is read with s3:GetObject ("CopyObject", "Permissions",
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html): tag conditions judge that read by the
  // source's tags, never the destination's.
  it('an identity policy granting reads of tagged objects lets a copy read only tagged sources', async () => {
    const root = server.client();
    await root.send(new CreateBucketCommand({ Bucket: 'copy-src' }));
    await root.send(new CreateBucketCommand({ Bucket: 'copy-dst' }));
    await root.send(new PutObjectCommand({ Bucket: 'copy-src', Key: 'open.txt', Body: 'open', Tagging: 'classification=public' }));
    await root.send(new PutObjectCommand({ Bucket: 'copy-src', Key: 'closed.txt', Body: 'closed', Tagging: 'classification=secret' }));
    const policy = {
      Version: '2012-10-17',
      Statement: [...publicOnly('copy-src').Statement, { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::copy-dst/*' }],
    };
    const copier = server.client({ credentials: await createUser(server.endpoint, root, 'tag-copier', policy) });
    await copier.send(new CopyObjectCommand({ Bucket: 'copy-dst', Key: 'a', CopySource: 'copy-src/open.txt' }));
    expect(await (await root.send(new GetObjectCommand({ Bucket: 'copy-dst', Key: 'a' }))).Body?.transformToString()).toBe('open');
    expect(code(await copier.send(new CopyObjectCommand({ Bucket: 'copy-dst', Key: 'b', CopySource: 'copy-src/closed.txt' })).catch((e: unknown) => e))).toBe('AccessDenied');
    // A missing source has no tags: the read is not granted.
    expect(code(await copier.send(new CopyObjectCommand({ Bucket: 'copy-dst', Key: 'c', CopySource: 'copy-src/none.txt' })).catch((e: unknown) => e))).toBe('AccessDenied');
  });

  it("a bucket policy's Deny on tagged sources binds a user allowed everything, version by version", async () => {
    const root = server.client();
    await root.send(new CreateBucketCommand({ Bucket: 'copy-guarded' }));
    await root.send(new PutBucketVersioningCommand({ Bucket: 'copy-guarded', VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = await root.send(new PutObjectCommand({ Bucket: 'copy-guarded', Key: 'doc', Body: 'first', Tagging: 'classification=public' }));
    await root.send(new PutObjectCommand({ Bucket: 'copy-guarded', Key: 'doc', Body: 'second', Tagging: 'classification=secret' }));
    const deny = {
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: 'arn:aws:s3:::copy-guarded/*',
      Condition: { StringEquals: { 's3:ExistingObjectTag/classification': 'secret' } },
    };
    await root.send(new PutBucketPolicyCommand({ Bucket: 'copy-guarded', Policy: JSON.stringify({ Version: '2012-10-17', Statement: [deny] }) }));
    const all = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
    const admin = server.client({ credentials: await createUser(server.endpoint, root, 'copy-admin', all) });
    // The current version is secret: the copy is refused; the public first version may be copied by id.
    expect(code(await admin.send(new CopyObjectCommand({ Bucket: 'copy-dst', Key: 'cur', CopySource: 'copy-guarded/doc' })).catch((e: unknown) => e))).toBe('AccessDenied');
    await admin.send(new CopyObjectCommand({ Bucket: 'copy-dst', Key: 'old', CopySource: `copy-guarded/doc?versionId=${v1.VersionId}` }));
    expect(await (await root.send(new GetObjectCommand({ Bucket: 'copy-dst', Key: 'old' }))).Body?.transformToString()).toBe('first');
    // The Deny names the source's tags only: copying a public object over a destination tagged secret is allowed.
    await root.send(new PutObjectCommand({ Bucket: 'copy-guarded', Key: 'target', Body: 't', Tagging: 'classification=secret' }));
    await root.send(new PutObjectCommand({ Bucket: 'copy-src', Key: 'plain.txt', Body: 'plain', Tagging: 'classification=public' }));
    await admin.send(new CopyObjectCommand({ Bucket: 'copy-guarded', Key: 'target', CopySource: 'copy-src/plain.txt' }));
  });
});

describe('s3:ExistingObjectTag cost', () => {
  it('reads tags only when an applicable policy mentions the key', async () => {
    const storage = createMemoryStorage();
    const policies = new BucketPolicyStore(storage);
    let reads = 0;
    const objectTags = () => {
      reads++;
      return Promise.resolve({ classification: 'public' });
    };
    const authorizer = new Authorizer(new IdentityStore(storage, [{ accessKeyId: 'ROOT', secretAccessKey: 's' }]), policies, new BucketAccessStore(storage), { objectTags });
    const raw = { socket: { remoteAddress: '127.0.0.1' }, headers: {} } as unknown as IncomingMessage;
    const anonymous = { accessKeyId: null, payload: { kind: 'unsigned' as const }, presigned: false };
    const statement = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
    await policies.put('b', parseBucketPolicy('b', JSON.stringify({ Statement: [statement] })));
    expect(authorizer.authorize('GetObject', anonymous, 'b', 'k', raw, new QueryParams(''))).toBeUndefined();
    expect(reads).toBe(0);
    const conditioned = { ...statement, Condition: { StringEquals: { 's3:ExistingObjectTag/classification': 'public' } } };
    await policies.put('b', parseBucketPolicy('b', JSON.stringify({ Statement: [conditioned] })));
    await authorizer.authorize('GetObject', anonymous, 'b', 'k', raw, new QueryParams(''));
    expect(reads).toBe(1);
    // Not for PutObject: S3 does not support the key there.
    expect(() => authorizer.authorize('PutObject', anonymous, 'b', 'k', raw, new QueryParams(''))).toThrow('Access Denied');
    expect(reads).toBe(1);
  });
});
