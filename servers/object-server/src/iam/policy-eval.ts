/**
 * Evaluation of one policy against one request: whether some statement explicitly denies it, allows it, or
 * none applies. Combining the verdicts of several policies (explicit deny, then allow, then the implicit deny)
 * is authorizer.ts's job.
 *
 * A statement applies when its Action (or NotAction), Resource (or NotResource), Principal (or NotPrincipal,
 * resource policies only) and every condition match — "Policy evaluation logic"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html) and the element
 * pages it links. Policy variables (`${aws:username}`, `${s3:prefix}`, `${*}`, `${?}`, `${$}`) are substituted
 * from the request's keys; a variable whose key the request lacks makes the pattern match nothing
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
 */
import { testCondition, type ConditionValues } from './condition-operators.ts';
import type { Pattern, Policy, PrincipalSet, Statement } from './policy-document.ts';
import { wildcardRegex } from './wildcard.ts';

/** One request as policies see it. */
export interface EvaluationRequest {
  /** `s3:GetObject`, … */
  action: string;
  /** `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key` (or `*` for ListAllMyBuckets). */
  resource: string;
  /** The caller's ARN (`arn:aws:iam::<account>:user/<name>` or `:root`); undefined for anonymous. */
  principalArn: string | undefined;
  /** The ARN of the caller's account root, which a principal naming the account matches. */
  accountArn: string;
  /** Condition keys, lower-case names. */
  values: ConditionValues;
}

/** What one policy says about a request. */
export type Verdict = 'Allow' | 'Deny' | undefined;

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The regex of a pattern with policy variables substituted, or undefined when a variable has no value. */
function substituted(pattern: Pattern, values: ConditionValues): RegExp | undefined {
  let out = '';
  let last = 0;
  for (const m of pattern.source.matchAll(/\$\{([^}]*)\}/g)) {
    out += wildcardRegex(pattern.source.slice(last, m.index), false).source.slice(1, -1);
    const name = m[1] as string;
    if (name === '*' || name === '?' || name === '$') out += escapeRegex(name);
    else {
      const value = values.get(name.toLowerCase())?.[0];
      if (value === undefined) return undefined;
      out += escapeRegex(value);
    }
    last = (m.index as number) + m[0].length;
  }
  out += wildcardRegex(pattern.source.slice(last), false).source.slice(1, -1);
  return new RegExp(`^${out}$`, pattern.caseInsensitive ? 'i' : '');
}

function matchesAny(patterns: readonly Pattern[], value: string, values: ConditionValues): boolean {
  for (const p of patterns) {
    const regex = p.regex ?? substituted(p, values);
    if (regex !== undefined && regex.test(value)) return true;
  }
  return false;
}

function principalMatches(set: PrincipalSet, req: EvaluationRequest): boolean {
  if (set.anyone) return true;
  if (req.principalArn === undefined) return false;
  // Naming the account (`arn:aws:iam::<account>:root` or its id) names every principal of the account.
  return set.arns.includes(req.principalArn) || set.arns.includes(req.accountArn);
}

function statementApplies(s: Statement, req: EvaluationRequest): boolean {
  if (s.actions !== undefined ? !matchesAny(s.actions, req.action, req.values) : matchesAny(s.notActions ?? [], req.action, req.values)) return false;
  if (s.resources !== undefined ? !matchesAny(s.resources, req.resource, req.values) : matchesAny(s.notResources ?? [], req.resource, req.values)) return false;
  if (s.principal !== undefined && !principalMatches(s.principal, req)) return false;
  if (s.notPrincipal !== undefined && principalMatches(s.notPrincipal, req)) return false;
  for (const c of s.conditions) if (!testCondition(c.operator, c.values, req.values.get(c.key))) return false;
  return true;
}

/** Deny when a Deny statement applies, else Allow when an Allow statement does, else undefined. */
export function evaluatePolicy(policy: Policy, req: EvaluationRequest): Verdict {
  let allowed = false;
  for (const s of policy.statements) {
    if (!statementApplies(s, req)) continue;
    if (s.effect === 'Deny') return 'Deny';
    allowed = true;
  }
  return allowed ? 'Allow' : undefined;
}
