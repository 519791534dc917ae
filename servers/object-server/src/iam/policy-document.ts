/**
 * Parsing and validation of JSON policy documents — identity policies (a user's inline policies) and resource
 * policies (bucket policies) — into compiled statements, following the IAM "JSON policy element reference"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html) and S3's "Bucket policy
 * examples" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html).
 *
 * Validation happens once, on write: a document that would not parse, names an unknown element or condition
 * operator, or lacks Effect/Action/Resource (and Principal, for a resource policy) is refused with a
 * {@link PolicyError}, which the callers answer as S3's MalformedPolicy or IAM's MalformedPolicyDocument.
 */
import { isConditionOperator } from './condition-operators.ts';
import { wildcardRegex } from './wildcard.ts';

/** A refused policy document; the message says what is wrong. */
export class PolicyError extends Error {
  override name = 'PolicyError';
}

/** The two kinds of policy documents: attached to an identity, or to a resource (with a Principal). */
export type PolicyKind = 'identity' | 'resource';

/** A wildcard pattern (`*` any run, `?` one character), possibly holding `${…}` policy variables. */
export interface Pattern {
  source: string;
  /** Compiled once when the pattern has no policy variables. */
  regex?: RegExp;
  caseInsensitive: boolean;
}

/** Who a resource policy statement names: everyone (`"*"`) and/or AWS principals by ARN. */
export interface PrincipalSet {
  anyone: boolean;
  arns: string[];
}

/** One condition test: `operator` over `key` with the policy's values (see condition-operators.ts). */
export interface ConditionClause {
  operator: string;
  key: string;
  values: string[];
}

/** A compiled statement. Exactly one of each Action/NotAction and Resource/NotResource pair is set. */
export interface Statement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions?: Pattern[];
  notActions?: Pattern[];
  resources?: Pattern[];
  notResources?: Pattern[];
  principal?: PrincipalSet;
  notPrincipal?: PrincipalSet;
  conditions: ConditionClause[];
}

/** A validated policy: its statements and the text as written (returned by Get… calls unchanged). */
export interface Policy {
  text: string;
  version: string;
  statements: Statement[];
}

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition']);

/** Compiles a wildcard pattern; `${…}` variables (Version 2012-10-17 only) are substituted at evaluation. */
export function compilePattern(source: string, caseInsensitive: boolean, variables: boolean): Pattern {
  if (variables && source.includes('${')) return { source, caseInsensitive };
  return { source, caseInsensitive, regex: wildcardRegex(source, caseInsensitive) };
}

function strings(value: unknown, field: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== 'string' || v === '')) throw new PolicyError(`${field} must be a non-empty string or array of strings`);
  return list as string[];
}

function exactlyOne(s: Record<string, unknown>, a: string, b: string, required: boolean): string | undefined {
  if (s[a] !== undefined && s[b] !== undefined) throw new PolicyError(`Statement cannot have both ${a} and ${b}`);
  if (s[a] !== undefined) return a;
  if (s[b] !== undefined) return b;
  if (required) throw new PolicyError(`Missing required field ${a}`);
  return undefined;
}

function parsePrincipal(value: unknown): PrincipalSet {
  if (value === '*') return { anyone: true, arns: [] };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PolicyError('Invalid principal in policy');
  const set: PrincipalSet = { anyone: false, arns: [] };
  for (const [kind, names] of Object.entries(value as Record<string, unknown>)) {
    if (!['AWS', 'CanonicalUser', 'Service', 'Federated'].includes(kind)) throw new PolicyError(`Invalid principal in policy: unknown type ${kind}`);
    for (const name of strings(names, `Principal ${kind}`)) {
      if (kind !== 'AWS') continue; // valid, but this server has no such principals: it matches nobody
      if (name === '*') set.anyone = true;
      else if (/^arn:aws:iam::\d{12}:(root|user\/.+)$/.test(name) || /^\d{12}$/.test(name)) set.arns.push(/^\d{12}$/.test(name) ? `arn:aws:iam::${name}:root` : name);
      else throw new PolicyError(`Invalid principal in policy: ${name}`);
    }
  }
  return set;
}

function parseConditions(value: unknown): ConditionClause[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PolicyError('Condition must be an object');
  const out: ConditionClause[] = [];
  for (const [operator, block] of Object.entries(value as Record<string, unknown>)) {
    if (!isConditionOperator(operator)) throw new PolicyError(`Invalid Condition type : ${operator}`);
    if (typeof block !== 'object' || block === null || Array.isArray(block)) throw new PolicyError(`Condition ${operator} must map keys to values`);
    for (const [key, raw] of Object.entries(block as Record<string, unknown>)) {
      const list = Array.isArray(raw) ? raw : [raw];
      if (list.some((v) => typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')) throw new PolicyError(`Condition ${operator} ${key} has an invalid value`);
      out.push({ operator, key: key.toLowerCase(), values: list.map(String) });
    }
  }
  return out;
}

function parseAction(name: string, kind: PolicyKind): void {
  if (name === '*') return;
  const colon = name.indexOf(':');
  if (colon <= 0 || colon === name.length - 1) throw new PolicyError(`Policy has invalid action: ${name}`);
  if (kind === 'resource' && name.slice(0, colon).toLowerCase() !== 's3') throw new PolicyError(`Policy has invalid action: ${name}`);
}

function parseResource(name: string): void {
  if (name !== '*' && !name.startsWith('arn:')) throw new PolicyError(`Policy has invalid resource: ${name}`);
}

function parseStatement(raw: unknown, kind: PolicyKind, variables: boolean): Statement {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new PolicyError('Statement must be an object');
  const s = raw as Record<string, unknown>;
  for (const field of Object.keys(s)) if (!STATEMENT_FIELDS.has(field)) throw new PolicyError(`Unknown field ${field}`);
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new PolicyError('Invalid effect: Effect must be Allow or Deny');
  if (s.Sid !== undefined && typeof s.Sid !== 'string') throw new PolicyError('Sid must be a string');
  const stmt: Statement = { effect: s.Effect, conditions: parseConditions(s.Condition) };
  if (typeof s.Sid === 'string') stmt.sid = s.Sid;
  const actionField = exactlyOne(s, 'Action', 'NotAction', true) as 'Action' | 'NotAction';
  const actions = strings(s[actionField], actionField);
  actions.forEach((a) => parseAction(a, kind));
  stmt[actionField === 'Action' ? 'actions' : 'notActions'] = actions.map((a) => compilePattern(a, true, false));
  const resourceField = exactlyOne(s, 'Resource', 'NotResource', true) as 'Resource' | 'NotResource';
  const resources = strings(s[resourceField], resourceField);
  resources.forEach(parseResource);
  stmt[resourceField === 'Resource' ? 'resources' : 'notResources'] = resources.map((r) => compilePattern(r, false, variables));
  const principalField = exactlyOne(s, 'Principal', 'NotPrincipal', kind === 'resource');
  if (principalField !== undefined && kind === 'identity') throw new PolicyError(`Policy document should not specify a principal.`);
  if (principalField === 'Principal') stmt.principal = parsePrincipal(s.Principal);
  if (principalField === 'NotPrincipal') stmt.notPrincipal = parsePrincipal(s.NotPrincipal);
  return stmt;
}

/** Parses and validates a policy document; throws {@link PolicyError} with the reason when it is refused. */
export function parsePolicy(text: string, kind: PolicyKind): Policy {
  if (!text.trimStart().startsWith('{')) throw new PolicyError("Policies must be valid JSON and the first byte must be '{'");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new PolicyError('This policy contains invalid Json');
  }
  const d = doc as Record<string, unknown>;
  for (const field of Object.keys(d)) if (!['Version', 'Id', 'Statement'].includes(field)) throw new PolicyError(`Unknown field ${field}`);
  const version = d.Version === undefined ? '2008-10-17' : d.Version;
  if (typeof version !== 'string' || !VERSIONS.has(version)) throw new PolicyError('The policy must contain a valid version string');
  if (d.Statement === undefined) throw new PolicyError('Missing required field Statement');
  const raw = Array.isArray(d.Statement) ? d.Statement : [d.Statement];
  if (raw.length === 0) throw new PolicyError('Could not parse the policy: Statement is empty!');
  // Policy variables are substituted only in Version 2012-10-17 documents; in older ones `${…}` is literal.
  const variables = version === '2012-10-17';
  return { text, version, statements: raw.map((s) => parseStatement(s, kind, variables)) };
}
