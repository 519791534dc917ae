/**
 * The condition keys of one request, as policies read them: the global keys ("AWS global condition context
 * keys", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html) and S3's
 * ("Actions, resources, and condition keys for Amazon S3",
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-policy-keys).
 * Built only when a policy is evaluated: the root identity on a bucket without a policy never pays for it.
 *
 * `s3:ExistingObjectTag/<key>` needs the stored object's tags (a storage read before authorization): the
 * authorizer adds it only when a policy asks for it (existing-object-tags.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { QueryParams } from '../query-params.ts';
import { parseTagQuery } from '../tags.ts';
import { ACCOUNT_ID, type Principal } from './identity-store.ts';

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Marks a {@link postFormView}: its keys come from a browser form, not from request headers. */
const POST_FORM = Symbol('strata.postForm');

/** A request seen through its upload form (see {@link postFormView}). */
interface PostFormView extends IncomingMessage {
  [POST_FORM]: { signatureVersion: 'AWS' | 'AWS4-HMAC-SHA256' };
}

/**
 * The request of a browser-based upload as policies see it: the form's fields stand in for the headers a
 * PutObject would carry (the `acl` field is `s3:x-amz-acl`), the socket and the browser's Referer and
 * User-Agent stay the request's own, and `s3:authType` is `POST` ("Amazon S3 condition key examples",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html; "POST Object",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html).
 */
export function postFormView(raw: IncomingMessage, fields: ReadonlyMap<string, string>, signatureVersion: 'AWS' | 'AWS4-HMAC-SHA256'): IncomingMessage {
  const headers: Record<string, string | undefined> = Object.fromEntries(fields);
  headers['x-amz-acl'] = fields.get('acl');
  headers.referer = one(raw.headers.referer);
  headers['user-agent'] = one(raw.headers['user-agent']);
  const view = Object.create(raw, { headers: { value: headers } }) as PostFormView;
  view[POST_FORM] = { signatureVersion };
  return view;
}

/** S3 request headers exposed as `s3:<header>` condition keys. */
const HEADER_KEYS = [
  'x-amz-acl',
  // The explicit ACL grants, as policies may condition on them (s3:x-amz-grant-read, …).
  'x-amz-grant-read',
  'x-amz-grant-write',
  'x-amz-grant-read-acp',
  'x-amz-grant-write-acp',
  'x-amz-grant-full-control',
  'x-amz-copy-source',
  'x-amz-metadata-directive',
  'x-amz-server-side-encryption',
  'x-amz-storage-class',
  'x-amz-content-sha256',
];

/** The request's condition keys (lower-case names). */
export function requestKeys(raw: IncomingMessage, query: QueryParams, principal: Principal | undefined, presigned: boolean, now: Date): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  const set = (name: string, value: string | undefined): void => {
    if (value !== undefined) keys.set(name, [value]);
  };
  const address = raw.socket.remoteAddress ?? '';
  set('aws:sourceip', address.startsWith('::ffff:') ? address.slice(7) : address);
  set('aws:securetransport', String((raw.socket as Partial<TLSSocket>).encrypted === true));
  set('aws:currenttime', now.toISOString());
  set('aws:epochtime', String(Math.floor(now.getTime() / 1000)));
  set('aws:referer', one(raw.headers.referer));
  set('aws:useragent', one(raw.headers['user-agent']));
  if (principal?.kind === 'user') {
    set('aws:username', principal.user.name);
    set('aws:userid', principal.user.id);
    set('aws:principalarn', principal.user.arn);
    set('aws:principaltype', 'User');
  } else if (principal?.kind === 'root') {
    set('aws:userid', ACCOUNT_ID);
    set('aws:principalarn', `arn:aws:iam::${ACCOUNT_ID}:root`);
    set('aws:principaltype', 'Account');
  } else set('aws:principaltype', 'Anonymous');
  if (principal !== undefined) set('aws:principalaccount', ACCOUNT_ID);
  for (const name of ['prefix', 'delimiter', 'max-keys']) set(`s3:${name}`, query.get(name) ?? undefined);
  for (const name of HEADER_KEYS) set(`s3:${name}`, one(raw.headers[name]));
  const tagging = one(raw.headers['x-amz-tagging']);
  if (tagging !== undefined) {
    try {
      const tags = parseTagQuery(tagging);
      keys.set('s3:requestobjecttagkeys', Object.keys(tags));
      for (const [k, v] of Object.entries(tags)) set(`s3:requestobjecttag/${k.toLowerCase()}`, v);
    } catch {
      // A malformed x-amz-tagging is the handler's to refuse (InvalidTag); here it just provides no keys.
    }
  }
  const form = (raw as Partial<PostFormView>)[POST_FORM];
  if (principal !== undefined && form !== undefined) {
    set('s3:signatureversion', form.signatureVersion);
    set('s3:authtype', 'POST');
  } else if (principal !== undefined) {
    const v2 = query.has('AWSAccessKeyId') && query.has('Signature');
    set('s3:signatureversion', v2 ? 'AWS' : 'AWS4-HMAC-SHA256');
    set('s3:authtype', presigned ? 'REST-QUERY-STRING' : 'REST-HEADER');
  }
  return keys;
}
