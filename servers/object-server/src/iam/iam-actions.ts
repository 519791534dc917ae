/**
 * The IAM query API subset the server answers (IAM API reference,
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html): users (CreateUser, GetUser,
 * ListUsers, DeleteUser), access keys (CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey) and
 * inline user policies (PutUserPolicy, GetUserPolicy, ListUserPolicies, DeleteUserPolicy). Each action reads
 * its form parameters and answers `<{Action}Response><{Action}Result>…</…><ResponseMetadata>` in IAM's
 * namespace; lists are `<member>` elements, paged by MaxItems and Marker (iam-paging.ts).
 */
import { escapeXml } from '../xml.ts';
import { IAM_XMLNS, IamError } from './iam-errors.ts';
import { iamPage } from './iam-paging.ts';
import { ACCOUNT_ID, ROOT_ARN, type AccessKey, type IdentityStore, type User } from './identity-store.ts';

/** A result element's content: text, nested elements, or a `<member>` list. */
type Node = string | { [name: string]: Node | undefined } | Node[];

function write(node: Node): string {
  if (typeof node === 'string') return escapeXml(node);
  if (Array.isArray(node)) return node.map((n) => `<member>${write(n)}</member>`).join('');
  return Object.entries(node)
    .filter((e): e is [string, Node] => e[1] !== undefined)
    .map(([name, child]) => `<${name}>${write(child)}</${name}>`)
    .join('');
}

/** A whole response document for `action`. */
export function iamResponseXml(action: string, result: Node | undefined, requestId: string): string {
  const body = result === undefined ? '' : `<${action}Result>${write(result)}</${action}Result>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${IAM_XMLNS}">${body}<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`;
}

const userNode = (u: User): Node => ({ Path: u.path, UserName: u.name, UserId: u.id, Arn: u.arn, CreateDate: u.created });
const keyNode = (userName: string, k: AccessKey): Node => ({ UserName: userName, AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: k.created });

function required(params: URLSearchParams, name: string): string {
  const v = params.get(name);
  if (v === null || v === '') throw new IamError('ValidationError', `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
  return v;
}

type Action = (store: IdentityStore, params: URLSearchParams) => Promise<Node | undefined> | Node | undefined;

/** The actions by name. */
const ACTIONS: Record<string, Action> = {
  async CreateUser(store, p) {
    return { User: userNode(await store.createUser(required(p, 'UserName'), p.get('Path') ?? '/')) };
  },
  GetUser(store, p) {
    const name = p.get('UserName');
    // Without a name, GetUser describes the caller: here always the root identity.
    if (name === null || name === '') return { User: { UserId: ACCOUNT_ID, Arn: ROOT_ARN, CreateDate: new Date(0).toISOString() } };
    return { User: userNode(store.user(name)) };
  },
  ListUsers(store, p) {
    // PathPrefix selects users whose path starts with it ("ListUsers", Request Parameters).
    const prefix = p.get('PathPrefix') ?? '/';
    const page = iamPage(store.users().filter((u) => u.path.startsWith(prefix)), (u) => u.name, p);
    return { Users: page.items.map(userNode), ...page.fields };
  },
  async DeleteUser(store, p) {
    await store.deleteUser(required(p, 'UserName'));
    return undefined;
  },
  async CreateAccessKey(store, p) {
    const name = p.get('UserName');
    if (name === null || name === '') throw new IamError('ValidationError', "The root identity's access keys are set by --access-key/--secret-key; name a user (UserName).");
    const key = await store.createAccessKey(name);
    return { AccessKey: { UserName: name, AccessKeyId: key.accessKeyId, Status: key.status, SecretAccessKey: key.secretAccessKey, CreateDate: key.created } };
  },
  ListAccessKeys(store, p) {
    const name = p.get('UserName');
    if (name === null || name === '') {
      const page = iamPage(store.rootKeys(), (id) => id, p);
      return { AccessKeyMetadata: page.items.map((id) => ({ AccessKeyId: id, Status: 'Active' })), ...page.fields };
    }
    const page = iamPage(store.user(name).accessKeys, (k) => k.accessKeyId, p);
    return { UserName: name, AccessKeyMetadata: page.items.map((k) => keyNode(name, k)), ...page.fields };
  },
  async UpdateAccessKey(store, p) {
    const status = required(p, 'Status');
    if (status !== 'Active' && status !== 'Inactive') throw new IamError('ValidationError', "Value at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]");
    await store.updateAccessKey(required(p, 'UserName'), required(p, 'AccessKeyId'), status);
    return undefined;
  },
  async DeleteAccessKey(store, p) {
    await store.deleteAccessKey(required(p, 'UserName'), required(p, 'AccessKeyId'));
    return undefined;
  },
  async PutUserPolicy(store, p) {
    await store.putUserPolicy(required(p, 'UserName'), required(p, 'PolicyName'), required(p, 'PolicyDocument'));
    return undefined;
  },
  GetUserPolicy(store, p) {
    const name = required(p, 'UserName');
    const policyName = required(p, 'PolicyName');
    const doc = store.user(name).policies[policyName];
    if (doc === undefined) throw new IamError('NoSuchEntity', `The user policy with name ${policyName} cannot be found.`);
    // IAM returns policy documents URL-encoded (RFC 3986); the SDKs and the CLI decode them.
    return { UserName: name, PolicyName: policyName, PolicyDocument: encodeURIComponent(doc) };
  },
  ListUserPolicies(store, p) {
    const page = iamPage(Object.keys(store.user(required(p, 'UserName')).policies), (n) => n, p);
    return { PolicyNames: page.items, ...page.fields };
  },
  async DeleteUserPolicy(store, p) {
    await store.deleteUserPolicy(required(p, 'UserName'), required(p, 'PolicyName'));
    return undefined;
  },
};

/** Runs the action the form names; resolves with the response XML or rejects with an {@link IamError}. */
export async function runIamAction(store: IdentityStore, params: URLSearchParams, requestId: string): Promise<string> {
  const name = params.get('Action');
  if (name === null || name === '') throw new IamError('MissingAction', 'Missing Action');
  const action = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
  if (action === undefined) throw new IamError('InvalidAction', `Could not find operation ${name} for version 2010-05-08`);
  return iamResponseXml(name, await action(store, params), requestId);
}
