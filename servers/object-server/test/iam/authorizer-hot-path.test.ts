/**
 * The authorizer's cost on the GET hot path: the root identity on a bucket without a policy is answered from
 * the key alone — the request (socket, headers) and the query are never read, so no condition keys are built.
 * A bucket policy on another bucket keeps it so; a policy on this bucket makes the full evaluation run.
 */
import type { IncomingMessage } from 'node:http';
import { createMemoryStorage } from '@strata/storage';
import { describe, expect, it } from 'vitest';
import { Authorizer } from '../../src/iam/authorizer.ts';
import { BucketAccessStore } from '../../src/iam/bucket-access-settings.ts';
import { BucketPolicyStore, parseBucketPolicy } from '../../src/iam/bucket-policy-store.ts';
import { IdentityStore } from '../../src/iam/identity-store.ts';
import { QueryParams } from '../../src/query-params.ts';

/** A request and a query whose every property read is counted. */
function watched(): { raw: IncomingMessage; query: QueryParams; reads: () => number } {
  let reads = 0;
  const raw = new Proxy({ socket: { remoteAddress: '127.0.0.1' }, headers: {} }, {
    get(t, p, r) {
      reads++;
      return Reflect.get(t, p, r) as unknown;
    },
  }) as unknown as IncomingMessage;
  // QueryParams keeps private fields (a Proxy cannot stand in for it): its readers are counted instead.
  const query = new QueryParams('');
  for (const name of ['get', 'has'] as const) {
    const original = query[name].bind(query);
    Object.defineProperty(query, name, {
      value: (key: string) => {
        reads++;
        return original(key);
      },
    });
  }
  return { raw, query, reads: () => reads };
}

describe('authorizer hot path', () => {
  it('root without a bucket policy reads nothing of the request', async () => {
    const storage = createMemoryStorage();
    const policies = new BucketPolicyStore(storage);
    const authorizer = new Authorizer(new IdentityStore(storage, [{ accessKeyId: 'ROOT', secretAccessKey: 's' }]), policies, new BucketAccessStore(storage));
    const auth = { accessKeyId: 'ROOT', payload: { kind: 'unsigned' as const }, presigned: false };
    const w = watched();
    authorizer.authorize('GetObject', auth, 'b', 'k', w.raw, w.query);
    expect(w.reads()).toBe(0);
    await policies.put('other', parseBucketPolicy('other', JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::other/*' }] })));
    authorizer.authorize('GetObject', auth, 'b', 'k', w.raw, w.query);
    expect(w.reads()).toBe(0);
    expect(() => authorizer.authorize('GetObject', auth, 'other', 'k', w.raw, w.query)).toThrow('Access Denied');
    expect(w.reads()).toBeGreaterThan(0);
  });
});
