/**
 * The identity and policy state of one app, reachable from the {@link ServerState} handlers already receive:
 * the IAM and bucket-policy handlers look it up here, so the shared context types need no IAM fields.
 */
import type { Authenticator } from '../auth/index.ts';
import type { ServerState } from '../context.ts';
import type { Authorizer } from './authorizer.ts';
import type { BucketAccessStore } from './bucket-access-settings.ts';
import type { BucketPolicyStore } from './bucket-policy-store.ts';
import type { IdentityStore } from './identity-store.ts';

/** What the IAM parts of one app share. */
export interface IamState {
  identities: IdentityStore;
  policies: BucketPolicyStore;
  /** Block Public Access and Object Ownership settings. */
  access: BucketAccessStore;
  authorizer: Authorizer;
  authenticator: Authenticator;
}

const states = new WeakMap<ServerState, IamState>();

/** Attaches the IAM state to an app's server state (once, when the app is built). */
export function attachIam(state: ServerState, iam: IamState): void {
  states.set(state, iam);
}

/** The IAM state of an app; throws when the app was built without one (a wiring mistake). */
export function iamOf(state: ServerState): IamState {
  const iam = states.get(state);
  if (iam === undefined) throw new Error('the app has no IAM state attached');
  return iam;
}
