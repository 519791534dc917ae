/**
 * Bypassing GOVERNANCE retention takes a permission of its own: a user allowed to delete versions and set
 * retention, but not s3:BypassGovernanceRetention, is refused when it sends
 * `x-amz-bypass-governance-retention: true` ("Object Lock retention modes",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html#object-lock-retention-modes).
 * The root identity holds it; a user granted it explicitly passes.
 */
import type { IncomingMessage } from 'node:http';
import { createMemoryStorage } from '@strata/storage';
import { describe, expect, it } from 'vitest';
import { Authorizer } from '../../src/iam/authorizer.ts';
import { BucketAccessStore } from '../../src/iam/bucket-access-settings.ts';
import { BucketPolicyStore } from '../../src/iam/bucket-policy-store.ts';
import { IdentityStore } from '../../src/iam/identity-store.ts';
import { QueryParams } from '../../src/query-params.ts';

const request = (headers: Record<string, string>) => ({ socket: { remoteAddress: '127.0.0.1' }, headers }) as unknown as IncomingMessage;
const signed = (accessKeyId: string) => ({ accessKeyId, payload: { kind: 'unsigned' as const }, presigned: false });
const policy = (actions: string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: 'arn:aws:s3:::locked/*' }] });

async function setUp() {
  const storage = createMemoryStorage();
  const identities = new IdentityStore(storage, [{ accessKeyId: 'ROOT', secretAccessKey: 'root-secret' }]);
  await identities.load();
  const authorizer = new Authorizer(identities, new BucketPolicyStore(storage), new BucketAccessStore(storage));
  for (const [name, actions] of [
    ['plain', ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectRetention']],
    ['bypasser', ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectRetention', 's3:BypassGovernanceRetention']],
  ] as const) {
    await identities.createUser(name);
    await identities.createAccessKey(name, { accessKeyId: `AK${name.toUpperCase()}`, secretAccessKey: `${name}-secret` });
    await identities.putUserPolicy(name, 'lock', policy([...actions]));
  }
  return authorizer;
}

describe('s3:BypassGovernanceRetention', () => {
  it('refuses the bypass header to a user without the permission, and allows the same request without it', async () => {
    const authorizer = await setUp();
    const query = new QueryParams('versionId=v1');
    const bypass = request({ 'x-amz-bypass-governance-retention': 'true' });
    expect(() => authorizer.authorize('DeleteObject', signed('AKPLAIN'), 'locked', 'k', bypass, query)).toThrow('Access Denied');
    expect(() => authorizer.authorize('PutObjectRetention', signed('AKPLAIN'), 'locked', 'k', request({ 'x-amz-bypass-governance-retention': 'TRUE' }), new QueryParams('retention'))).toThrow('Access Denied');
    expect(() => authorizer.authorize('DeleteObject', signed('AKPLAIN'), 'locked', 'k', request({}), query)).not.toThrow();
    expect(() => authorizer.authorize('DeleteObject', signed('AKPLAIN'), 'locked', 'k', request({ 'x-amz-bypass-governance-retention': 'false' }), query)).not.toThrow();
  });

  it('lets a user granted the permission, and the root identity, bypass', async () => {
    const authorizer = await setUp();
    const bypass = request({ 'x-amz-bypass-governance-retention': 'true' });
    expect(() => authorizer.authorize('DeleteObject', signed('AKBYPASSER'), 'locked', 'k', bypass, new QueryParams('versionId=v1'))).not.toThrow();
    expect(() => authorizer.authorize('DeleteObject', signed('ROOT'), 'locked', 'k', bypass, new QueryParams('versionId=v1'))).not.toThrow();
  });
});
