/**
 * Bucket policies and the IAM query API through a real socket: Put/Get/Delete/GetBucketPolicyStatus with the
 * AWS SDK (S3 error codes MalformedPolicy, NoSuchBucketPolicy), conditions on aws:SourceIp and s3:prefix, a
 * principal naming one user, the root identity's guard against lock-out, a policy going with its bucket,
 * identities and policies surviving a restart over the same storage, and IAM's errors (NoSuchEntity,
 * LimitExceeded, InvalidAction, AccessDenied for a user, the `iam` scope refused on S3 requests).
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { createMemoryStorage } from '@strata/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_KEY, REGION, SECRET_KEY, startServer } from '../helpers.ts';
import type { TestServer } from '../helpers.ts';
import { createUser, field, iamCall } from './iam-client.ts';

const storage = createMemoryStorage();
let server: TestServer;
const code = (e: unknown) => (e as { name?: string }).name;

beforeAll(async () => {
  server = await startServer({ storage });
});
afterAll(async () => server?.close());

const policyOf = (bucket: string, statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('bucket policy API', () => {
  it('puts, gets, reports status and deletes a policy; refuses malformed ones', async () => {
    const root = server.client();
    await root.send(new CreateBucketCommand({ Bucket: 'api-bucket' }));
    await expect(root.send(new GetBucketPolicyCommand({ Bucket: 'api-bucket' }))).rejects.toMatchObject({ name: 'NoSuchBucketPolicy', $metadata: { httpStatusCode: 404 } });
    const text = policyOf('api-bucket', [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::api-bucket/*' }]);
    await root.send(new PutBucketPolicyCommand({ Bucket: 'api-bucket', Policy: text }));
    expect((await root.send(new GetBucketPolicyCommand({ Bucket: 'api-bucket' }))).Policy).toBe(text);
    expect((await root.send(new GetBucketPolicyStatusCommand({ Bucket: 'api-bucket' }))).PolicyStatus?.IsPublic).toBe(true);
    for (const bad of ['{"Statement":', policyOf('api-bucket', [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::api-bucket/*' }]), policyOf('api-bucket', [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other-bucket/*' }])]) {
      await expect(root.send(new PutBucketPolicyCommand({ Bucket: 'api-bucket', Policy: bad }))).rejects.toMatchObject({ name: 'MalformedPolicy', $metadata: { httpStatusCode: 400 } });
    }
    expect((await root.send(new GetBucketPolicyCommand({ Bucket: 'api-bucket' }))).Policy).toBe(text);
    const pinned = policyOf('api-bucket', [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::api-bucket/*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }]);
    await root.send(new PutBucketPolicyCommand({ Bucket: 'api-bucket', Policy: pinned }));
    expect((await root.send(new GetBucketPolicyStatusCommand({ Bucket: 'api-bucket' }))).PolicyStatus?.IsPublic).toBe(false);
    await root.send(new DeleteBucketPolicyCommand({ Bucket: 'api-bucket' }));
    await expect(root.send(new GetBucketPolicyCommand({ Bucket: 'api-bucket' }))).rejects.toMatchObject({ name: 'NoSuchBucketPolicy' });
  });

  it('a policy denying everyone still lets the root identity read, replace and delete it (no lock-out)', async () => {
    const root = server.client();
    await root.send(new CreateBucketCommand({ Bucket: 'locked-bucket' }));
    await root.send(new PutBucketPolicyCommand({ Bucket: 'locked-bucket', Policy: policyOf('locked-bucket', [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::locked-bucket', 'arn:aws:s3:::locked-bucket/*'] }]) }));
    expect(code(await root.send(new ListObjectsV2Command({ Bucket: 'locked-bucket' })).catch((e: unknown) => e))).toBe('AccessDenied');
    await root.send(new GetBucketPolicyCommand({ Bucket: 'locked-bucket' }));
    await root.send(new DeleteBucketPolicyCommand({ Bucket: 'locked-bucket' }));
    await root.send(new ListObjectsV2Command({ Bucket: 'locked-bucket' }));
  });

  it('goes with its bucket: a new bucket of the same name has no policy', async () => {
    const root = server.client();
    await root.send(new CreateBucketCommand({ Bucket: 'reborn-bucket' }));
    await root.send(new PutBucketPolicyCommand({ Bucket: 'reborn-bucket', Policy: policyOf('reborn-bucket', [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reborn-bucket/*' }]) }));
    await root.send(new DeleteBucketCommand({ Bucket: 'reborn-bucket' }));
    await root.send(new CreateBucketCommand({ Bucket: 'reborn-bucket' }));
    await expect(root.send(new GetBucketPolicyCommand({ Bucket: 'reborn-bucket' }))).rejects.toMatchObject({ name: 'NoSuchBucketPolicy' });
  });
});

describe('policy conditions and principals on live requests', () => {
  it('aws:SourceIp and s3:prefix conditions, and a principal naming one user', async () => {
    const root = server.client();
    await root.send(new CreateBucketCommand({ Bucket: 'cond-bucket' }));
    await root.send(new PutObjectCommand({ Bucket: 'cond-bucket', Key: 'pub/a.txt', Body: 'a' }));
    const carol = await createUser(server.endpoint, root, 'carol');
    const dave = await createUser(server.endpoint, root, 'dave');
    await root.send(
      new PutBucketPolicyCommand({
        Bucket: 'cond-bucket',
        Policy: policyOf('cond-bucket', [
          { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::cond-bucket/*', Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } },
          { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::cond-bucket/never/*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
          { Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::cond-bucket', Condition: { StringLike: { 's3:prefix': 'pub/*' } } },
          { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:user/carol' }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::cond-bucket/*' },
        ]),
      }),
    );
    // Anonymous from 127.0.0.1: the SourceIp statement allows the read.
    expect((await fetch(`${server.endpoint}/cond-bucket/pub/a.txt`)).status).toBe(200);
    // Listing only under the prefix the condition names.
    expect((await fetch(`${server.endpoint}/cond-bucket?list-type=2&prefix=pub/`)).status).toBe(200);
    expect((await fetch(`${server.endpoint}/cond-bucket?list-type=2`)).status).toBe(403);
    expect((await fetch(`${server.endpoint}/cond-bucket?list-type=2&prefix=private/`)).status).toBe(403);
    // The principal statement grants carol, and only carol.
    await server.client({ credentials: carol }).send(new PutObjectCommand({ Bucket: 'cond-bucket', Key: 'carol.txt', Body: 'c' }));
    expect(code(await server.client({ credentials: dave }).send(new PutObjectCommand({ Bucket: 'cond-bucket', Key: 'dave.txt', Body: 'd' })).catch((e: unknown) => e))).toBe('AccessDenied');
  });

  it('an explicit Deny in a user policy beats the bucket policy Allow', async () => {
    const root = server.client();
    const erin = await createUser(server.endpoint, root, 'erin', { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::cond-bucket/pub/*' }] });
    expect(code(await server.client({ credentials: erin }).send(new GetObjectCommand({ Bucket: 'cond-bucket', Key: 'pub/a.txt' })).catch((e: unknown) => e))).toBe('AccessDenied');
  });
});

describe('operations touching more than the addressed object', () => {
  it('a copy needs s3:GetObject on its source: PutObject on the target alone does not leak another bucket', async () => {
    const root = server.client();
    await root.send(new CreateBucketCommand({ Bucket: 'copy-secret' }));
    await root.send(new CreateBucketCommand({ Bucket: 'copy-target' }));
    await root.send(new PutObjectCommand({ Bucket: 'copy-secret', Key: 's.txt', Body: 'secret' }));
    await root.send(new PutObjectCommand({ Bucket: 'copy-target', Key: 'mine.txt', Body: 'mine' }));
    const ivan = await createUser(server.endpoint, root, 'ivan', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:aws:s3:::copy-target/*' }],
    });
    const client = server.client({ credentials: ivan });
    expect(code(await client.send(new CopyObjectCommand({ Bucket: 'copy-target', Key: 'stolen.txt', CopySource: 'copy-secret/s.txt' })).catch((e: unknown) => e))).toBe('AccessDenied');
    await client.send(new CopyObjectCommand({ Bucket: 'copy-target', Key: 'copied.txt', CopySource: 'copy-target/mine.txt' }));
  });

  it('DeleteObjects needs s3:DeleteObject on each object (an AccessDenied entry per refused key)', async () => {
    const root = server.client();
    await root.send(new CreateBucketCommand({ Bucket: 'multi-delete' }));
    await root.send(new PutObjectCommand({ Bucket: 'multi-delete', Key: 'a.txt', Body: 'a' }));
    const allowed = await createUser(server.endpoint, root, 'judy', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::multi-delete/*' }] });
    const other = await createUser(server.endpoint, root, 'kim', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::elsewhere/*' }] });
    const input = { Bucket: 'multi-delete', Delete: { Objects: [{ Key: 'a.txt' }] } };
    expect((await server.client({ credentials: other }).send(new DeleteObjectsCommand(input))).Errors?.map((e) => e.Code)).toEqual(['AccessDenied']);
    expect((await server.client({ credentials: allowed }).send(new DeleteObjectsCommand(input))).Deleted?.map((d) => d.Key)).toEqual(['a.txt']);
  });
});

describe('IAM query API errors', () => {
  it('answers IAM error XML with IAM codes', async () => {
    const root = server.client();
    const missing = await iamCall(server.endpoint, root, { Action: 'GetUser', UserName: 'nobody' });
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">');
    expect(field(missing.body, 'Code')).toBe('NoSuchEntity');
    expect(field((await iamCall(server.endpoint, root, { Action: 'Frobnicate' })).body, 'Code')).toBe('InvalidAction');
    await iamCall(server.endpoint, root, { Action: 'CreateUser', UserName: 'frank' });
    for (let i = 0; i < 2; i++) expect((await iamCall(server.endpoint, root, { Action: 'CreateAccessKey', UserName: 'frank' })).status).toBe(200);
    const third = await iamCall(server.endpoint, root, { Action: 'CreateAccessKey', UserName: 'frank' });
    expect([third.status, field(third.body, 'Code')]).toEqual([409, 'LimitExceeded']);
    const malformed = await iamCall(server.endpoint, root, { Action: 'PutUserPolicy', UserName: 'frank', PolicyName: 'p', PolicyDocument: '{"Statement":[]}' });
    expect([malformed.status, field(malformed.body, 'Code')]).toEqual([400, 'MalformedPolicyDocument']);
    const badSecret = await iamCall(server.endpoint, root, { Action: 'ListUsers' }, { accessKeyId: ACCESS_KEY, secretAccessKey: 'wrong' });
    expect([badSecret.status, field(badSecret.body, 'Code')]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it('refuses IAM to users; an unsigned POST / is no IAM request', async () => {
    const root = server.client();
    const gina = await createUser(server.endpoint, root, 'gina', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    const asUser = await iamCall(server.endpoint, root, { Action: 'ListUsers' }, gina);
    expect([asUser.status, field(asUser.body, 'Code')]).toEqual([403, 'AccessDenied']);
    const anonymous = await fetch(`${server.endpoint}/`, { method: 'POST', body: 'Action=ListUsers&Version=2010-05-08', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    // Not signed for IAM, so not an IAM request: S3's answer to POST on the service.
    expect(anonymous.status).toBe(405);
    expect(await anonymous.text()).toContain('<Code>MethodNotAllowed</Code>');
  });

  it('refuses an S3 request signed for the iam service', async () => {
    const url = new URL(server.endpoint);
    const signer = new SignatureV4({ credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, region: REGION, service: 'iam', sha256: server.client().config.sha256 });
    const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    const res = await fetch(`${server.endpoint}/`, { headers: signed.headers as Record<string, string> });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>AuthorizationHeaderMalformed</Code>');
  });
});

describe('persistence', () => {
  it('users, keys, policies and bucket policies survive a restart over the same storage', async () => {
    const root = server.client();
    const hank = await createUser(server.endpoint, root, 'hank', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::cond-bucket/*' }] });
    await server.close();
    server = await startServer({ storage });
    const back = await server.client({ credentials: hank }).send(new GetObjectCommand({ Bucket: 'cond-bucket', Key: 'pub/a.txt' }));
    expect(await back.Body?.transformToString()).toBe('a');
    expect((await fetch(`${server.endpoint}/cond-bucket/pub/a.txt`)).status).toBe(200);
    expect(field((await iamCall(server.endpoint, server.client(), { Action: 'ListUsers' })).body, 'UserName')).toBe('carol');
  });
});
