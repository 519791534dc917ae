/**
 * Identities: the root identity (the access keys given on the command line or to `buildApp`) and IAM users,
 * each with up to two access keys and inline policies, as IAM defines them ("IAM users",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users.html; quotas from "IAM and AWS STS quotas",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 *
 * One JSON record per user lives under the server's reserved prefix, so users survive restarts on every
 * backend; the server is their only writer, so they are loaded once (before the first request) and kept in
 * maps: the authenticator's secret look-up and the authorizer's principal look-up are one map lookup each.
 * Writes are serialized, and memory changes only after the record is stored.
 *
 * Secrets at rest: with the server's SSE master key, a record holds each secret sealed (secret-sealing.ts);
 * without one, in plain text. Plain records are read either way, and sealed when the user next changes.
 */
import { randomBytes } from 'node:crypto';
import { hasErrorCode } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { RESERVED_PREFIX } from '../bucket-registry.ts';
import type { Credentials } from '../auth/index.ts';
import { readAll } from '../streams.ts';
import { IamError } from './iam-errors.ts';
import { parsePolicy, PolicyError } from './policy-document.ts';
import type { Policy } from './policy-document.ts';
import { SecretSealer, SecretSealingError, type SealedSecret } from './secret-sealing.ts';

const USERS_PREFIX = `${RESERVED_PREFIX}iam/users/`;

/** The account id in every ARN the server reports (it has one account). */
export const ACCOUNT_ID = '000000000000';
/** The root identity's ARN. */
export const ROOT_ARN = `arn:aws:iam::${ACCOUNT_ID}:root`;

/** An access key of a user. */
export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  status: 'Active' | 'Inactive';
  created: string;
}

/** A user as stored. */
export interface UserRecord {
  name: string;
  id: string;
  path: string;
  created: string;
  accessKeys: AccessKey[];
  /** Inline policies by name: the document text as written. */
  policies: Record<string, string>;
}

/** An access key as a record stores it: the secret in plain text, or sealed under the master key. */
interface StoredAccessKey extends Omit<AccessKey, 'secretAccessKey'> {
  secretAccessKey?: string;
  sealedSecret?: SealedSecret;
}

/** A user record as stored. */
interface StoredUserRecord extends Omit<UserRecord, 'accessKeys'> {
  accessKeys: StoredAccessKey[];
}

/** Options of {@link IdentityStore}. */
export interface IdentityStoreOptions {
  /** The server's SSE master key: user secrets are stored sealed under it. @default undefined (plain text) */
  masterKey?: Buffer | undefined;
}

/** A user in memory: the record plus its compiled inline policies. */
export interface User extends UserRecord {
  arn: string;
  compiled: Policy[];
}

/** Who signed a request: the root identity, or a user. */
export type Principal = { kind: 'root' } | { kind: 'user'; user: User };

const ROOT: Principal = { kind: 'root' };
/** IAM's patterns for user and inline policy names ("IAM and AWS STS quotas", name requirements). */
export const USER_NAME = /^[\w+=,.@-]{1,64}$/;
export const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
/** IAM's quotas: access keys per user, and the aggregate size of a user's inline policies (no whitespace). */
export const MAX_KEYS_PER_USER = 2;
export const MAX_INLINE_POLICY_CHARS = 2048;

const randomId = (prefix: string, length: number): string => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return prefix + [...randomBytes(length)].map((b) => alphabet[b % 32]).join('');
};

/** The users and keys of the server; see the module comment. */
export class IdentityStore {
  readonly #storage: Storage;
  readonly #roots = new Map<string, string>();
  readonly #users = new Map<string, User>();
  /** Every user access key (active or not) → its user. */
  readonly #keys = new Map<string, { user: User; key: AccessKey }>();
  #writes: Promise<unknown> = Promise.resolve();
  readonly #sealer: SecretSealer | undefined;

  constructor(storage: Storage, root: readonly Credentials[], options: IdentityStoreOptions = {}) {
    this.#storage = storage;
    this.#sealer = options.masterKey === undefined ? undefined : new SecretSealer(options.masterKey);
    for (const c of root) this.#roots.set(c.accessKeyId, c.secretAccessKey);
  }

  /** Loads the stored users (call once, before serving). */
  async load(): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await this.#storage.list({ prefix: USERS_PREFIX, cursor });
      for (const item of page.items) {
        try {
          const { body } = await this.#storage.get(item.key);
          this.#index(this.#opened(JSON.parse((await readAll(body, 1024 * 1024)).toString('utf8')) as StoredUserRecord));
        } catch (e) {
          if (!hasErrorCode(e, 'NotFound')) throw e;
        }
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
  }

  /** The secret of an active key (root or user), for the authenticator. */
  readonly secretOf = (accessKeyId: string): string | undefined => {
    const root = this.#roots.get(accessKeyId);
    if (root !== undefined) return root;
    const entry = this.#keys.get(accessKeyId);
    return entry !== undefined && entry.key.status === 'Active' ? entry.key.secretAccessKey : undefined;
  };

  /** The principal behind an authenticated access key (undefined for an unknown one). */
  principalOf(accessKeyId: string): Principal | undefined {
    if (this.#roots.has(accessKeyId)) return ROOT;
    const entry = this.#keys.get(accessKeyId);
    return entry === undefined ? undefined : { kind: 'user', user: entry.user };
  }

  /** Whether the key is one of the root identity's. */
  isRoot(accessKeyId: string | null): boolean {
    return accessKeyId !== null && this.#roots.has(accessKeyId);
  }

  /** The root identity's access key ids. */
  rootKeys(): string[] {
    return [...this.#roots.keys()];
  }

  /** A user, or NoSuchEntity. */
  user(name: string): User {
    const user = this.#users.get(name);
    if (user === undefined) throw new IamError('NoSuchEntity', `The user with name ${name} cannot be found.`);
    return user;
  }

  /** Every user, by name. */
  users(): User[] {
    return [...this.#users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Creates a user; EntityAlreadyExists when the name (compared case-insensitively, as IAM does) is taken. */
  createUser(name: string, path = '/'): Promise<User> {
    return this.#serial(async () => {
      if (!USER_NAME.test(name)) throw new IamError('ValidationError', `The specified value for userName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-`);
      if (!/^\/([\x21-\x7e]*\/)?$/.test(path)) throw new IamError('ValidationError', 'The specified value for path is invalid.');
      if ([...this.#users.keys()].some((n) => n.toLowerCase() === name.toLowerCase())) throw new IamError('EntityAlreadyExists', `User with name ${name} already exists.`);
      const record: UserRecord = { name, id: randomId('AIDA', 17), path, created: new Date().toISOString(), accessKeys: [], policies: {} };
      return this.#save(record);
    });
  }

  /** Deletes a user; DeleteConflict while it still has access keys or policies, as IAM requires. */
  deleteUser(name: string): Promise<void> {
    return this.#serial(async () => {
      const user = this.user(name);
      if (user.accessKeys.length > 0 || Object.keys(user.policies).length > 0) {
        throw new IamError('DeleteConflict', 'Cannot delete entity, must delete access keys and policies first.');
      }
      await this.#storage.delete(USERS_PREFIX + hexName(name));
      this.#unindex(user);
    });
  }

  /** Adds an access key (generated unless given, as the bootstrap file may); LimitExceeded past two. */
  createAccessKey(name: string, given?: Credentials): Promise<AccessKey> {
    return this.#serial(async () => {
      const user = this.user(name);
      if (user.accessKeys.length >= MAX_KEYS_PER_USER) throw new IamError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS_PER_USER}`);
      const key: AccessKey = {
        accessKeyId: given?.accessKeyId ?? randomId('AKIA', 16),
        secretAccessKey: given?.secretAccessKey ?? randomBytes(30).toString('base64'),
        status: 'Active',
        created: new Date().toISOString(),
      };
      if (this.#roots.has(key.accessKeyId) || this.#keys.has(key.accessKeyId)) throw new IamError('EntityAlreadyExists', `Access key ${key.accessKeyId} already exists.`);
      await this.#save({ ...user, accessKeys: [...user.accessKeys, key] });
      return key;
    });
  }

  /** Deletes a user's access key. */
  deleteAccessKey(name: string, accessKeyId: string): Promise<void> {
    return this.#serial(async () => {
      const user = this.#keyOwner(name, accessKeyId);
      await this.#save({ ...user, accessKeys: user.accessKeys.filter((k) => k.accessKeyId !== accessKeyId) });
    });
  }

  /** Activates or deactivates a user's access key (an inactive key authenticates nothing). */
  updateAccessKey(name: string, accessKeyId: string, status: 'Active' | 'Inactive'): Promise<void> {
    return this.#serial(async () => {
      const user = this.#keyOwner(name, accessKeyId);
      await this.#save({ ...user, accessKeys: user.accessKeys.map((k) => (k.accessKeyId === accessKeyId ? { ...k, status } : k)) });
    });
  }

  /** Adds or replaces an inline policy; MalformedPolicyDocument or LimitExceeded when refused. */
  putUserPolicy(name: string, policyName: string, document: string): Promise<void> {
    return this.#serial(async () => {
      const user = this.user(name);
      if (!POLICY_NAME.test(policyName)) throw new IamError('ValidationError', 'The specified value for policyName is invalid.');
      try {
        parsePolicy(document, 'identity');
      } catch (e) {
        if (e instanceof PolicyError) throw new IamError('MalformedPolicyDocument', e.message);
        throw e;
      }
      const policies = { ...user.policies, [policyName]: document };
      const size = Object.values(policies).reduce((n, d) => n + d.replace(/\s/g, '').length, 0);
      if (size > MAX_INLINE_POLICY_CHARS) throw new IamError('LimitExceeded', `Maximum policy size of ${MAX_INLINE_POLICY_CHARS} bytes exceeded for user ${name}`);
      await this.#save({ ...user, policies });
    });
  }

  /** Removes an inline policy; NoSuchEntity when the user has none by that name. */
  deleteUserPolicy(name: string, policyName: string): Promise<void> {
    return this.#serial(async () => {
      const user = this.user(name);
      if (user.policies[policyName] === undefined) throw new IamError('NoSuchEntity', `The user policy with name ${policyName} cannot be found.`);
      const policies = { ...user.policies };
      delete policies[policyName];
      await this.#save({ ...user, policies });
    });
  }

  #keyOwner(name: string, accessKeyId: string): User {
    const user = this.user(name);
    if (!user.accessKeys.some((k) => k.accessKeyId === accessKeyId)) throw new IamError('NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`);
    return user;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#writes.then(work, work);
    this.#writes = run.catch(() => undefined);
    return run;
  }

  async #save(record: UserRecord): Promise<User> {
    const plain: UserRecord = { name: record.name, id: record.id, path: record.path, created: record.created, accessKeys: record.accessKeys, policies: record.policies };
    const stored: StoredUserRecord = { ...plain, accessKeys: plain.accessKeys.map((k) => this.#sealed(k)) };
    await this.#storage.put(USERS_PREFIX + hexName(record.name), JSON.stringify(stored), { contentType: 'application/json' });
    const old = this.#users.get(record.name);
    if (old !== undefined) this.#unindex(old);
    return this.#index(plain);
  }

  /** The stored form of a key: sealed when the server has a master key. */
  #sealed(key: AccessKey): StoredAccessKey {
    if (this.#sealer === undefined) return key;
    const { secretAccessKey, ...rest } = key;
    return { ...rest, sealedSecret: this.#sealer.seal(key.accessKeyId, secretAccessKey) };
  }

  /** A stored record with its secrets opened; throws SecretSealingError when one cannot be. */
  #opened(stored: StoredUserRecord): UserRecord {
    const accessKeys = stored.accessKeys.map((k): AccessKey => {
      const { sealedSecret, secretAccessKey, ...rest } = k;
      if (sealedSecret === undefined) {
        if (typeof secretAccessKey !== 'string' || secretAccessKey === '') throw new SecretSealingError(`user ${stored.name}: access key ${k.accessKeyId} has no secret`);
        return { ...rest, secretAccessKey };
      }
      if (this.#sealer === undefined) throw new SecretSealingError(`user ${stored.name}: access key ${k.accessKeyId} is sealed, and the server has no SSE master key`);
      return { ...rest, secretAccessKey: this.#sealer.open(k.accessKeyId, sealedSecret) };
    });
    return { ...stored, accessKeys };
  }

  #index(record: UserRecord): User {
    const user: User = { ...record, arn: `arn:aws:iam::${ACCOUNT_ID}:user${record.path}${record.name}`, compiled: Object.values(record.policies).map((d) => parsePolicy(d, 'identity')) };
    this.#users.set(user.name, user);
    for (const key of user.accessKeys) this.#keys.set(key.accessKeyId, { user, key });
    return user;
  }

  #unindex(user: User): void {
    this.#users.delete(user.name);
    for (const key of user.accessKeys) this.#keys.delete(key.accessKeyId);
  }
}

/** User names may hold `.`, `=`, `@`…: the record's storage key is the name in hex, safe on every backend. */
function hexName(name: string): string {
  return Buffer.from(name, 'utf8').toString('hex');
}
