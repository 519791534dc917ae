/**
 * The declarative bootstrap of a server (`strata serve --config strata.yaml`, `--bucket NAME`): buckets (with
 * optional bucket policies), users with their access keys and inline policies, applied at every start before
 * the first request, so a compose file or a CI job gets the same server each time. Applying is idempotent:
 * what exists is kept, what the file names is created or replaced (a key listed with another secret is
 * replaced), and nothing the file does not name is removed. Everything that can be is validated when the file
 * is read (names, policies, quotas, keys named twice), so a mistake stops the start with a message naming the
 * file and the entry; what only the running server can know (a key already held by the root identity) fails
 * the apply with a {@link BootstrapError} naming them too, which the command reports as a configuration error
 * (exit status 2), not as a failure to listen.
 *
 * ```yaml
 * buckets:
 *   - photos
 *   - name: public
 *     policy: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: "*", Action: s3:GetObject, Resource: "arn:aws:s3:::public/*" }] }
 * users:
 *   - name: ci
 *     accessKeys: [{ accessKeyId: CIKEY0000000000000, secretAccessKey: ci-secret-0000000000 }]
 *     policies:
 *       rw: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "s3:*", Resource: "*" }] }
 * ```
 */
import { parse as parseYaml } from 'yaml';
import type { Credentials } from '../auth/index.ts';
import { bucketNameProblem } from '../bucket-names.ts';
import type { ServerState } from '../context.ts';
import { isS3Error } from '../s3-errors.ts';
import { parseBucketPolicy } from './bucket-policy-store.ts';
import { IamError } from './iam-errors.ts';
import type { IamState } from './iam-state.ts';
import { MAX_INLINE_POLICY_CHARS, MAX_KEYS_PER_USER, POLICY_NAME, USER_NAME } from './identity-store.ts';
import { parsePolicy, PolicyError } from './policy-document.ts';

/** A bucket to create, with an optional policy (JSON text). */
export interface BootstrapBucket {
  name: string;
  policy?: string;
}

/** A user to create, with keys and inline policies (JSON texts by name). */
export interface BootstrapUser {
  name: string;
  accessKeys: Credentials[];
  policies: Record<string, string>;
}

/** What a bootstrap file (and `--bucket`) declares. */
export interface BootstrapConfig {
  buckets: BootstrapBucket[];
  users: BootstrapUser[];
  /** Where the config came from (the `--config` path as given), for error messages. */
  source?: string;
}

/** A bootstrap file that cannot be used; the message names the entry. */
export class BootstrapError extends Error {
  override name = 'BootstrapError';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const policyText = (v: unknown, where: string): string => {
  if (typeof v === 'string') return v;
  if (isRecord(v)) return JSON.stringify(v);
  throw new BootstrapError(`${where}: a policy is a JSON string or a mapping`);
};
const list = (v: unknown, where: string): unknown[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new BootstrapError(`${where} must be a list`);
  return v;
};

function only(entry: Record<string, unknown>, fields: string[], where: string): void {
  for (const k of Object.keys(entry)) if (!fields.includes(k)) throw new BootstrapError(`${where}: unknown field ${k}`);
}

/** Parses and validates a bootstrap document (YAML, which includes JSON). */
export function parseBootstrap(text: string, extraBuckets: readonly string[] = []): BootstrapConfig {
  let doc: unknown;
  try {
    doc = text.trim() === '' ? {} : parseYaml(text);
  } catch (e) {
    throw new BootstrapError(`not valid YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isRecord(doc)) throw new BootstrapError('the file must hold a mapping with buckets and users');
  only(doc, ['buckets', 'users'], 'the file');
  const buckets: BootstrapBucket[] = list(doc.buckets, 'buckets').map((b, i) => {
    const entry = typeof b === 'string' ? { name: b } : b;
    if (!isRecord(entry) || typeof entry.name !== 'string') throw new BootstrapError(`buckets[${i}]: a bucket is a name or a mapping with a name`);
    only(entry, ['name', 'policy'], `buckets[${i}]`);
    return { name: entry.name, ...(entry.policy !== undefined ? { policy: policyText(entry.policy, `buckets[${i}].policy`) } : {}) };
  });
  for (const name of extraBuckets) if (!buckets.some((b) => b.name === name)) buckets.push({ name });
  for (const b of buckets) {
    const problem = bucketNameProblem(b.name);
    if (problem !== undefined) throw new BootstrapError(`bucket ${b.name}: ${problem}`);
    if (b.policy !== undefined) {
      try {
        parseBucketPolicy(b.name, b.policy);
      } catch (e) {
        throw new BootstrapError(`bucket ${b.name}: policy refused: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  const seenUsers = new Set<string>();
  const seenKeys = new Set<string>();
  const users: BootstrapUser[] = list(doc.users, 'users').map((u, i) => {
    if (!isRecord(u) || typeof u.name !== 'string') throw new BootstrapError(`users[${i}]: a user is a mapping with a name`);
    only(u, ['name', 'accessKeys', 'policies'], `users[${i}]`);
    if (!USER_NAME.test(u.name)) throw new BootstrapError(`users[${i}]: invalid user name ${JSON.stringify(u.name)} (1-64 of letters, digits and +=,.@_-)`);
    // IAM user names are unique regardless of case.
    if (seenUsers.has(u.name.toLowerCase())) throw new BootstrapError(`users[${i}]: user ${u.name} is named twice`);
    seenUsers.add(u.name.toLowerCase());
    const accessKeys = list(u.accessKeys, `users[${i}].accessKeys`).map((k, j) => {
      if (!isRecord(k) || typeof k.accessKeyId !== 'string' || k.accessKeyId === '' || typeof k.secretAccessKey !== 'string' || k.secretAccessKey === '') {
        throw new BootstrapError(`users[${i}].accessKeys[${j}]: needs accessKeyId and secretAccessKey`);
      }
      if (seenKeys.has(k.accessKeyId)) throw new BootstrapError(`users[${i}].accessKeys[${j}]: access key ${k.accessKeyId} is listed twice`);
      seenKeys.add(k.accessKeyId);
      return { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey };
    });
    if (u.policies !== undefined && !isRecord(u.policies)) throw new BootstrapError(`users[${i}].policies must map names to policies`);
    const policies: Record<string, string> = {};
    for (const [name, p] of Object.entries(u.policies ?? {})) {
      if (!POLICY_NAME.test(name)) throw new BootstrapError(`users[${i}].policies: invalid policy name ${JSON.stringify(name)} (1-128 of letters, digits and +=,.@_-)`);
      policies[name] = policyText(p, `users[${i}].policies.${name}`);
      try {
        parsePolicy(policies[name] as string, 'identity');
      } catch (e) {
        if (e instanceof PolicyError) throw new BootstrapError(`users[${i}].policies.${name}: ${e.message}`);
        throw e;
      }
    }
    if (accessKeys.length > MAX_KEYS_PER_USER) throw new BootstrapError(`users[${i}]: at most ${MAX_KEYS_PER_USER} access keys per user`);
    const size = Object.values(policies).reduce((n, d) => n + d.replace(/\s/g, '').length, 0);
    if (size > MAX_INLINE_POLICY_CHARS) throw new BootstrapError(`users[${i}]: inline policies exceed ${MAX_INLINE_POLICY_CHARS} characters (IAM's quota)`);
    return { name: u.name, accessKeys, policies };
  });
  return { buckets, users };
}

/**
 * Creates and updates what the config declares (see the module comment). An IAM or S3 refusal becomes a
 * {@link BootstrapError} naming the source and the entry; storage failures pass through unchanged.
 */
export async function applyBootstrap(state: ServerState, iam: IamState, config: BootstrapConfig): Promise<void> {
  let where = 'the file';
  try {
    await applyEntries(state, iam, config, (entry) => {
      where = entry;
    });
  } catch (e) {
    if (e instanceof IamError || isS3Error(e)) throw new BootstrapError(`${config.source ?? '--bucket'}: ${where}: ${e.message}`, { cause: e });
    throw e;
  }
}

async function applyEntries(state: ServerState, iam: IamState, config: BootstrapConfig, at: (entry: string) => void): Promise<void> {
  for (const b of config.buckets) {
    at(`bucket ${b.name}`);
    try {
      await state.buckets.create(b.name, state.region);
    } catch (e) {
      if (!(isS3Error(e) && e.code === 'BucketAlreadyOwnedByYou')) throw e;
    }
    if (b.policy !== undefined) await iam.policies.put(b.name, parseBucketPolicy(b.name, b.policy));
  }
  for (const [i, u] of config.users.entries()) {
    at(`users[${i}] (${u.name})`);
    try {
      await iam.identities.createUser(u.name);
    } catch (e) {
      if (!(e instanceof IamError && e.code === 'EntityAlreadyExists')) throw e;
    }
    for (const [j, key] of u.accessKeys.entries()) {
      at(`users[${i}].accessKeys[${j}] (${key.accessKeyId})`);
      const existing = iam.identities.user(u.name).accessKeys.find((k) => k.accessKeyId === key.accessKeyId);
      if (existing?.secretAccessKey === key.secretAccessKey) {
        if (existing.status !== 'Active') await iam.identities.updateAccessKey(u.name, key.accessKeyId, 'Active');
        continue;
      }
      if (existing !== undefined) await iam.identities.deleteAccessKey(u.name, key.accessKeyId);
      await iam.identities.createAccessKey(u.name, key);
    }
    for (const [name, text] of Object.entries(u.policies)) {
      at(`users[${i}].policies.${name}`);
      await iam.identities.putUserPolicy(u.name, name, text);
    }
  }
}
