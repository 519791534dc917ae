/**
 * Block Public Access and Object Ownership through the AWS SDK over a real socket: the configurations round-trip
 * (NoSuchPublicAccessBlockConfiguration / OwnershipControlsNotFoundError when unset), BlockPublicPolicy refuses
 * a public bucket policy with AccessDenied, RestrictPublicBuckets stops a public policy from granting anonymous
 * callers while users of the account keep their access, and deleting the bucket forgets the settings
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html).
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketOwnershipControlsCommand,
  DeletePublicAccessBlockCommand,
  GetBucketOwnershipControlsCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers.ts';
import type { TestServer } from '../helpers.ts';
import { createUser } from './iam-client.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => server?.close());

const publicRead = (bucket: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }] });
const all = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };

describe('Block Public Access', () => {
  it('round-trips the configuration and forgets it with the bucket', async () => {
    const root = server.client();
    await root.send(new CreateBucketCommand({ Bucket: 'pab-bucket' }));
    await expect(root.send(new GetPublicAccessBlockCommand({ Bucket: 'pab-bucket' }))).rejects.toMatchObject({ name: 'NoSuchPublicAccessBlockConfiguration', $metadata: { httpStatusCode: 404 } });
    await root.send(new PutPublicAccessBlockCommand({ Bucket: 'pab-bucket', PublicAccessBlockConfiguration: { ...all, BlockPublicAcls: true, RestrictPublicBuckets: true } }));
    expect((await root.send(new GetPublicAccessBlockCommand({ Bucket: 'pab-bucket' }))).PublicAccessBlockConfiguration).toEqual({ ...all, BlockPublicAcls: true, RestrictPublicBuckets: true });
    await root.send(new DeletePublicAccessBlockCommand({ Bucket: 'pab-bucket' }));
    await expect(root.send(new GetPublicAccessBlockCommand({ Bucket: 'pab-bucket' }))).rejects.toMatchObject({ name: 'NoSuchPublicAccessBlockConfiguration' });
    await root.send(new PutPublicAccessBlockCommand({ Bucket: 'pab-bucket', PublicAccessBlockConfiguration: { ...all, BlockPublicPolicy: true } }));
    await root.send(new DeleteBucketCommand({ Bucket: 'pab-bucket' }));
    await root.send(new CreateBucketCommand({ Bucket: 'pab-bucket' }));
    await expect(root.send(new GetPublicAccessBlockCommand({ Bucket: 'pab-bucket' }))).rejects.toMatchObject({ name: 'NoSuchPublicAccessBlockConfiguration' });
  });

  it('BlockPublicPolicy refuses a public policy; a policy naming a user is not public', async () => {
    const root = server.client();
    await root.send(new CreateBucketCommand({ Bucket: 'bpp-bucket' }));
    await root.send(new PutPublicAccessBlockCommand({ Bucket: 'bpp-bucket', PublicAccessBlockConfiguration: { ...all, BlockPublicPolicy: true } }));
    await expect(root.send(new PutBucketPolicyCommand({ Bucket: 'bpp-bucket', Policy: publicRead('bpp-bucket') }))).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    const named = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:user/x' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::bpp-bucket/*' }] });
    await root.send(new PutBucketPolicyCommand({ Bucket: 'bpp-bucket', Policy: named }));
  });

  it('RestrictPublicBuckets: a public policy no longer grants anonymous callers, users of the account keep access', async () => {
    const root = server.client();
    await root.send(new CreateBucketCommand({ Bucket: 'rpb-bucket' }));
    await root.send(new PutObjectCommand({ Bucket: 'rpb-bucket', Key: 'x.txt', Body: 'x' }));
    await root.send(new PutBucketPolicyCommand({ Bucket: 'rpb-bucket', Policy: publicRead('rpb-bucket') }));
    const user = server.client({ credentials: await createUser(server.endpoint, root, 'pab-user') });
    expect((await fetch(`${server.endpoint}/rpb-bucket/x.txt`)).status).toBe(200);
    await root.send(new PutPublicAccessBlockCommand({ Bucket: 'rpb-bucket', PublicAccessBlockConfiguration: { ...all, RestrictPublicBuckets: true } }));
    expect((await fetch(`${server.endpoint}/rpb-bucket/x.txt`)).status).toBe(403);
    expect(await (await user.send(new GetObjectCommand({ Bucket: 'rpb-bucket', Key: 'x.txt' }))).Body?.transformToString()).toBe('x');
  });
});

describe('Object Ownership', () => {
  it('round-trips the setting and refuses unknown values', async () => {
    const root = server.client();
    await root.send(new CreateBucketCommand({ Bucket: 'own-bucket' }));
    // A new bucket has BucketOwnerEnforced set, as S3 creates buckets since April 2023.
    expect((await root.send(new GetBucketOwnershipControlsCommand({ Bucket: 'own-bucket' }))).OwnershipControls?.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    await root.send(new PutBucketOwnershipControlsCommand({ Bucket: 'own-bucket', OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }));
    expect((await root.send(new GetBucketOwnershipControlsCommand({ Bucket: 'own-bucket' }))).OwnershipControls?.Rules).toEqual([{ ObjectOwnership: 'ObjectWriter' }]);
    await root.send(new CreateBucketCommand({ Bucket: 'writer-bucket', ObjectOwnership: 'ObjectWriter' }));
    expect((await root.send(new GetBucketOwnershipControlsCommand({ Bucket: 'writer-bucket' }))).OwnershipControls?.Rules).toEqual([{ ObjectOwnership: 'ObjectWriter' }]);
    await expect(root.send(new PutBucketOwnershipControlsCommand({ Bucket: 'own-bucket', OwnershipControls: { Rules: [{ ObjectOwnership: 'Whoever' as never }] } }))).rejects.toMatchObject({ name: 'MalformedXML' });
    await root.send(new DeleteBucketOwnershipControlsCommand({ Bucket: 'own-bucket' }));
    await expect(root.send(new GetBucketOwnershipControlsCommand({ Bucket: 'own-bucket' }))).rejects.toMatchObject({ name: 'OwnershipControlsNotFoundError' });
  });
});
