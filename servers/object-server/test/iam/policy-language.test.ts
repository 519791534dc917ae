/**
 * The policy language, table-driven: condition operators as "IAM JSON policy elements: Condition operators"
 * defines them (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html),
 * including the absent-key rules, …IfExists and the ForAnyValue/ForAllValues qualifiers; statement matching
 * (Action/NotAction, Resource/NotResource wildcards, Principal, policy variables); and validation on write.
 */
import { describe, expect, it } from 'vitest';
import { testCondition } from '../../src/iam/condition-operators.ts';
import { parsePolicy, PolicyError } from '../../src/iam/policy-document.ts';
import { evaluatePolicy, type EvaluationRequest } from '../../src/iam/policy-eval.ts';

describe('condition operators', () => {
  it.each([
    ['StringEquals', ['a'], ['a'], true],
    ['StringEquals', ['a', 'b'], ['b'], true],
    ['StringEquals', ['a'], ['A'], false],
    ['StringEquals', ['a'], undefined, false],
    ['StringNotEquals', ['a'], ['b'], true],
    ['StringNotEquals', ['a', 'b'], ['b'], false],
    // A negated operator holds when the key is absent.
    ['StringNotEquals', ['a'], undefined, true],
    ['StringEqualsIgnoreCase', ['abc'], ['ABC'], true],
    ['StringLike', ['home/*'], ['home/x/y'], true],
    ['StringLike', ['ho?e'], ['home'], true],
    ['StringLike', ['home/*'], ['other'], false],
    ['StringNotLike', ['home/*'], ['other'], true],
    ['StringEqualsIfExists', ['a'], undefined, true],
    ['StringEqualsIfExists', ['a'], ['b'], false],
    ['NumericLessThan', ['100'], ['99'], true],
    ['NumericLessThan', ['100'], ['100'], false],
    ['NumericLessThanEquals', ['100'], ['100'], true],
    ['NumericGreaterThan', ['10'], ['11'], true],
    ['NumericGreaterThanEquals', ['10'], ['abc'], false],
    ['NumericNotEquals', ['10'], ['11'], true],
    ['DateLessThan', ['2030-01-01T00:00:00Z'], ['2026-12-06T00:00:00.000Z'], true],
    ['DateGreaterThan', ['2030-01-01T00:00:00Z'], ['2026-12-06T00:00:00.000Z'], false],
    ['DateGreaterThan', ['1577836800'], ['2026-12-06T00:00:00.000Z'], true],
    ['Bool', ['true'], ['true'], true],
    ['Bool', ['false'], ['true'], false],
    ['IpAddress', ['127.0.0.0/8'], ['127.0.0.1'], true],
    ['IpAddress', ['10.0.0.0/8'], ['127.0.0.1'], false],
    ['IpAddress', ['203.0.113.7'], ['203.0.113.7'], true],
    ['IpAddress', ['2001:db8::/32'], ['2001:db8::1'], true],
    ['NotIpAddress', ['10.0.0.0/8'], ['127.0.0.1'], true],
    ['NotIpAddress', ['127.0.0.0/8'], ['127.0.0.1'], false],
    ['ArnLike', ['arn:aws:iam::*:user/a*'], ['arn:aws:iam::000000000000:user/alice'], true],
    ['Null', ['true'], undefined, true],
    ['Null', ['false'], undefined, false],
    ['Null', ['false'], ['x'], true],
    ['ForAnyValue:StringEquals', ['a', 'b'], ['c', 'b'], true],
    ['ForAnyValue:StringEquals', ['a'], undefined, false],
    ['ForAllValues:StringEquals', ['a', 'b'], ['a', 'b'], true],
    ['ForAllValues:StringEquals', ['a'], ['a', 'c'], false],
    ['ForAllValues:StringEquals', ['a'], undefined, true],
  ] as [string, string[], string[] | undefined, boolean][])('%s %j over %j → %s', (op, policy, request, expected) => {
    expect(testCondition(op, policy, request)).toBe(expected);
  });
});

const request = (over: Partial<EvaluationRequest> & { keys?: Record<string, string> } = {}): EvaluationRequest => ({
  action: 's3:GetObject',
  resource: 'arn:aws:s3:::b/home/alice/x.txt',
  principalArn: 'arn:aws:iam::000000000000:user/alice',
  accountArn: 'arn:aws:iam::000000000000:root',
  values: new Map(Object.entries({ 'aws:username': 'alice', ...over.keys }).map(([k, v]) => [k, [v]])),
  ...over,
});

describe('statement matching', () => {
  const policy = (statement: object, kind: 'identity' | 'resource' = 'identity') => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [statement] }), kind);
  it('matches actions case-insensitively with wildcards, resources case-sensitively', () => {
    expect(evaluatePolicy(policy({ Effect: 'Allow', Action: 'S3:get*', Resource: 'arn:aws:s3:::b/*' }), request())).toBe('Allow');
    expect(evaluatePolicy(policy({ Effect: 'Allow', Action: 's3:Put*', Resource: 'arn:aws:s3:::b/*' }), request())).toBeUndefined();
    expect(evaluatePolicy(policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::B/*' }), request())).toBeUndefined();
  });
  it('NotAction and NotResource match everything but what they name', () => {
    expect(evaluatePolicy(policy({ Effect: 'Deny', NotAction: 's3:GetObject', Resource: '*' }), request())).toBeUndefined();
    expect(evaluatePolicy(policy({ Effect: 'Deny', NotAction: 's3:PutObject', Resource: '*' }), request())).toBe('Deny');
    expect(evaluatePolicy(policy({ Effect: 'Allow', Action: '*', NotResource: 'arn:aws:s3:::secret/*' }), request())).toBe('Allow');
  });
  it('a Deny statement wins over an Allow in the same policy', () => {
    const p = parsePolicy(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }] }), 'identity');
    expect(evaluatePolicy(p, request())).toBe('Deny');
  });
  it('substitutes ${aws:username} (Version 2012-10-17 only)', () => {
    const home = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/home/${aws:username}/*' };
    expect(evaluatePolicy(policy(home), request())).toBe('Allow');
    expect(evaluatePolicy(policy(home), request({ keys: { 'aws:username': 'bob' } }))).toBeUndefined();
    const old = parsePolicy(JSON.stringify({ Version: '2008-10-17', Statement: [home] }), 'identity');
    expect(evaluatePolicy(old, request())).toBeUndefined();
  });
  it('Principal: "*", a user ARN, the account; NotPrincipal', () => {
    const stmt = (principal: unknown) => policy({ Effect: 'Allow', Principal: principal, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }, 'resource');
    expect(evaluatePolicy(stmt('*'), request({ principalArn: undefined }))).toBe('Allow');
    expect(evaluatePolicy(stmt({ AWS: 'arn:aws:iam::000000000000:user/alice' }), request())).toBe('Allow');
    expect(evaluatePolicy(stmt({ AWS: 'arn:aws:iam::000000000000:user/bob' }), request())).toBeUndefined();
    expect(evaluatePolicy(stmt({ AWS: '000000000000' }), request())).toBe('Allow');
    expect(evaluatePolicy(stmt({ AWS: '000000000000' }), request({ principalArn: undefined }))).toBeUndefined();
  });
  it('conditions are ANDed across keys and operators', () => {
    const p = policy({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:username': 'alice' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } });
    expect(evaluatePolicy(p, request({ keys: { 'aws:sourceip': '10.1.2.3' } }))).toBe('Allow');
    expect(evaluatePolicy(p, request({ keys: { 'aws:sourceip': '192.168.1.1' } }))).toBeUndefined();
  });
});

describe('validation on write', () => {
  it.each([
    ['not JSON', 'nope', 'identity'],
    ['an array', '[]', 'identity'],
    ['no Statement', '{"Version":"2012-10-17"}', 'identity'],
    ['a bad Version', '{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', 'identity'],
    ['a bad Effect', '{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}', 'identity'],
    ['no Action', '{"Statement":[{"Effect":"Allow","Resource":"*"}]}', 'identity'],
    ['Action and NotAction', '{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"s3:x","Resource":"*"}]}', 'identity'],
    ['no Resource', '{"Statement":[{"Effect":"Allow","Action":"*"}]}', 'identity'],
    ['an unknown field', '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Colour":"red"}]}', 'identity'],
    ['an unknown operator', '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringSortOf":{"a":"b"}}}]}', 'identity'],
    ['a principal in an identity policy', '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}', 'identity'],
    ['no principal in a bucket policy', '{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}', 'resource'],
    ['a non-S3 action in a bucket policy', '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"iam:*","Resource":"*"}]}', 'resource'],
    ['a malformed action', '{"Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}', 'identity'],
  ] as [string, string, 'identity' | 'resource'][])('refuses %s', (_name, text, kind) => {
    expect(() => parsePolicy(text, kind)).toThrow(PolicyError);
  });
});
