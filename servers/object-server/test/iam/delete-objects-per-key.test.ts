/**
 * DeleteObjects is authorized per key ("DeleteObjects",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html): with a bucket policy denying
 * `arn:aws:s3:::bkt/secret/*`, a batch naming public and secret keys deletes the public ones and answers an
 * AccessDenied Error entry for each secret one, which stays; a key with a VersionId needs
 * s3:DeleteObjectVersion. Over a real socket with the AWS SDK.
 */
import { CreateBucketCommand, DeleteObjectsCommand, HeadObjectCommand, PutBucketPolicyCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers.ts';
import type { TestServer } from '../helpers.ts';
import { createUser } from './iam-client.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const exists = (Bucket: string, Key: string) => server.client().send(new HeadObjectCommand({ Bucket, Key })).then(() => true, () => false);

describe('DeleteObjects per-key authorization', () => {
  it('deletes the keys the caller may delete and reports AccessDenied for the others', async () => {
    const root = server.client();
    await root.send(new CreateBucketCommand({ Bucket: 'bkt' }));
    for (const Key of ['public/a', 'public/b', 'secret/x']) await root.send(new PutObjectCommand({ Bucket: 'bkt', Key, Body: Key }));
    await root.send(
      new PutBucketPolicyCommand({
        Bucket: 'bkt',
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::bkt/secret/*' }] }),
      }),
    );
    const user = await createUser(server.endpoint, root, 'deleter', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::bkt/*' }] });
    const res = await server.client({ credentials: user }).send(new DeleteObjectsCommand({ Bucket: 'bkt', Delete: { Objects: [{ Key: 'public/a' }, { Key: 'secret/x' }, { Key: 'public/b' }] } }));
    expect(res.Deleted?.map((d) => d.Key)).toEqual(['public/a', 'public/b']);
    expect(res.Errors).toEqual([{ Key: 'secret/x', Code: 'AccessDenied', Message: 'Access Denied' }]);
    expect(await exists('bkt', 'secret/x')).toBe(true);
    expect(await exists('bkt', 'public/a')).toBe(false);
    // The bucket policy's explicit Deny holds for the root identity too; quiet mode still reports errors.
    const quiet = await root.send(new DeleteObjectsCommand({ Bucket: 'bkt', Delete: { Objects: [{ Key: 'secret/x' }], Quiet: true } }));
    expect(quiet.Errors?.map((e) => e.Code)).toEqual(['AccessDenied']);
    expect(await exists('bkt', 'secret/x')).toBe(true);
  });

  it('a user without any delete permission gets an Error entry per key, nothing deleted', async () => {
    const root = server.client();
    await root.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'public/c', Body: 'c' }));
    const user = await createUser(server.endpoint, root, 'reader-only', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bkt/*' }] });
    const res = await server.client({ credentials: user }).send(new DeleteObjectsCommand({ Bucket: 'bkt', Delete: { Objects: [{ Key: 'public/c' }] } }));
    expect(res.Deleted ?? []).toEqual([]);
    expect(res.Errors?.map((e) => [e.Key, e.Code])).toEqual([['public/c', 'AccessDenied']]);
    expect(await exists('bkt', 'public/c')).toBe(true);
  });

  it('a key naming a VersionId needs s3:DeleteObjectVersion', async () => {
    const root = server.client();
    await root.send(new CreateBucketCommand({ Bucket: 'bkt-versions' }));
    await root.send(new PutBucketVersioningCommand({ Bucket: 'bkt-versions', VersioningConfiguration: { Status: 'Enabled' } }));
    const v = await root.send(new PutObjectCommand({ Bucket: 'bkt-versions', Key: 'k', Body: 'v1' }));
    const user = await createUser(server.endpoint, root, 'marker-only', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::bkt-versions/*' }] });
    const res = await server.client({ credentials: user }).send(new DeleteObjectsCommand({ Bucket: 'bkt-versions', Delete: { Objects: [{ Key: 'k', VersionId: v.VersionId }, { Key: 'k' }] } }));
    expect(res.Errors?.map((e) => [e.Key, e.VersionId, e.Code])).toEqual([['k', v.VersionId, 'AccessDenied']]);
    expect(res.Deleted?.map((d) => [d.Key, d.DeleteMarker])).toEqual([['k', true]]);
    await root.send(new HeadObjectCommand({ Bucket: 'bkt-versions', Key: 'k', VersionId: v.VersionId }));
  });
});
