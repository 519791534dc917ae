/**
 * POST policy documents and their conditions ("Creating a POST Policy",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html), table-driven.
 */
import { describe, expect, it } from 'vitest';
import { checkPostPolicy, lengthRange, parsePostPolicy } from '../src/post-object/post-policy.ts';

const encode = (doc: unknown) => Buffer.from(JSON.stringify(doc)).toString('base64');
const policy = (conditions: unknown[], expiration = '2099-01-01T00:00:00.000Z') => parsePostPolicy(encode({ expiration, conditions }));
const fields = (entries: Record<string, string>) => new Map(Object.entries(entries));
const NOW = Date.parse('2030-01-01T00:00:00Z');

describe('parsePostPolicy', () => {
  it.each([
    ['not base64 JSON', 'bm90IGpzb24='],
    ['no expiration', encode({ conditions: [] })],
    ['a bad expiration', encode({ expiration: 'soon', conditions: [] })],
    ['no conditions', encode({ expiration: '2099-01-01T00:00:00Z' })],
    ['an unknown operator', encode({ expiration: '2099-01-01T00:00:00Z', conditions: [['ends-with', '$key', 'x']] })],
    ['a field without $', encode({ expiration: '2099-01-01T00:00:00Z', conditions: [['eq', 'key', 'x']] })],
    ['an inverted length range', encode({ expiration: '2099-01-01T00:00:00Z', conditions: [['content-length-range', 10, 1]] })],
  ])('refuses %s with InvalidPolicyDocument', (_name, doc) => {
    expect(() => parsePostPolicy(doc)).toThrow(expect.objectContaining({ code: 'InvalidPolicyDocument' }));
  });

  it('takes the tightest content-length-range', () => {
    expect(lengthRange(policy([['content-length-range', 1, 100], ['content-length-range', 5, 50]]))).toEqual({ min: 5, max: 50 });
    expect(lengthRange(policy([]))).toBeUndefined();
  });
});

describe('checkPostPolicy', () => {
  const pass = (conditions: unknown[], form: Record<string, string>) => () => checkPostPolicy(policy(conditions), fields(form), 'photos', NOW);

  it('accepts matching fields, compared by name case-insensitively, and $bucket as the posted bucket', () => {
    expect(pass([{ Bucket: 'photos' }, ['EQ', '$Key', 'a.jpg'], ['starts-with', '$x-amz-meta-tag', '']], { key: 'a.jpg', 'x-amz-meta-tag': 'anything' })).not.toThrow();
  });

  it('checks every type of a comma-separated Content-Type against starts-with', () => {
    expect(pass([['starts-with', '$Content-Type', 'image/']], { 'content-type': 'image/jpeg, image/png' })).not.toThrow();
    expect(pass([['starts-with', '$Content-Type', 'image/']], { 'content-type': 'image/jpeg, text/html' })).toThrow(/Policy Condition failed/);
  });

  it('lets exempt fields and x-ignore-* through, and names uncovered fields', () => {
    expect(pass([], { policy: 'p', 'x-amz-signature': 's', 'x-ignore-note': 'n' })).not.toThrow();
    expect(pass([], { key: 'k', acl: 'private' })).toThrow('Invalid according to Policy: Extra input fields: key, acl');
  });

  it('refuses another bucket and an expired policy', () => {
    expect(pass([{ bucket: 'other' }], {})).toThrow(expect.objectContaining({ code: 'AccessDenied' }));
    expect(() => checkPostPolicy(policy([], '2020-01-01T00:00:00Z'), fields({}), 'photos', NOW)).toThrow('Invalid according to Policy: Policy expired.');
  });
});
