/**
 * PostObject for IAM users ("POST Object", https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html;
 * "POST Policy", https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html): a form
 * signed with a user's key is verified with that key's secret and authorized as that user's s3:PutObject —
 * identity policy, bucket policy and an s3:x-amz-acl condition on the form's `acl` field — an inactive key
 * authenticates nothing, and a form without a policy is anonymous, allowed only by a bucket policy.
 * Forms come from the AWS SDK's createPresignedPost and travel over a real socket.
 */
import { CreateBucketCommand, HeadObjectCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers.ts';
import type { TestServer } from '../helpers.ts';
import { createUser, iamCall } from './iam-client.ts';

let server: TestServer;
const Bucket = 'forms';
const errorCode = (xml: string) => /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];

beforeAll(async () => {
  server = await startServer();
  await server.client().send(new CreateBucketCommand({ Bucket }));
});
afterAll(() => server.close());

/** Builds a form signed by `client`'s credentials and posts it with `file` last. */
async function post(client: S3Client, options: Omit<PresignedPostOptions, 'Bucket'>) {
  const { url, fields } = await createPresignedPost(client as unknown as Parameters<typeof createPresignedPost>[0], { Bucket, ...options });
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob(['form bytes']), 'f.txt');
  const res = await fetch(url, { method: 'POST', body: form });
  return { status: res.status, code: errorCode(await res.text()) };
}

/** Posts an unsigned form without a policy (a publicly writable bucket's upload). */
async function postAnonymous(key: string) {
  const form = new FormData();
  form.append('key', key);
  form.append('file', new Blob(['anonymous bytes']), 'a.txt');
  const res = await fetch(`${server.endpoint}/${Bucket}`, { method: 'POST', body: form });
  return { status: res.status, code: errorCode(await res.text()) };
}

const stored = (Key: string) => server.client().send(new HeadObjectCommand({ Bucket, Key })).then(() => true, () => false);

describe('PostObject signed by an IAM user', () => {
  it('verifies the user\'s own secret and authorizes s3:PutObject by the user\'s policy', async () => {
    const uma = await createUser(server.endpoint, server.client(), 'uma', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${Bucket}/uma/*` }],
    });
    const client = server.client({ credentials: uma });
    expect(await post(client, { Key: 'uma/ok.txt' })).toEqual({ status: 204, code: undefined });
    expect(await stored('uma/ok.txt')).toBe(true);
    expect(await post(client, { Key: 'other/no.txt' })).toEqual({ status: 403, code: 'AccessDenied' });
    expect(await stored('other/no.txt')).toBe(false);
  });

  it('refuses a form signed with an inactive key (InvalidAccessKeyId) and a user without any policy', async () => {
    const vic = await createUser(server.endpoint, server.client(), 'vic', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${Bucket}/*` }],
    });
    const client = server.client({ credentials: vic });
    expect((await post(client, { Key: 'vic/active.txt' })).status).toBe(204);
    const off = await iamCall(server.endpoint, server.client(), { Action: 'UpdateAccessKey', UserName: 'vic', AccessKeyId: vic.accessKeyId, Status: 'Inactive' });
    expect(off.status).toBe(200);
    expect(await post(client, { Key: 'vic/inactive.txt' })).toEqual({ status: 403, code: 'InvalidAccessKeyId' });
    expect(await stored('vic/inactive.txt')).toBe(false);
    const nobody = await createUser(server.endpoint, server.client(), 'nobody');
    expect(await post(server.client({ credentials: nobody }), { Key: 'nobody.txt' })).toEqual({ status: 403, code: 'AccessDenied' });
  });

  it('evaluates the bucket policy with the form\'s acl field as s3:x-amz-acl', async () => {
    const wes = await createUser(server.endpoint, server.client(), 'wes', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${Bucket}/acl/*` }],
    });
    await server.client().send(
      new PutBucketPolicyCommand({
        Bucket,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${Bucket}/acl/*`, Condition: { StringNotEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } } },
            { Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${Bucket}/public/*` },
          ],
        }),
      }),
    );
    const client = server.client({ credentials: wes });
    expect(await post(client, { Key: 'acl/plain.txt' })).toEqual({ status: 403, code: 'AccessDenied' });
    const acl = 'bucket-owner-full-control';
    expect(await post(client, { Key: 'acl/granted.txt', Conditions: [{ acl }], Fields: { acl } })).toEqual({ status: 204, code: undefined });
    expect(await stored('acl/granted.txt')).toBe(true);
    // The root identity's form is held to the bucket policy's explicit Deny too.
    expect(await post(server.client(), { Key: 'acl/root.txt' })).toEqual({ status: 403, code: 'AccessDenied' });
  });
});

describe('PostObject without a policy (anonymous)', () => {
  it('stores only where a bucket policy allows anonymous s3:PutObject', async () => {
    // The previous case left a policy allowing anyone to write under public/.
    expect(await postAnonymous('public/anon.txt')).toEqual({ status: 204, code: undefined });
    expect(await stored('public/anon.txt')).toBe(true);
    expect(await postAnonymous('private/anon.txt')).toEqual({ status: 403, code: 'AccessDenied' });
    expect(await stored('private/anon.txt')).toBe(false);
  });
});
