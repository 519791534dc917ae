/**
 * IAM administration with real clients: the aws CLI (`aws iam create-user / create-access-key /
 * put-user-policy … --endpoint-url`, Debian's v2 at /usr/bin/aws) administers any target as the root
 * identity, and the new user's key then works — within its policy only — with the aws CLI and with boto3 at
 * default settings. Disabling the key (update-access-key) stops it at once; a user cannot call IAM.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '#system-tools';
import { excluder } from './case-selection.ts';
import type { CaseSelection } from './case-selection.ts';
import { run } from './harness.ts';
import type { InteropTarget, StartTarget } from './harness.ts';

const python = [process.env.STRATA_PYTHON ?? 'python3', '/usr/bin/python3'].find((bin) => {
  try {
    execFileSync(bin, ['-c', 'import boto3'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

const BOTO_SCRIPT = String.raw`
import json, sys
import boto3
from botocore.exceptions import ClientError
endpoint, key, secret, bucket, other = sys.argv[1:6]
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key, aws_secret_access_key=secret)
out = {}
s3.put_object(Bucket=bucket, Key="boto/hello.txt", Body=b"from boto3")
out["get"] = s3.get_object(Bucket=bucket, Key="boto/hello.txt")["Body"].read().decode()
out["listed"] = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="boto/")["Contents"]]
try:
    s3.get_object(Bucket=other, Key="secret.txt")
    out["other"] = "allowed"
except ClientError as e:
    out["other"] = e.response["Error"]["Code"]
iam = boto3.client("iam", endpoint_url=endpoint, aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1")
try:
    iam.list_users()
    out["iam"] = "allowed"
except ClientError as e:
    out["iam"] = e.response["Error"]["Code"]
print(json.dumps(out))
`;

/** Declares the IAM cases against a target from `start`, administered with the target's own (root) credentials. */
export function describeIamCases(start: StartTarget, selection: CaseSelection = {}): void {
  const exclude = excluder(selection.exclude);
  describe.skipIf(skipWithout('aws'))('IAM administration with the aws CLI, used by the aws CLI and boto3', () => {
    let s: InteropTarget;
    const bucket = `iam-${Math.random().toString(36).slice(2, 8)}`;
    const other = `${bucket}-other`;
    const aws = (env: NodeJS.ProcessEnv, ...args: string[]) => run('/usr/bin/aws', ['--endpoint-url', s.endpoint, '--output', 'json', ...args], env);
    const root = (...args: string[]) => aws(s.env, ...args);
    let alice: NodeJS.ProcessEnv;
    let key: { AccessKeyId: string; SecretAccessKey: string };

    beforeAll(async () => {
      s = await start();
      await root('s3', 'mb', `s3://${bucket}`);
      await root('s3', 'mb', `s3://${other}`);
      writeFileSync(join(s.work, 'secret.txt'), 'root only');
      await root('s3', 'cp', join(s.work, 'secret.txt'), `s3://${other}/secret.txt`);
    });
    afterAll(async () => s?.close());

    exclude(it, 'creates a user and an access key, and lists them', async () => {
      const created = JSON.parse((await root('iam', 'create-user', '--user-name', 'alice')).stdout);
      expect(created.User).toMatchObject({ UserName: 'alice', Path: '/', Arn: expect.stringMatching(/^arn:aws:iam::\d{12}:user\/alice$/) });
      key = JSON.parse((await root('iam', 'create-access-key', '--user-name', 'alice')).stdout).AccessKey;
      expect(key).toMatchObject({ UserName: 'alice', Status: 'Active', AccessKeyId: expect.stringMatching(/^AKIA[A-Z2-7]{16}$/) });
      alice = { ...s.env, AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey };
      const users = JSON.parse((await root('iam', 'list-users')).stdout).Users.map((u: { UserName: string }) => u.UserName);
      expect(users).toEqual(['alice']);
      const keys = JSON.parse((await root('iam', 'list-access-keys', '--user-name', 'alice')).stdout).AccessKeyMetadata;
      expect(keys).toEqual([expect.objectContaining({ AccessKeyId: key.AccessKeyId, Status: 'Active' })]);
      const again = await root('iam', 'create-user', '--user-name', 'alice').catch((e: Error) => e);
      expect(String(again)).toContain('EntityAlreadyExists');
    }, 60_000);

    exclude(it, 'a user without a policy is refused (the implicit deny)', async () => {
      const res = await aws(alice, 's3', 'ls', `s3://${bucket}`).catch((e: Error) => e);
      expect(String(res)).toContain('AccessDenied');
    }, 60_000);

    exclude(it, 'put-user-policy grants the bucket, and the key works with the aws CLI and boto3', async () => {
      const policy = {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: `arn:aws:s3:::${bucket}` },
          { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: `arn:aws:s3:::${bucket}/*` },
        ],
      };
      await root('iam', 'put-user-policy', '--user-name', 'alice', '--policy-name', 'bucket-rw', '--policy-document', JSON.stringify(policy));
      const got = JSON.parse((await root('iam', 'get-user-policy', '--user-name', 'alice', '--policy-name', 'bucket-rw')).stdout);
      expect(got.PolicyDocument).toEqual(policy);
      const bad = await root('iam', 'put-user-policy', '--user-name', 'alice', '--policy-name', 'bad', '--policy-document', '{"Statement":[{"Effect":"Maybe"}]}').catch((e: Error) => e);
      expect(String(bad)).toContain('MalformedPolicyDocument');

      writeFileSync(join(s.work, 'a.txt'), 'alice was here');
      await aws(alice, 's3', 'cp', join(s.work, 'a.txt'), `s3://${bucket}/a.txt`);
      await aws(alice, 's3', 'cp', `s3://${bucket}/a.txt`, join(s.work, 'a.out'));
      expect(readFileSync(join(s.work, 'a.out'), 'utf8')).toBe('alice was here');
      expect((await aws(alice, 's3', 'ls', `s3://${bucket}`)).stdout).toContain('a.txt');
      const denied = await aws(alice, 's3', 'cp', `s3://${other}/secret.txt`, join(s.work, 'x.out')).catch((e: Error) => e);
      expect(String(denied)).toMatch(/403|AccessDenied|Forbidden/);

      if (python !== undefined) {
        const script = join(s.work, 'iam_boto.py');
        writeFileSync(script, BOTO_SCRIPT);
        const out = JSON.parse((await run(python, [script, s.endpoint, key.AccessKeyId, key.SecretAccessKey, bucket, other], s.env)).stdout);
        expect(out).toEqual({ get: 'from boto3', listed: ['boto/hello.txt'], other: 'AccessDenied', iam: 'AccessDenied' });
      }
    }, 120_000);

    exclude(it, 'update-access-key Inactive stops the key at once; delete needs keys and policies gone first', async () => {
      await root('iam', 'update-access-key', '--user-name', 'alice', '--access-key-id', key.AccessKeyId, '--status', 'Inactive');
      const res = await aws(alice, 's3', 'ls', `s3://${bucket}`).catch((e: Error) => e);
      expect(String(res)).toContain('InvalidAccessKeyId');
      const conflict = await root('iam', 'delete-user', '--user-name', 'alice').catch((e: Error) => e);
      expect(String(conflict)).toContain('DeleteConflict');
      await root('iam', 'delete-access-key', '--user-name', 'alice', '--access-key-id', key.AccessKeyId);
      await root('iam', 'delete-user-policy', '--user-name', 'alice', '--policy-name', 'bucket-rw');
      await root('iam', 'delete-user', '--user-name', 'alice');
      const gone = await root('iam', 'get-user', '--user-name', 'alice').catch((e: Error) => e);
      expect(String(gone)).toContain('NoSuchEntity');
    }, 60_000);
  });
}
