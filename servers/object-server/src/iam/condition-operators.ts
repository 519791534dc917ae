/**
 * The condition operators of policy `Condition` blocks, as the IAM reference "IAM JSON policy elements:
 * Condition operators" defines them
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html),
 * with the `…IfExists` suffix and the `ForAnyValue:`/`ForAllValues:` set qualifiers
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
 *
 * Rules kept from those pages: several values for one key match when any does (OR); a negated operator
 * (`StringNotEquals`, `NotIpAddress`…) matches when none does; a key absent from the request makes a positive
 * operator false and a negated one true, and `…IfExists` makes any operator true; `ForAllValues` over an
 * absent or empty key is true, `ForAnyValue` false.
 */
import { BlockList, isIP } from 'node:net';
import { wildcardRegex } from './wildcard.ts';

/** A request's condition keys (lower-case names) and their values. */
export type ConditionValues = ReadonlyMap<string, readonly string[]>;

type Test = (policyValue: string, requestValue: string) => boolean;

const num = (v: string): number => (v.trim() === '' ? NaN : Number(v));
/** An ISO 8601 date or epoch seconds, as the Date operators accept. */
const date = (v: string): number => (/^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v));
const compare = (read: (v: string) => number, op: (a: number, b: number) => boolean): Test => (p, r) => {
  const a = read(r);
  const b = read(p);
  return !Number.isNaN(a) && !Number.isNaN(b) && op(a, b);
};

function ipMatches(cidr: string, address: string): boolean {
  const ip = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  const [net, bits] = cidr.split('/');
  const family = isIP(net ?? '');
  if (family === 0 || isIP(ip) !== family) return false;
  const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) return false;
  const list = new BlockList();
  list.addSubnet(net as string, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

const like: Test = (p, r) => wildcardRegex(p, false).test(r);

/** The positive operators; each negated one is listed in {@link NEGATED} with the positive it negates. */
const POSITIVE: Record<string, Test> = {
  StringEquals: (p, r) => p === r,
  StringEqualsIgnoreCase: (p, r) => p.toLowerCase() === r.toLowerCase(),
  StringLike: like,
  NumericEquals: compare(num, (a, b) => a === b),
  NumericLessThan: compare(num, (a, b) => a < b),
  NumericLessThanEquals: compare(num, (a, b) => a <= b),
  NumericGreaterThan: compare(num, (a, b) => a > b),
  NumericGreaterThanEquals: compare(num, (a, b) => a >= b),
  DateEquals: compare(date, (a, b) => a === b),
  DateLessThan: compare(date, (a, b) => a < b),
  DateLessThanEquals: compare(date, (a, b) => a <= b),
  DateGreaterThan: compare(date, (a, b) => a > b),
  DateGreaterThanEquals: compare(date, (a, b) => a >= b),
  Bool: (p, r) => p.toLowerCase() === r.toLowerCase(),
  IpAddress: ipMatches,
  ArnEquals: (p, r) => p === r,
  ArnLike: like,
  BinaryEquals: (p, r) => p === r,
};

const NEGATED: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  NumericNotEquals: 'NumericEquals',
  DateNotEquals: 'DateEquals',
  NotIpAddress: 'IpAddress',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
};

interface ParsedOperator {
  set: 'ForAnyValue' | 'ForAllValues' | undefined;
  ifExists: boolean;
  /** `Null`, or a positive operator's name. */
  base: string;
  negated: boolean;
}

function parseOperator(operator: string): ParsedOperator | undefined {
  let rest = operator;
  let set: ParsedOperator['set'];
  for (const q of ['ForAnyValue', 'ForAllValues'] as const) {
    if (rest.startsWith(`${q}:`)) {
      set = q;
      rest = rest.slice(q.length + 1);
    }
  }
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists';
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  if (rest === 'Null') return ifExists ? undefined : { set, ifExists, base: 'Null', negated: false };
  if (POSITIVE[rest] !== undefined) return { set, ifExists, base: rest, negated: false };
  const positive = NEGATED[rest];
  return positive === undefined ? undefined : { set, ifExists, base: positive, negated: true };
}

/** Whether `operator` is one this server evaluates (checked when a policy is written). */
export function isConditionOperator(operator: string): boolean {
  return parseOperator(operator) !== undefined;
}

/** Evaluates one condition: `operator` over the request's values of a key against the policy's values. */
export function testCondition(operator: string, policyValues: readonly string[], requestValues: readonly string[] | undefined): boolean {
  const op = parseOperator(operator);
  if (op === undefined) return false;
  if (op.base === 'Null') {
    // "Null": true when the policy says the key must be absent and it is, or present and it is.
    const absent = requestValues === undefined || requestValues.length === 0;
    return policyValues.some((v) => (v.toLowerCase() === 'true') === absent);
  }
  const test = POSITIVE[op.base] as Test;
  const anyPolicyValue = (r: string): boolean => policyValues.some((p) => test(p, r));
  const matchOne = (r: string): boolean => (op.negated ? !anyPolicyValue(r) : anyPolicyValue(r));
  if (requestValues === undefined || requestValues.length === 0) {
    if (op.set === 'ForAllValues') return true;
    if (op.set === 'ForAnyValue') return false;
    return op.ifExists || op.negated;
  }
  if (op.set === 'ForAllValues') return requestValues.every(matchOne);
  if (op.set === 'ForAnyValue') return requestValues.some(matchOne);
  // A single-valued key: negated operators hold when no policy value matches any request value.
  return op.negated ? requestValues.every(matchOne) : requestValues.some(matchOne);
}
