/**
 * Switching a bucket to Object Ownership BucketOwnerEnforced, over a real socket with the AWS SDK. "Prerequisites
 * for disabling ACLs" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-migrating-acls-prerequisites.html)
 * and "Troubleshooting" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html):
 * while the bucket's ACL grants anyone but the owner, PutBucketOwnershipControls with BucketOwnerEnforced fails
 * with 400 InvalidBucketAclWithObjectOwnership and changes nothing; once the bucket ACL is reset to private the
 * switch succeeds, and object ACLs (which are not a prerequisite) simply stop granting.
 */
import {
  CreateBucketCommand,
  DeleteBucketOwnershipControlsCommand,
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers.ts';
import type { TestServer } from '../helpers.ts';
import { field, iamCall } from './iam-client.ts';

const refused = { name: 'InvalidBucketAclWithObjectOwnership', $metadata: { httpStatusCode: 400 } };
const enforce = (Bucket: string) => new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } });

let server: TestServer;
let root: S3Client;
beforeAll(async () => {
  server = await startServer();
  root = server.client();
});
afterAll(async () => server?.close());

const anonymous = (path: string) => fetch(`${server.endpoint}/${path}`);
const ownership = async (Bucket: string) => (await root.send(new GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls?.Rules?.[0]?.ObjectOwnership;

describe('PutBucketOwnershipControls BucketOwnerEnforced', () => {
  it.each([
    ['public-read', 'switch-public-read'],
    ['authenticated-read', 'switch-auth-read'],
    ['public-read-write', 'switch-public-rw'],
  ] as const)('is refused while the bucket ACL is %s, and leaves the bucket as it was', async (acl, bucket) => {
    await root.send(new CreateBucketCommand({ Bucket: bucket, ObjectOwnership: 'ObjectWriter', ACL: acl }));
    await expect(root.send(enforce(bucket))).rejects.toMatchObject(refused);
    expect(await ownership(bucket)).toBe('ObjectWriter');
    expect((await root.send(new GetBucketAclCommand({ Bucket: bucket }))).Grants?.length).toBeGreaterThan(1);
    // Deleting the setting would enforce bucket-owner ownership too (the server's default): same prerequisite.
    await expect(root.send(new DeleteBucketOwnershipControlsCommand({ Bucket: bucket }))).rejects.toMatchObject(refused);
    expect(await ownership(bucket)).toBe('ObjectWriter');
  });

  it('is refused for a grant to a canonical user too, and accepted once the bucket ACL is private again', async () => {
    const made = await iamCall(server.endpoint, root, { Action: 'CreateUser', UserName: 'grantee' });
    await root.send(new CreateBucketCommand({ Bucket: 'switch-reset', ObjectOwnership: 'BucketOwnerPreferred' }));
    await root.send(new PutBucketAclCommand({ Bucket: 'switch-reset', GrantRead: `id="${field(made.body, 'UserId')}"`, GrantFullControl: 'id="strata"' }));
    await expect(root.send(enforce('switch-reset'))).rejects.toMatchObject(refused);
    await root.send(new PutBucketAclCommand({ Bucket: 'switch-reset', ACL: 'private' }));
    await root.send(enforce('switch-reset'));
    expect(await ownership('switch-reset')).toBe('BucketOwnerEnforced');
  });

  it('does not look at object ACLs: a public-read object stops granting once the switch is made', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'switch-object-acl', ObjectOwnership: 'ObjectWriter' }));
    await root.send(new PutObjectCommand({ Bucket: 'switch-object-acl', Key: 'p', Body: 'p', ACL: 'public-read' }));
    expect((await anonymous('switch-object-acl/p')).status).toBe(200);
    await root.send(enforce('switch-object-acl'));
    expect((await anonymous('switch-object-acl/p')).status).toBe(403);
  });

  it('leaves switches between the ACL-enabled settings alone', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'switch-preferred', ObjectOwnership: 'ObjectWriter', ACL: 'public-read' }));
    await root.send(new PutBucketOwnershipControlsCommand({ Bucket: 'switch-preferred', OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] } }));
    expect(await ownership('switch-preferred')).toBe('BucketOwnerPreferred');
    expect((await anonymous('switch-preferred?list-type=2')).status).toBe(200);
  });
});

describe('a bucket ACL stored beside BucketOwnerEnforced', () => {
  it('grants nothing (a record written before the switch was checked, read at start)', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'switch-legacy', ObjectOwnership: 'ObjectWriter', ACL: 'public-read' }));
    expect((await anonymous('switch-legacy?list-type=2')).status).toBe(200);
    const grants = [
      { grantee: { type: 'CanonicalUser', id: 'strata' }, permission: 'FULL_CONTROL' },
      { grantee: { type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers' }, permission: 'READ' },
    ];
    await server.storage.put('.strata/bucket-access/switch-legacy', JSON.stringify({ objectOwnership: 'BucketOwnerEnforced', acl: grants }), { contentType: 'application/json' });
    const again = await startServer({ storage: server.storage });
    try {
      const list = await fetch(`${again.endpoint}/switch-legacy?list-type=2`);
      expect(list.status).toBe(403);
      expect(await list.text()).toContain('<Code>AccessDenied</Code>');
      expect((await again.client().send(new GetBucketAclCommand({ Bucket: 'switch-legacy' }))).Grants).toHaveLength(1);
    } finally {
      await again.close();
    }
  });
});
