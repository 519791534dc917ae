/**
 * The permission matrix, judged from outside over a real socket: principals × buckets × operation families,
 * with the AWS SDK for signed callers and plain unsigned HTTP for anonymous ones. Every expected cell follows
 * AWS's documentation; the pages, and what each contributes:
 *
 * - [EVAL] "Policy evaluation logic" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 *   an explicit Deny in any applicable policy wins; else, within one account, an Allow in the identity policy
 *   or in the resource policy suffices; else the implicit deny refuses.
 * - [S3AUTH] "How Amazon S3 authorizes a request" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-s3-evaluates-access-control.html):
 *   when the caller's account owns the bucket, user policies, the bucket policy and the bucket and object ACLs
 *   are evaluated together; an ACL grant is one more Allow, and cannot overcome an explicit Deny.
 * - [ACL] "Access control list (ACL) overview" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html):
 *   READ on a bucket lists it (s3:ListBucket) and reads no object; READ on an object reads it; READ_ACP /
 *   WRITE_ACP read and write the ACL, which READ alone never grants; AllUsers is anyone, signed or not;
 *   AuthenticatedUsers is any signed caller, never an anonymous one. Bucket and object ACLs are independent.
 * - [OWN] "Controlling ownership of objects and disabling ACLs" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html):
 *   under BucketOwnerEnforced "ACLs no longer affect permissions"; a bucket's own ACL cannot grant others then
 *   (the switch is refused while it does, "Prerequisites for disabling ACLs",
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-migrating-acls-prerequisites.html;
 *   ownership-switch.test.ts, which also checks that a bucket ACL stored beside the setting grants nothing), so
 *   the bucket here under BucketOwnerEnforced carries the public-read object ACL, which stops granting.
 * - [BPA] "Blocking public access" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html):
 *   IgnorePublicAcls "causes Amazon S3 to ignore all public ACLs on a bucket and any objects that it contains".
 * - [PRINCIPAL] "AWS JSON policy elements: Principal" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html):
 *   a principal ARN names one account's user, and an account id every principal of that account only; a
 *   policy naming `arn:aws:iam::111122223333:user/x` grants nothing to users of this server's account.
 * - [ERR] "Error responses" (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html): an access key
 *   the server does not know is 403 InvalidAccessKeyId — authentication fails before any policy or ACL (even
 *   AllUsers READ) is consulted, so another account's user gets it on every cell.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketCorsCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers.ts';
import type { TestServer } from '../helpers.ts';
import { createUser } from './iam-client.ts';

type Who = 'root' | 'allowed' | 'denied' | 'none' | 'foreign' | 'anonymous';
type Family = 'list' | 'read' | 'write' | 'delete' | 'config' | 'aclRead' | 'aclWrite';
/** ok: allowed; no: 403 AccessDenied; key: 403 InvalidAccessKeyId. */
type Cell = 'ok' | 'no' | 'key';

const WHO: Who[] = ['root', 'allowed', 'denied', 'none', 'foreign', 'anonymous'];
/** list: ListObjectsV2; read: GetObject; write: PutObject; delete: DeleteObject; config: GetBucketCors; aclRead: GetObjectAcl; aclWrite: PutObjectAcl. */
const FAMILIES: Family[] = ['list', 'read', 'write', 'delete', 'config', 'aclRead', 'aclWrite'];

const PLAIN = 'plain-bucket';
const PUBLIC = 'public-bucket';
const FOREIGN = 'foreign-policy-bucket';
const ACL_BUCKET = 'acl-public-read-bucket';
const ACL_OBJECT = 'acl-public-read-object';
const ACL_AUTH = 'acl-authenticated-read';
const ENFORCED = 'acl-owner-enforced';
const IGNORED = 'acl-ignore-public';

const allow = (Statement: object[]) => ({ Version: '2012-10-17', Statement });
const publicPolicy = allow([
  { Sid: 'PublicList', Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${PUBLIC}` },
  { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${PUBLIC}/*` },
  { Sid: 'NoDeletes', Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${PUBLIC}/*` },
]);
// Names another account's users — one of them called like this server's user "none" — and the account itself.
const foreignPolicy = allow([
  {
    Effect: 'Allow',
    Principal: { AWS: ['arn:aws:iam::111122223333:user/x', 'arn:aws:iam::111122223333:user/none', '111122223333'] },
    Action: 's3:*',
    Resource: [`arn:aws:s3:::${FOREIGN}`, `arn:aws:s3:::${FOREIGN}/*`],
  },
]);

const all = (cell: Cell): Cell[] => FAMILIES.map(() => cell);
const only = (...ok: Family[]): Cell[] => FAMILIES.map((f) => (ok.includes(f) ? 'ok' : 'no'));
/** Root and the user allowed s3:* (identity Allow, [EVAL]); the denying user (identity Deny beats every Allow and ACL grant, [EVAL] [S3AUTH]); the unknown key ([ERR]). */
const COMMON = { root: all('ok'), allowed: all('ok'), denied: all('no'), foreign: all('key') };

/** The expected cells, in FAMILIES order. */
const EXPECTED: Record<string, Record<Who, Cell[]>> = {
  // No policy, no ACL: only identity policies grant [EVAL]; anonymous callers have none.
  [PLAIN]: { ...COMMON, none: all('no'), anonymous: all('no') },
  // The bucket policy allows everyone to list and read [EVAL: same account, either policy suffices] and denies
  // deletes to everyone, root and the allowed user included (explicit Deny).
  [PUBLIC]: {
    ...COMMON,
    root: only('list', 'read', 'write', 'config', 'aclRead', 'aclWrite'),
    allowed: only('list', 'read', 'write', 'config', 'aclRead', 'aclWrite'),
    none: only('list', 'read'),
    anonymous: only('list', 'read'),
  },
  // The policy names principals of another account only [PRINCIPAL]: it grants nothing here.
  [FOREIGN]: { ...COMMON, none: all('no'), anonymous: all('no') },
  // ObjectWriter, bucket ACL public-read: AllUsers READ lists the bucket, for signed and anonymous callers
  // alike, and reads no object (the object's own ACL is private) nor any ACL [ACL].
  [ACL_BUCKET]: { ...COMMON, none: only('list'), anonymous: only('list') },
  // ObjectWriter, private bucket, object public-read: the object is readable by anyone, the bucket is not
  // listable, and READ does not expose the object's ACL (READ_ACP) [ACL].
  [ACL_OBJECT]: { ...COMMON, none: only('read'), anonymous: only('read') },
  // ObjectWriter, bucket ACL authenticated-read: every signed caller lists, no anonymous one does [ACL].
  [ACL_AUTH]: { ...COMMON, none: only('list'), anonymous: all('no') },
  // The public-read object of ACL_OBJECT after the switch to BucketOwnerEnforced: the ACL grants nothing [OWN].
  [ENFORCED]: { ...COMMON, none: all('no'), anonymous: all('no') },
  // Bucket and object public-read under IgnorePublicAcls: neither grant counts [BPA].
  [IGNORED]: { ...COMMON, none: all('no'), anonymous: all('no') },
};

let server: TestServer;
const clients = new Map<Who, S3Client>();

beforeAll(async () => {
  server = await startServer();
  const root = server.client();
  clients.set('root', root);
  const users: [Who, object | undefined][] = [
    ['allowed', allow([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }])],
    ['denied', allow([{ Effect: 'Deny', Action: 's3:*', Resource: '*' }])],
    ['none', undefined],
  ];
  for (const [who, policy] of users) clients.set(who, server.client({ credentials: await createUser(server.endpoint, root, who, policy) }));
  // Another account's user: a well-formed key and secret this server has never issued.
  clients.set('foreign', server.client({ credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } }));

  const aclBuckets: Record<string, { bucketAcl?: 'public-read' | 'authenticated-read'; seedAcl?: 'public-read' }> = {
    [ACL_BUCKET]: { bucketAcl: 'public-read' },
    [ACL_OBJECT]: { seedAcl: 'public-read' },
    [ACL_AUTH]: { bucketAcl: 'authenticated-read' },
    [ENFORCED]: { seedAcl: 'public-read' },
    [IGNORED]: { bucketAcl: 'public-read', seedAcl: 'public-read' },
  };
  for (const bucket of Object.keys(EXPECTED)) {
    const acls = aclBuckets[bucket];
    await root.send(new CreateBucketCommand({ Bucket: bucket, ...(acls !== undefined ? { ObjectOwnership: 'ObjectWriter', ACL: acls.bucketAcl } : {}) }));
    await root.send(new PutObjectCommand({ Bucket: bucket, Key: 'seed.txt', Body: 'seed', ACL: acls?.seedAcl }));
    await root.send(new PutObjectCommand({ Bucket: bucket, Key: 'acl.txt', Body: 'acl' }));
  }
  await root.send(new PutBucketPolicyCommand({ Bucket: PUBLIC, Policy: JSON.stringify(publicPolicy) }));
  await root.send(new PutBucketPolicyCommand({ Bucket: FOREIGN, Policy: JSON.stringify(foreignPolicy) }));
  await root.send(new PutBucketOwnershipControlsCommand({ Bucket: ENFORCED, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
  const noBlock = { BlockPublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };
  await root.send(new PutPublicAccessBlockCommand({ Bucket: IGNORED, PublicAccessBlockConfiguration: { ...noBlock, IgnorePublicAcls: true } }));
});
afterAll(async () => server?.close());

/** Runs one operation family unsigned; 'no' on 403 AccessDenied. */
async function attemptAnonymous(bucket: string, family: Family): Promise<Cell> {
  const base = `${server.endpoint}/${bucket}`;
  const [method, url, headers, body] = {
    list: ['GET', `${base}?list-type=2`],
    read: ['GET', `${base}/seed.txt`],
    write: ['PUT', `${base}/anon.txt`, {}, 'x'],
    delete: ['DELETE', `${base}/gone-anon.txt`],
    config: ['GET', `${base}?cors`],
    aclRead: ['GET', `${base}/seed.txt?acl`],
    aclWrite: ['PUT', `${base}/acl.txt?acl`, { 'x-amz-acl': 'bucket-owner-full-control' }],
  }[family] as [string, string, Record<string, string>?, string?];
  const res = await fetch(url, { method, headers: headers ?? {}, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  if (res.status === 403 && text.includes('<Code>AccessDenied</Code>')) return 'no';
  // Allowed, but S3 has nothing to return (GetBucketCors without a configuration).
  if (res.status === 404 && text.includes('<Code>NoSuchCORSConfiguration</Code>')) return 'ok';
  expect(res.status, text).toBeLessThan(300);
  return 'ok';
}

/** Runs one operation family as a signed caller; 'no' on 403 AccessDenied, 'key' on 403 InvalidAccessKeyId. */
async function attemptSigned(who: Who, bucket: string, family: Family): Promise<Cell> {
  const command = {
    list: () => new ListObjectsV2Command({ Bucket: bucket }),
    read: () => new GetObjectCommand({ Bucket: bucket, Key: 'seed.txt' }),
    write: () => new PutObjectCommand({ Bucket: bucket, Key: `${who}.txt`, Body: 'x' }),
    // A key nobody wrote: an allowed delete answers 204 and leaves the seed for the other cells.
    delete: () => new DeleteObjectCommand({ Bucket: bucket, Key: `gone-${who}.txt` }),
    config: () => new GetBucketCorsCommand({ Bucket: bucket }),
    aclRead: () => new GetObjectAclCommand({ Bucket: bucket, Key: 'seed.txt' }),
    // Its own object, so that an allowed write changes no ACL another cell depends on; the one canned ACL every
    // Object Ownership setting accepts ("Troubleshooting", object-ownership-error-responses.html).
    aclWrite: () => new PutObjectAclCommand({ Bucket: bucket, Key: 'acl.txt', ACL: 'bucket-owner-full-control' }),
  }[family]();
  try {
    const out = (await (clients.get(who) as S3Client).send(command as never)) as { Body?: { transformToString(): Promise<string> } };
    await out.Body?.transformToString();
    return 'ok';
  } catch (e) {
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (err.name === 'AccessDenied' || err.name === 'InvalidAccessKeyId') {
      expect(err.$metadata?.httpStatusCode).toBe(403);
      return err.name === 'AccessDenied' ? 'no' : 'key';
    }
    expect(err.name).toBe('NoSuchCORSConfiguration');
    return 'ok';
  }
}

describe.each(Object.keys(EXPECTED))('bucket %s', (bucket) => {
  it.each(WHO)('%s', async (who) => {
    const got: Record<string, Cell> = {};
    for (const family of FAMILIES) got[family] = who === 'anonymous' ? await attemptAnonymous(bucket, family) : await attemptSigned(who, bucket, family);
    expect(got).toEqual(Object.fromEntries(FAMILIES.map((f, i) => [f, EXPECTED[bucket]?.[who][i]])));
  });
});

describe('ListBuckets (s3:ListAllMyBuckets, no bucket policy or ACL applies)', () => {
  it.each([
    ['root', 'ok'],
    ['allowed', 'ok'],
    ['denied', 'no'],
    ['none', 'no'],
    ['foreign', 'key'],
  ] as [Who, Cell][])('%s → %s', async (who, expected) => {
    const got = await (clients.get(who) as S3Client).send(new ListBucketsCommand({})).then(
      () => 'ok',
      (e: { name?: string }) => ({ AccessDenied: 'no', InvalidAccessKeyId: 'key' })[e.name ?? ''] ?? `error ${e.name}`,
    );
    expect(got).toBe(expected);
  });
  it('anonymous → no', async () => {
    const res = await fetch(`${server.endpoint}/`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>AccessDenied</Code>');
  });
});
