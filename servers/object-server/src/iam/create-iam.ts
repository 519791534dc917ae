/**
 * Builds the identity side of one app: the identity store (root keys plus stored users), the bucket policy
 * store, the authenticator over the store's live key look-up, and the authorizer. `load` reads the stored
 * users and policies and applies the bootstrap configuration; the app runs it before it serves (fastify's onReady), so every later look-up is a
 * synchronous map lookup.
 */
import { createAuthenticator } from '../auth/index.ts';
import type { Credentials } from '../auth/index.ts';
import type { ServerState } from '../context.ts';
import { AclAuthority } from './acl-grants.ts';
import { Authorizer } from './authorizer.ts';
import { BucketAccessStore } from './bucket-access-settings.ts';
import { applyBootstrap, type BootstrapConfig } from './bootstrap.ts';
import { BucketPolicyStore } from './bucket-policy-store.ts';
import { createObjectTagReader } from './existing-object-tags.ts';
import { IdentityStore } from './identity-store.ts';
import { attachIam, type IamState } from './iam-state.ts';

/** Options of {@link createIam}. */
export interface CreateIamOptions {
  /** The root identity's access keys. */
  credentials: Credentials[];
  region: string;
  clockSkewMs?: number | undefined;
  now?: (() => number) | undefined;
  /** Grant anonymous requests everything (buildApp's `allowAnonymous`). @default false */
  allowAnonymous?: boolean | undefined;
  /** Buckets, users and policies to create at start (bootstrap.ts). */
  bootstrap?: BootstrapConfig | undefined;
}

/** The IAM state plus the loader to run before serving. */
export interface CreatedIam extends IamState {
  load(): Promise<void>;
}

/** Creates the IAM state of an app and attaches it to `state` (iam-state.ts). */
export function createIam(state: ServerState, options: CreateIamOptions): CreatedIam {
  if (!Array.isArray(options.credentials)) throw new TypeError('buildApp: credentials must be an array');
  for (const c of options.credentials) {
    if (typeof c.accessKeyId !== 'string' || c.accessKeyId === '' || typeof c.secretAccessKey !== 'string' || c.secretAccessKey === '') {
      throw new TypeError('buildApp: every credential needs a non-empty accessKeyId and secretAccessKey');
    }
  }
  // User secrets are sealed at rest under the SSE master key when the server has one (secret-sealing.ts).
  const identities = new IdentityStore(state.storage, options.credentials, { masterKey: state.encryption?.masterKey });
  const policies = new BucketPolicyStore(state.storage);
  const access = new BucketAccessStore(state.storage);
  const authenticator = createAuthenticator({
    credentials: identities.secretOf,
    region: options.region,
    ...(options.clockSkewMs !== undefined ? { clockSkewMs: options.clockSkewMs } : {}),
    ...(options.now ? { now: options.now } : {}),
    // Unsigned requests reach the authorizer as anonymous: a bucket policy may allow them.
    allowAnonymous: true,
  });
  const authorizer = new Authorizer(identities, policies, access, {
    anonymousFullAccess: options.allowAnonymous ?? false,
    objectTags: createObjectTagReader(state),
    acls: new AclAuthority(state),
    ...(options.now ? { now: options.now } : {}),
  });
  const iam: IamState = { identities, policies, access, authorizer, authenticator };
  attachIam(state, iam);
  let loading: Promise<void> | undefined;
  return {
    ...iam,
    load() {
      loading ??= Promise.all([identities.load(), policies.load(), access.load()]).then(async () => {
        if (options.bootstrap !== undefined) await applyBootstrap(state, iam, options.bootstrap);
      });
      return loading;
    },
  };
}
