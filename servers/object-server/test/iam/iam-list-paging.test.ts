/**
 * IAM list pagination ("ListUsers", https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html, and
 * likewise ListAccessKeys and ListUserPolicies): MaxItems caps a page, IsTruncated and Marker lead to the next,
 * a bad MaxItems is ValidationError — over a real socket, raw, and through boto3's paginators at default settings.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_KEY, SECRET_KEY, startServer } from '../helpers.ts';
import type { TestServer } from '../helpers.ts';
import { field, iamCall } from './iam-client.ts';

let server: TestServer;
const USERS = ['pg-a', 'pg-b', 'pg-c', 'pg-d', 'pg-e'];
const POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
const call = (params: Record<string, string>) => iamCall(server.endpoint, server.client(), params);
const members = (xml: string) => [...xml.matchAll(/<UserName>([^<]*)<\/UserName>/g)].map((m) => m[1]);

const hasBoto3 = (() => {
  try {
    execFileSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

beforeAll(async () => {
  server = await startServer();
  for (const name of USERS) expect((await call({ Action: 'CreateUser', UserName: name })).status).toBe(200);
  for (const policy of ['p1', 'p2', 'p3']) expect((await call({ Action: 'PutUserPolicy', UserName: 'pg-a', PolicyName: policy, PolicyDocument: POLICY })).status).toBe(200);
  for (let i = 0; i < 2; i++) expect((await call({ Action: 'CreateAccessKey', UserName: 'pg-a' })).status).toBe(200);
});
afterAll(() => server.close());

describe('IAM list pagination over the query API', () => {
  it('ListUsers: MaxItems pages, Marker continues, the last page is not truncated', async () => {
    const first = await call({ Action: 'ListUsers', MaxItems: '2' });
    expect(members(first.body)).toEqual(['pg-a', 'pg-b']);
    expect(field(first.body, 'IsTruncated')).toBe('true');
    const marker = field(first.body, 'Marker') as string;
    const second = await call({ Action: 'ListUsers', MaxItems: '2', Marker: marker });
    expect(members(second.body)).toEqual(['pg-c', 'pg-d']);
    const third = await call({ Action: 'ListUsers', MaxItems: '2', Marker: field(second.body, 'Marker') as string });
    expect(members(third.body)).toEqual(['pg-e']);
    expect(field(third.body, 'IsTruncated')).toBe('false');
    expect(field(third.body, 'Marker')).toBeUndefined();
  });

  it('ListUserPolicies and ListAccessKeys page too; a bad MaxItems or Marker is ValidationError', async () => {
    const policies = await call({ Action: 'ListUserPolicies', UserName: 'pg-a', MaxItems: '2' });
    expect([...policies.body.matchAll(/<member>([^<]*)<\/member>/g)].map((m) => m[1])).toEqual(['p1', 'p2']);
    expect(field(policies.body, 'IsTruncated')).toBe('true');
    const keys = await call({ Action: 'ListAccessKeys', UserName: 'pg-a', MaxItems: '1' });
    expect([...keys.body.matchAll(/<AccessKeyId>/g)]).toHaveLength(1);
    expect(field(keys.body, 'IsTruncated')).toBe('true');
    const bads: Record<string, string>[] = [{ MaxItems: '0' }, { MaxItems: '1001' }, { MaxItems: 'ten' }, { Marker: '!!' }];
    for (const bad of bads) {
      const res = await call({ Action: 'ListUsers', ...bad });
      expect(res.status).toBe(400);
      expect(field(res.body, 'Code')).toBe('ValidationError');
    }
  });
});

describe.skipIf(!hasBoto3)('IAM list pagination through boto3 paginators', () => {
  it('collects every user, policy and key across pages of two', async () => {
    const script = String.raw`
import json, sys
import boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], region_name="us-east-1")
def collect(op, key, **kw):
    pages = list(iam.get_paginator(op).paginate(PaginationConfig={"PageSize": 2}, **kw))
    return {"pages": len(pages), "items": [i for p in pages for i in p[key]]}
users = collect("list_users", "Users")
print(json.dumps({
    "users": {"pages": users["pages"], "items": [u["UserName"] for u in users["items"]]},
    "policies": collect("list_user_policies", "PolicyNames", UserName="pg-a"),
    "keys": len(collect("list_access_keys", "AccessKeyMetadata", UserName="pg-a")["items"]),
}))
`;
    // Asynchronously: the server answers from this process's event loop.
    const { stdout } = await promisify(execFile)('python3', ['-c', script, server.endpoint, ACCESS_KEY, SECRET_KEY], { encoding: 'utf8', timeout: 60_000 });
    const out = JSON.parse(stdout) as {
      users: { pages: number; items: string[] };
      policies: { pages: number; items: string[] };
      keys: number;
    };
    expect(out.users).toEqual({ pages: 3, items: USERS });
    expect(out.policies).toEqual({ pages: 2, items: ['p1', 'p2', 'p3'] });
    expect(out.keys).toBe(2);
  }, 90_000);
});
