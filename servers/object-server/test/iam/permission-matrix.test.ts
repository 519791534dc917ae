/**
 * The permission matrix: (root, a user whose policy allows s3:*, a user whose policy denies s3:*, a user with
 * no policy, anonymous) × (a bucket without a policy, a bucket whose policy lets everyone list and read and
 * denies everyone deletes) × (list, read, write, delete, bucket configuration, ListBuckets), over a real socket
 * with the AWS SDK (anonymous requests as plain unsigned HTTP).
 *
 * Every expected cell follows "Policy evaluation logic"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html): an explicit
 * Deny in any policy wins (the bucket policy's delete Deny binds even root and the allowed user; the denying
 * user's identity Deny beats the bucket policy's Allow); else an Allow in the identity policy or the bucket
 * policy grants (same account: either is enough, so the user without a policy and anonymous may list and read
 * the public bucket); else the implicit deny refuses — also anonymous on a bucket without a policy.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { CreateBucketCommand, DeleteObjectCommand, GetBucketCorsCommand, GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers.ts';
import type { TestServer } from '../helpers.ts';
import { createUser } from './iam-client.ts';

type Who = 'root' | 'allowed' | 'denied' | 'none' | 'anonymous';
type Family = 'list' | 'read' | 'write' | 'delete' | 'config';
type Cell = 'ok' | 'denied';

const PLAIN = 'plain-bucket';
const PUBLIC = 'public-bucket';
const FAMILIES: Family[] = ['list', 'read', 'write', 'delete', 'config'];

const publicPolicy = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'PublicList', Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${PUBLIC}` },
    { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${PUBLIC}/*` },
    { Sid: 'NoDeletes', Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${PUBLIC}/*` },
  ],
};

/** The expected cells, row by row in FAMILIES order. */
const EXPECTED: Record<string, Record<Who, Cell[]>> = {
  [PLAIN]: {
    root: ['ok', 'ok', 'ok', 'ok', 'ok'],
    allowed: ['ok', 'ok', 'ok', 'ok', 'ok'],
    denied: ['denied', 'denied', 'denied', 'denied', 'denied'],
    none: ['denied', 'denied', 'denied', 'denied', 'denied'],
    anonymous: ['denied', 'denied', 'denied', 'denied', 'denied'],
  },
  [PUBLIC]: {
    root: ['ok', 'ok', 'ok', 'denied', 'ok'],
    allowed: ['ok', 'ok', 'ok', 'denied', 'ok'],
    denied: ['denied', 'denied', 'denied', 'denied', 'denied'],
    none: ['ok', 'ok', 'denied', 'denied', 'denied'],
    anonymous: ['ok', 'ok', 'denied', 'denied', 'denied'],
  },
};

let server: TestServer;
const clients = new Map<Who, S3Client>();

beforeAll(async () => {
  server = await startServer();
  const root = server.client();
  clients.set('root', root);
  const users: [Who, object | undefined][] = [
    ['allowed', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }],
    ['denied', { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] }],
    ['none', undefined],
  ];
  for (const [who, policy] of users) clients.set(who, server.client({ credentials: await createUser(server.endpoint, root, who, policy) }));
  for (const bucket of [PLAIN, PUBLIC]) {
    await root.send(new CreateBucketCommand({ Bucket: bucket }));
    await root.send(new PutObjectCommand({ Bucket: bucket, Key: 'seed.txt', Body: 'seed' }));
  }
  await root.send(new PutBucketPolicyCommand({ Bucket: PUBLIC, Policy: JSON.stringify(publicPolicy) }));
});
afterAll(async () => server?.close());

/** Runs one operation family as `who`; 'denied' when S3 answers 403 AccessDenied, else 'ok'. */
async function attempt(who: Who, bucket: string, family: Family): Promise<Cell> {
  if (who === 'anonymous') {
    const base = `${server.endpoint}/${bucket}`;
    const [method, url, body] = {
      list: ['GET', `${base}?list-type=2`, undefined],
      read: ['GET', `${base}/seed.txt`, undefined],
      write: ['PUT', `${base}/anon.txt`, 'x'],
      delete: ['DELETE', `${base}/seed.txt`, undefined],
      config: ['GET', `${base}?cors`, undefined],
    }[family] as [string, string, string | undefined];
    const res = await fetch(url, { method, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    if (res.status === 403) {
      expect(text).toContain('<Code>AccessDenied</Code>');
      return 'denied';
    }
    return 'ok';
  }
  const client = clients.get(who) as S3Client;
  const command = {
    list: () => new ListObjectsV2Command({ Bucket: bucket }),
    read: () => new GetObjectCommand({ Bucket: bucket, Key: 'seed.txt' }),
    write: () => new PutObjectCommand({ Bucket: bucket, Key: `${who}.txt`, Body: 'x' }),
    // A key nobody wrote: an allowed delete answers 204 and leaves the seed for the other cells.
    delete: () => new DeleteObjectCommand({ Bucket: bucket, Key: `gone-${who}.txt` }),
    config: () => new GetBucketCorsCommand({ Bucket: bucket }),
  }[family]();
  try {
    const out = (await client.send(command as never)) as { Body?: { transformToString(): Promise<string> } };
    await out.Body?.transformToString();
    return 'ok';
  } catch (e) {
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (err.name === 'AccessDenied') {
      expect(err.$metadata?.httpStatusCode).toBe(403);
      return 'denied';
    }
    // Allowed, but S3 has nothing to return (GetBucketCors without a configuration).
    expect(err.name).toBe('NoSuchCORSConfiguration');
    return 'ok';
  }
}

describe.each([PLAIN, PUBLIC])('bucket %s', (bucket) => {
  it.each(['root', 'allowed', 'denied', 'none', 'anonymous'] as Who[])('%s', async (who) => {
    const got: Cell[] = [];
    for (const family of FAMILIES) got.push(await attempt(who, bucket, family));
    expect(Object.fromEntries(FAMILIES.map((f, i) => [f, got[i]]))).toEqual(Object.fromEntries(FAMILIES.map((f, i) => [f, EXPECTED[bucket]?.[who][i]])));
  });
});

describe('ListBuckets (s3:ListAllMyBuckets, no bucket policy applies)', () => {
  it.each([
    ['root', 'ok'],
    ['allowed', 'ok'],
    ['denied', 'denied'],
    ['none', 'denied'],
  ] as [Who, Cell][])('%s → %s', async (who, expected) => {
    const got = await (clients.get(who) as S3Client).send(new ListBucketsCommand({})).then(
      () => 'ok',
      (e: { name?: string }) => (e.name === 'AccessDenied' ? 'denied' : `error ${e.name}`),
    );
    expect(got).toBe(expected);
  });
  it('anonymous → denied', async () => {
    const res = await fetch(`${server.endpoint}/`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>AccessDenied</Code>');
  });
});
