/**
 * S3 ACLs through the AWS SDK over a real socket, anonymous callers through plain fetch
 * ("Access control list (ACL) overview", https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html):
 * canned ACLs, grant headers and AccessControlPolicy bodies on buckets and objects (versions too), ACL grants
 * taking part in authorization (AllUsers, AuthenticatedUsers, canonical users), Object Ownership
 * BucketOwnerEnforced refusing ACLs (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html),
 * and Block Public Access's BlockPublicAcls / IgnorePublicAcls.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetBucketAclCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  PutPublicAccessBlockCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_KEY, REGION, SECRET_KEY, startServer } from '../helpers.ts';
import type { TestServer } from '../helpers.ts';
import { field, iamCall } from './iam-client.ts';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const OWNER = { ID: 'strata', DisplayName: 'strata' };
const ownerFull = { Grantee: { Type: 'CanonicalUser' as const, ...OWNER }, Permission: 'FULL_CONTROL' as const };
const noBlock = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };

let server: TestServer;
let root: S3Client;
beforeAll(async () => {
  server = await startServer();
  root = server.client();
});
afterAll(async () => server?.close());

/** A bucket where ACLs apply (Object Ownership ObjectWriter). */
async function aclBucket(bucket: string): Promise<void> {
  await root.send(new CreateBucketCommand({ Bucket: bucket, ObjectOwnership: 'ObjectWriter' }));
}

/** A user with a key and no policy; returns its client and canonical id (its IAM user id). */
async function user(name: string, policy?: object): Promise<{ client: S3Client; id: string }> {
  const made = await iamCall(server.endpoint, root, { Action: 'CreateUser', UserName: name });
  const key = await iamCall(server.endpoint, root, { Action: 'CreateAccessKey', UserName: name });
  if (policy !== undefined) await iamCall(server.endpoint, root, { Action: 'PutUserPolicy', UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) });
  const credentials = { accessKeyId: field(key.body, 'AccessKeyId') as string, secretAccessKey: field(key.body, 'SecretAccessKey') as string };
  return { client: server.client({ credentials }), id: field(made.body, 'UserId') as string };
}

const anonymous = (path: string, init?: RequestInit) => fetch(`${server.endpoint}/${path}`, init);

describe('BucketOwnerEnforced (the default) disables ACLs', () => {
  it('refuses public ACLs on every write with AccessControlListNotSupported, accepts the owner-only ones, reads the owner FULL_CONTROL', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'acl-enforced' }));
    const refused = { name: 'AccessControlListNotSupported', message: 'The bucket does not allow ACLs', $metadata: { httpStatusCode: 400 } };
    await expect(root.send(new PutObjectCommand({ Bucket: 'acl-enforced', Key: 'a', Body: 'a', ACL: 'public-read' }))).rejects.toMatchObject(refused);
    await expect(root.send(new PutBucketAclCommand({ Bucket: 'acl-enforced', ACL: 'public-read' }))).rejects.toMatchObject(refused);
    await expect(root.send(new CreateMultipartUploadCommand({ Bucket: 'acl-enforced', Key: 'm', ACL: 'authenticated-read' }))).rejects.toMatchObject(refused);
    await root.send(new PutObjectCommand({ Bucket: 'acl-enforced', Key: 'a', Body: 'a', ACL: 'bucket-owner-full-control' }));
    await root.send(new PutObjectAclCommand({ Bucket: 'acl-enforced', Key: 'a', ACL: 'private' }));
    await root.send(new PutObjectAclCommand({ Bucket: 'acl-enforced', Key: 'a', GrantFullControl: 'id="strata"' }));
    await expect(root.send(new PutObjectAclCommand({ Bucket: 'acl-enforced', Key: 'a', GrantRead: `uri="${ALL_USERS}"` }))).rejects.toMatchObject(refused);
    expect((await root.send(new GetObjectAclCommand({ Bucket: 'acl-enforced', Key: 'a' }))).Grants).toEqual([ownerFull]);
    expect((await root.send(new GetBucketAclCommand({ Bucket: 'acl-enforced' }))).Grants).toEqual([ownerFull]);
    expect((await anonymous('acl-enforced/a')).status).toBe(403);
  });

  it('CreateBucket with a public ACL and no ownership header is InvalidBucketAclWithObjectOwnership', async () => {
    await expect(root.send(new CreateBucketCommand({ Bucket: 'acl-create-refused', ACL: 'public-read' }))).rejects.toMatchObject({ name: 'InvalidBucketAclWithObjectOwnership', $metadata: { httpStatusCode: 400 } });
    await expect(root.send(new HeadBucketCommand({ Bucket: 'acl-create-refused' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });

  it('ACLs stored while ObjectWriter stop granting once the bucket enforces bucket-owner ownership', async () => {
    await aclBucket('acl-switch');
    await root.send(new PutObjectCommand({ Bucket: 'acl-switch', Key: 'p', Body: 'p', ACL: 'public-read' }));
    expect((await anonymous('acl-switch/p')).status).toBe(200);
    await root.send(new PutBucketOwnershipControlsCommand({ Bucket: 'acl-switch', OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
    expect((await anonymous('acl-switch/p')).status).toBe(403);
  });
});

describe('canned ACLs where ACLs apply', () => {
  it('a public-read object is fetched anonymously; its ACL is hidden from tags and survives tag changes; an overwrite is private again', async () => {
    await aclBucket('acl-public');
    await root.send(new PutObjectCommand({ Bucket: 'acl-public', Key: 'pub.txt', Body: 'hello', ACL: 'public-read', Tagging: 'team=storage' }));
    await root.send(new PutObjectCommand({ Bucket: 'acl-public', Key: 'priv.txt', Body: 'secret' }));
    const res = await anonymous('acl-public/pub.txt');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello');
    expect((await anonymous('acl-public/priv.txt')).status).toBe(403);
    // Anonymous callers hold no bucket grant: listing and writing stay refused.
    expect((await anonymous('acl-public?list-type=2')).status).toBe(403);
    expect((await anonymous('acl-public/new.txt', { method: 'PUT', body: 'x' })).status).toBe(403);

    expect((await root.send(new GetObjectAclCommand({ Bucket: 'acl-public', Key: 'pub.txt' }))).Grants).toEqual([ownerFull, { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' }]);
    expect((await root.send(new HeadObjectCommand({ Bucket: 'acl-public', Key: 'pub.txt' }))).TagCount).toBe(1);
    expect((await root.send(new GetObjectTaggingCommand({ Bucket: 'acl-public', Key: 'pub.txt' }))).TagSet).toEqual([{ Key: 'team', Value: 'storage' }]);
    await root.send(new PutObjectTaggingCommand({ Bucket: 'acl-public', Key: 'pub.txt', Tagging: { TagSet: [{ Key: 'tier', Value: 'gold' }] } }));
    expect((await anonymous('acl-public/pub.txt')).status).toBe(200);
    // The reserved name cannot be forged through tags.
    await expect(root.send(new PutObjectTaggingCommand({ Bucket: 'acl-public', Key: 'priv.txt', Tagging: { TagSet: [{ Key: 'x-strata-acl', Value: 'R:g:AllUsers' }] } }))).rejects.toMatchObject({ name: 'InvalidTag' });
    expect((await anonymous('acl-public/priv.txt')).status).toBe(403);

    await root.send(new PutObjectCommand({ Bucket: 'acl-public', Key: 'pub.txt', Body: 'v2' }));
    expect((await anonymous('acl-public/pub.txt')).status).toBe(403);
  });

  it('a public-read-write bucket lets anonymous callers list, write and delete', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'acl-rw', ObjectOwnership: 'BucketOwnerPreferred', ACL: 'public-read-write' }));
    expect((await anonymous('acl-rw/dropped.txt', { method: 'PUT', body: 'dropped' })).status).toBe(200);
    const list = await anonymous('acl-rw?list-type=2');
    expect(list.status).toBe(200);
    expect(await list.text()).toContain('<Key>dropped.txt</Key>');
    // READ on the bucket is not READ on its objects (the object's own ACL is private).
    expect((await anonymous('acl-rw/dropped.txt')).status).toBe(403);
    expect((await anonymous('acl-rw/dropped.txt', { method: 'DELETE' })).status).toBe(204);
    // Nor READ_ACP on the bucket.
    expect((await anonymous('acl-rw?acl')).status).toBe(403);
  });

  it('authenticated-read grants every signed caller, not anonymous ones; copies and multipart uploads take the request ACL', async () => {
    await aclBucket('acl-auth');
    const other = await user('acl-auth-reader');
    await root.send(new PutObjectCommand({ Bucket: 'acl-auth', Key: 'a', Body: 'a', ACL: 'authenticated-read' }));
    expect(await (await other.client.send(new GetObjectCommand({ Bucket: 'acl-auth', Key: 'a' }))).Body?.transformToString()).toBe('a');
    expect((await anonymous('acl-auth/a')).status).toBe(403);

    // A copy takes no ACL from its source: private unless the request names one.
    await root.send(new CopyObjectCommand({ Bucket: 'acl-auth', Key: 'copy-private', CopySource: 'acl-auth/a' }));
    await expect(other.client.send(new GetObjectCommand({ Bucket: 'acl-auth', Key: 'copy-private' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await root.send(new CopyObjectCommand({ Bucket: 'acl-auth', Key: 'copy-public', CopySource: 'acl-auth/a', ACL: 'public-read' }));
    expect((await anonymous('acl-auth/copy-public')).status).toBe(200);

    const upload = await root.send(new CreateMultipartUploadCommand({ Bucket: 'acl-auth', Key: 'mp', ACL: 'public-read' }));
    const part = await root.send(new UploadPartCommand({ Bucket: 'acl-auth', Key: 'mp', UploadId: upload.UploadId, PartNumber: 1, Body: 'multi' }));
    expect((await anonymous('acl-auth/mp')).status).toBe(403);
    await root.send(new CompleteMultipartUploadCommand({ Bucket: 'acl-auth', Key: 'mp', UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    expect(await (await anonymous('acl-auth/mp')).text()).toBe('multi');
  });
});

describe('grants to canonical users', () => {
  it('a second IAM user, with no policy, gets exactly what the grants name; an explicit Deny still wins', async () => {
    await aclBucket('acl-users');
    const reader = await user('acl-reader');
    const denied = await user('acl-denied', { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }] });
    await root.send(new PutObjectCommand({ Bucket: 'acl-users', Key: 'doc', Body: 'doc' }));
    await expect(reader.client.send(new GetObjectCommand({ Bucket: 'acl-users', Key: 'doc' }))).rejects.toMatchObject({ name: 'AccessDenied' });

    await root.send(new PutObjectAclCommand({ Bucket: 'acl-users', Key: 'doc', GrantRead: `id="${reader.id}", id="${denied.id}"`, GrantFullControl: 'id="strata"' }));
    expect(await (await reader.client.send(new GetObjectCommand({ Bucket: 'acl-users', Key: 'doc' }))).Body?.transformToString()).toBe('doc');
    await expect(denied.client.send(new GetObjectCommand({ Bucket: 'acl-users', Key: 'doc' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    // READ is not READ_ACP nor WRITE on the bucket.
    await expect(reader.client.send(new GetObjectAclCommand({ Bucket: 'acl-users', Key: 'doc' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(reader.client.send(new PutObjectCommand({ Bucket: 'acl-users', Key: 'other', Body: 'x' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    const acl = await root.send(new GetObjectAclCommand({ Bucket: 'acl-users', Key: 'doc' }));
    expect(acl.Grants).toContainEqual({ Grantee: { Type: 'CanonicalUser', ID: reader.id, DisplayName: 'acl-reader' }, Permission: 'READ' });

    await root.send(new PutBucketAclCommand({ Bucket: 'acl-users', GrantWrite: `id="${reader.id}"`, GrantFullControl: 'id="strata"' }));
    await reader.client.send(new PutObjectCommand({ Bucket: 'acl-users', Key: 'other', Body: 'x' }));
    await expect(reader.client.send(new ListObjectsV2Command({ Bucket: 'acl-users' }))).rejects.toMatchObject({ name: 'AccessDenied' });

    await expect(root.send(new PutObjectAclCommand({ Bucket: 'acl-users', Key: 'doc', GrantRead: 'id="no-such-id"' }))).rejects.toMatchObject({ name: 'InvalidArgument', message: 'Invalid id', $metadata: { httpStatusCode: 400 } });
    await expect(root.send(new PutObjectAclCommand({ Bucket: 'acl-users', Key: 'doc', GrantRead: 'emailAddress="someone@example.com"' }))).rejects.toMatchObject({ name: 'UnresolvableGrantByEmailAddress', $metadata: { httpStatusCode: 400 } });
    await expect(root.send(new PutObjectAclCommand({ Bucket: 'acl-users', Key: 'doc', ACL: 'public-read', GrantRead: `id="${reader.id}"` }))).rejects.toMatchObject({ name: 'InvalidArgument' });
    await expect(root.send(new PutObjectAclCommand({ Bucket: 'acl-users', Key: 'doc', ACL: 'everyone' as never }))).rejects.toMatchObject({ name: 'InvalidArgument' });
  });

  it('FULL_CONTROL on an object lets the grantee read and replace its ACL', async () => {
    await aclBucket('acl-full');
    const admin = await user('acl-admin');
    await root.send(new PutObjectCommand({ Bucket: 'acl-full', Key: 'k', Body: 'k' }));
    await root.send(new PutObjectAclCommand({ Bucket: 'acl-full', Key: 'k', GrantFullControl: `id="strata", id="${admin.id}"` }));
    expect((await admin.client.send(new GetObjectAclCommand({ Bucket: 'acl-full', Key: 'k' }))).Grants).toHaveLength(2);
    await admin.client.send(new PutObjectAclCommand({ Bucket: 'acl-full', Key: 'k', ACL: 'public-read' }));
    expect((await anonymous('acl-full/k')).status).toBe(200);
    // The public-read ACL replaced the admin's grant.
    await expect(admin.client.send(new GetObjectAclCommand({ Bucket: 'acl-full', Key: 'k' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('an object ACL beside the tags', () => {
  // The server keeps an object's ACL with its tags (acl-store.ts), within the storage contract's tag limits;
  // where the two do not fit together the request fails in S3 terms, naming no internal tag, and changes nothing.
  it('refuses a public ACL on an object with 10 tags, an 11th tag beside an ACL, and an ACL too long to store', async () => {
    await aclBucket('acl-tag-room');
    const ten = Array.from({ length: 10 }, (_, i) => `t${i}=v`).join('&');
    const put = root.send(new PutObjectCommand({ Bucket: 'acl-tag-room', Key: 'full', Body: 'x', Tagging: ten, ACL: 'public-read' }));
    await expect(put).rejects.toMatchObject({ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
    await expect(put.catch((e: Error) => e.message)).resolves.not.toContain('x-strata');
    await expect(root.send(new HeadObjectCommand({ Bucket: 'acl-tag-room', Key: 'full' }))).rejects.toMatchObject({ name: 'NotFound' });

    await root.send(new PutObjectCommand({ Bucket: 'acl-tag-room', Key: 'pub', Body: 'x', ACL: 'public-read' }));
    const tagSet = Array.from({ length: 10 }, (_, i) => ({ Key: `t${i}`, Value: 'v' }));
    await expect(root.send(new PutObjectTaggingCommand({ Bucket: 'acl-tag-room', Key: 'pub', Tagging: { TagSet: tagSet } }))).rejects.toMatchObject({ name: 'InvalidTag' });
    await root.send(new PutObjectTaggingCommand({ Bucket: 'acl-tag-room', Key: 'pub', Tagging: { TagSet: tagSet.slice(0, 9) } }));
    expect((await anonymous('acl-tag-room/pub')).status).toBe(200);

    const many = await Promise.all(Array.from({ length: 12 }, (_, i) => user(`acl-many-${i}`)));
    const grantRead = many.map((u) => `id="${u.id}"`).join(', ');
    await expect(root.send(new PutObjectAclCommand({ Bucket: 'acl-tag-room', Key: 'pub', GrantRead: grantRead, GrantFullControl: 'id="strata"' }))).rejects.toMatchObject({ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
    expect((await anonymous('acl-tag-room/pub')).status).toBe(200);
  });
});

describe('ACL condition keys in policies', () => {
  it('s3:x-amz-acl and s3:x-amz-grant-read carry the request headers', async () => {
    await aclBucket('acl-keys');
    await root.send(new PutObjectCommand({ Bucket: 'acl-keys', Key: 'k', Body: 'k' }));
    const grantRead = `uri="${AUTHENTICATED}"`;
    const writer = await user('acl-keys-writer', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::acl-keys/*', Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } } },
        { Effect: 'Allow', Action: 's3:PutObjectAcl', Resource: 'arn:aws:s3:::acl-keys/*', Condition: { StringEquals: { 's3:x-amz-grant-read': grantRead } } },
      ],
    });
    await expect(writer.client.send(new PutObjectCommand({ Bucket: 'acl-keys', Key: 'w', Body: 'w' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await writer.client.send(new PutObjectCommand({ Bucket: 'acl-keys', Key: 'w', Body: 'w', ACL: 'bucket-owner-full-control' }));
    await expect(writer.client.send(new PutObjectAclCommand({ Bucket: 'acl-keys', Key: 'k', ACL: 'private' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await writer.client.send(new PutObjectAclCommand({ Bucket: 'acl-keys', Key: 'k', GrantRead: grantRead }));
    expect((await root.send(new GetObjectAclCommand({ Bucket: 'acl-keys', Key: 'k' }))).Grants).toEqual([{ Grantee: { Type: 'Group', URI: AUTHENTICATED }, Permission: 'READ' }]);
  });
});

describe('Block Public Access and ACLs', () => {
  it('BlockPublicAcls refuses public ACLs with AccessDenied; IgnorePublicAcls makes stored ones grant nothing', async () => {
    await aclBucket('acl-block');
    await root.send(new PutObjectCommand({ Bucket: 'acl-block', Key: 'p', Body: 'p', ACL: 'public-read' }));
    await root.send(new PutPublicAccessBlockCommand({ Bucket: 'acl-block', PublicAccessBlockConfiguration: { ...noBlock, BlockPublicAcls: true } }));
    const denied = { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } };
    await expect(root.send(new PutObjectCommand({ Bucket: 'acl-block', Key: 'q', Body: 'q', ACL: 'public-read' }))).rejects.toMatchObject(denied);
    await expect(root.send(new PutObjectAclCommand({ Bucket: 'acl-block', Key: 'p', GrantRead: `uri="${AUTHENTICATED}"` }))).rejects.toMatchObject(denied);
    await expect(root.send(new PutBucketAclCommand({ Bucket: 'acl-block', ACL: 'public-read-write' }))).rejects.toMatchObject(denied);
    await root.send(new PutObjectCommand({ Bucket: 'acl-block', Key: 'q', Body: 'q', ACL: 'private' }));
    // BlockPublicAcls leaves existing ACLs in force; IgnorePublicAcls is what stops them.
    expect((await anonymous('acl-block/p')).status).toBe(200);
    await root.send(new PutPublicAccessBlockCommand({ Bucket: 'acl-block', PublicAccessBlockConfiguration: { ...noBlock, IgnorePublicAcls: true } }));
    expect((await anonymous('acl-block/p')).status).toBe(403);
    // The ACL itself is kept, and grants again once the switch is off.
    expect((await root.send(new GetObjectAclCommand({ Bucket: 'acl-block', Key: 'p' }))).Grants).toHaveLength(2);
    await root.send(new PutPublicAccessBlockCommand({ Bucket: 'acl-block', PublicAccessBlockConfiguration: noBlock }));
    expect((await anonymous('acl-block/p')).status).toBe(200);
  });
});

describe('AccessControlPolicy bodies', () => {
  it('round-trip through PutBucketAcl and GetBucketAcl, with xsi:type on every grantee', async () => {
    await aclBucket('acl-body');
    const grantee = await user('acl-body-user');
    const grants = [
      ownerFull,
      { Grantee: { Type: 'CanonicalUser' as const, ID: grantee.id, DisplayName: 'acl-body-user' }, Permission: 'READ_ACP' as const },
      { Grantee: { Type: 'Group' as const, URI: AUTHENTICATED }, Permission: 'READ' as const },
    ];
    await root.send(new PutBucketAclCommand({ Bucket: 'acl-body', AccessControlPolicy: { Owner: OWNER, Grants: grants } }));
    const got = await root.send(new GetBucketAclCommand({ Bucket: 'acl-body' }));
    expect(got.Owner).toEqual(OWNER);
    expect(got.Grants).toEqual(grants);
    expect((await grantee.client.send(new GetBucketAclCommand({ Bucket: 'acl-body' }))).Grants).toHaveLength(3);
    const raw = await signedXml('acl-body?acl');
    expect(raw.match(/xsi:type="CanonicalUser"/g)).toHaveLength(2);
    expect(raw).toContain('xsi:type="Group"');
  });

  it('answers MalformedACLError for bodies that are not an ACL, InvalidArgument for a body with a canned ACL', async () => {
    await aclBucket('acl-malformed');
    await root.send(new PutObjectCommand({ Bucket: 'acl-malformed', Key: 'k', Body: 'k' }));
    const bodies = [
      '<AccessControlPolicy><Owner><ID>strata</ID></Owner>',
      '<Tagging/>',
      '<AccessControlPolicy><Owner><ID>strata</ID></Owner></AccessControlPolicy>',
      '<AccessControlPolicy><AccessControlList><Grant><Grantee><ID>strata</ID></Grantee><Permission>EVERYTHING</Permission></Grant></AccessControlList></AccessControlPolicy>',
      '<AccessControlPolicy><AccessControlList><Grant><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>',
    ];
    for (const body of bodies) {
      const res = await signedPut('acl-malformed/k?acl', body);
      expect([res.status, res.code], body).toEqual([400, 'MalformedACLError']);
    }
    const good = '<AccessControlPolicy><AccessControlList><Grant><Grantee><ID>strata</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>';
    expect((await signedPut('acl-malformed/k?acl', good, { 'x-amz-acl': 'private' })).code).toBe('InvalidArgument');
    expect((await signedPut('acl-malformed/k?acl', good.replace('<AccessControlList>', '<Owner><ID>someone-else</ID></Owner><AccessControlList>'))).code).toBe('InvalidArgument');
    expect((await signedPut('acl-malformed/k?acl', '')).code).toBe('MalformedACLError');
    expect((await signedPut('acl-malformed/k?acl', good)).status).toBe(200);
  });
});

describe('browser-based uploads (PostObject)', () => {
  it("the form's acl field is the object's ACL, refused where ACLs are disabled", async () => {
    await aclBucket('acl-post');
    await root.send(new CreateBucketCommand({ Bucket: 'acl-post-enforced' }));
    const postWithAcl = async (bucket: string, key: string) => {
      const client = root as unknown as Parameters<typeof createPresignedPost>[0];
      const { url, fields } = await createPresignedPost(client, { Bucket: bucket, Key: key, Conditions: [{ acl: 'public-read' }], Fields: { acl: 'public-read' } });
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      form.append('file', new Blob(['posted']), 'f.txt');
      const res = await fetch(url, { method: 'POST', body: form });
      return { status: res.status, text: await res.text() };
    };
    expect((await postWithAcl('acl-post', 'f.txt')).status).toBe(204);
    expect(await (await anonymous('acl-post/f.txt')).text()).toBe('posted');
    const refused = await postWithAcl('acl-post-enforced', 'f.txt');
    expect([refused.status, /<Code>([^<]*)<\/Code>/.exec(refused.text)?.[1]]).toEqual([400, 'AccessControlListNotSupported']);
    await expect(root.send(new HeadObjectCommand({ Bucket: 'acl-post-enforced', Key: 'f.txt' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });

  it('an anonymous form (no policy) is stored where the bucket ACL grants WRITE to AllUsers', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'acl-post-open', ObjectOwnership: 'ObjectWriter' }));
    const anonymousForm = () => {
      const form = new FormData();
      form.append('key', 'dropbox.txt');
      form.append('file', new Blob(['anon']), 'dropbox.txt');
      return fetch(`${server.endpoint}/acl-post-open`, { method: 'POST', body: form });
    };
    expect((await anonymousForm()).status).toBe(403);
    await root.send(new PutBucketAclCommand({ Bucket: 'acl-post-open', ACL: 'public-read-write' }));
    expect((await anonymousForm()).status).toBe(204);
    expect(await (await root.send(new GetObjectCommand({ Bucket: 'acl-post-open', Key: 'dropbox.txt' }))).Body?.transformToString()).toBe('anon');
  });
});

describe('versions', () => {
  it('?acl&versionId= reads and writes the ACL of that version; anonymous reads follow each version\'s ACL', async () => {
    await aclBucket('acl-versions');
    await root.send(new PutBucketVersioningCommand({ Bucket: 'acl-versions', VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = (await root.send(new PutObjectCommand({ Bucket: 'acl-versions', Key: 'k', Body: 'one', ACL: 'public-read' }))).VersionId as string;
    const v2 = (await root.send(new PutObjectCommand({ Bucket: 'acl-versions', Key: 'k', Body: 'two' }))).VersionId as string;
    expect((await anonymous('acl-versions/k')).status).toBe(403);
    expect(await (await anonymous(`acl-versions/k?versionId=${v1}`)).text()).toBe('one');
    expect((await root.send(new GetObjectAclCommand({ Bucket: 'acl-versions', Key: 'k', VersionId: v1 }))).Grants).toHaveLength(2);
    await root.send(new PutObjectAclCommand({ Bucket: 'acl-versions', Key: 'k', VersionId: v2, ACL: 'public-read' }));
    expect(await (await anonymous('acl-versions/k')).text()).toBe('two');
    await root.send(new PutObjectAclCommand({ Bucket: 'acl-versions', Key: 'k', VersionId: v1, ACL: 'private' }));
    expect((await anonymous(`acl-versions/k?versionId=${v1}`)).status).toBe(403);
  });
});

describe('WRITE and versions', () => {
  // "ACL overview", mapping of ACL permissions to policy permissions: WRITE on a bucket allows
  // s3:DeleteObjectVersion only "when the grantee is the bucket owner".
  it('a public-read-write bucket lets others add delete markers, never delete a version by id', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'acl-rw-versions', ObjectOwnership: 'ObjectWriter', ACL: 'public-read-write' }));
    await root.send(new PutBucketVersioningCommand({ Bucket: 'acl-rw-versions', VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = (await root.send(new PutObjectCommand({ Bucket: 'acl-rw-versions', Key: 'k', Body: 'one' }))).VersionId as string;
    const denied = await anonymous(`acl-rw-versions/k?versionId=${v1}`, { method: 'DELETE' });
    expect(denied.status).toBe(403);
    expect(await denied.text()).toContain('<Code>AccessDenied</Code>');
    const writer = await user('acl-rw-writer');
    const result = await writer.client.send(new DeleteObjectsCommand({ Bucket: 'acl-rw-versions', Delete: { Objects: [{ Key: 'k', VersionId: v1 }] } }));
    expect(result.Errors).toMatchObject([{ Key: 'k', Code: 'AccessDenied' }]);
    // A delete without a version id only adds a marker: WRITE grants it.
    expect((await anonymous('acl-rw-versions/k', { method: 'DELETE' })).status).toBe(204);
    const kept = await root.send(new GetObjectCommand({ Bucket: 'acl-rw-versions', Key: 'k', VersionId: v1 }));
    expect(await kept.Body?.transformToString()).toBe('one');
  });
});

describe('persistence', () => {
  it('bucket and object ACLs survive a restart over the same storage', async () => {
    await root.send(new CreateBucketCommand({ Bucket: 'acl-restart', ObjectOwnership: 'ObjectWriter', ACL: 'public-read' }));
    await root.send(new PutObjectCommand({ Bucket: 'acl-restart', Key: 'k', Body: 'kept', ACL: 'public-read' }));
    const again = await startServer({ storage: server.storage });
    try {
      expect(await (await fetch(`${again.endpoint}/acl-restart/k`)).text()).toBe('kept');
      expect((await fetch(`${again.endpoint}/acl-restart?list-type=2`)).status).toBe(200);
      expect((await again.client().send(new GetBucketAclCommand({ Bucket: 'acl-restart' }))).Grants).toEqual([ownerFull, { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' }]);
    } finally {
      await again.close();
    }
  });
});

/** Sends a signed PUT with a raw body (the SDK would refuse the malformed ones); returns the status and error code. */
async function signedPut(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; code: string | undefined }> {
  const res = await signedFetch('PUT', path, body, headers);
  const text = await res.text();
  return { status: res.status, code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1] };
}

/** The raw XML of a signed GET. */
async function signedXml(path: string): Promise<string> {
  return (await signedFetch('GET', path, '', {})).text();
}

async function signedFetch(method: string, path: string, body: string, headers: Record<string, string>): Promise<Response> {
  const url = new URL(`${server.endpoint}/${path}`);
  const query = Object.fromEntries(url.searchParams);
  const signer = new SignatureV4({ credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, region: REGION, service: 's3', sha256: root.config.sha256 });
  const signed = await signer.sign({ method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query, headers: { host: url.host, 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'), ...headers }, body });
  return fetch(url, { method, headers: signed.headers as Record<string, string>, ...(method === 'GET' ? {} : { body }) });
}
