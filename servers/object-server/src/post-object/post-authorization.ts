/**
 * Who a browser-based upload acts as, and whether it may. A signed form ("POST Object",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html) authenticates as the access key that
 * signed its policy — the root identity's or any IAM user's, an inactive key authenticating nothing
 * (InvalidAccessKeyId, as for any request) — and is then authorized exactly as a PutObject on the bucket and
 * key by the same authorizer every other request goes through: identity policies, the bucket policy, and
 * conditions on the form's fields (`acl` is `s3:x-amz-acl`).
 *
 * A form without a policy is anonymous: "Although the policy document is optional … If you make the bucket
 * publicly writable, you have no control at all over which users can write to your bucket" ("POST Policy",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html). Such an upload goes
 * through only where a bucket policy allows anonymous s3:PutObject.
 */
import type { AuthResult } from '../auth/index.ts';
import type { S3Context } from '../context.ts';
import { iamOf } from '../iam/iam-state.ts';
import { postFormView } from '../iam/request-keys.ts';
import { S3Error } from '../s3-errors.ts';
import { verifyPostSignature } from './post-signature.ts';

/** Fields that sign a form (V4 and the legacy V2 form): one of them without a policy is a malformed form. */
const SIGNATURE_FIELDS = ['x-amz-signature', 'x-amz-credential', 'awsaccesskeyid', 'signature'];

/**
 * The caller of a form: the access key whose signature over `policyBase64` verifies, or null for an
 * unsigned form without a policy. Throws the signature's S3 errors (post-signature.ts).
 */
export function authenticatePostForm(ctx: S3Context, fields: ReadonlyMap<string, string>, policyBase64: string | undefined): AuthResult {
  if (policyBase64 === undefined || policyBase64 === '') {
    if (SIGNATURE_FIELDS.some((f) => fields.has(f))) {
      throw new S3Error('InvalidArgument', 'Bucket POST must contain a field named \'policy\'.  If it is specified, please check the order of the fields.', { extra: { ArgumentName: 'policy' } });
    }
    return { accessKeyId: null, payload: { kind: 'unsigned' }, presigned: false };
  }
  const accessKeyId = verifyPostSignature(fields, policyBase64, iamOf(ctx.state).identities.secretOf);
  return { accessKeyId, payload: { kind: 'unsigned' }, presigned: false };
}

/** Authorizes the upload as s3:PutObject on `bucket`/`key` for `auth`; rejects with AccessDenied when refused. */
export async function authorizePostForm(ctx: S3Context, auth: AuthResult, fields: ReadonlyMap<string, string>, bucket: string, key: string): Promise<void> {
  const view = postFormView(ctx.raw, fields, fields.has('awsaccesskeyid') ? 'AWS' : 'AWS4-HMAC-SHA256');
  // Synchronous for most requests; a promise when the authorizer must read first (an ACL grant).
  await iamOf(ctx.state).authorizer.authorize('PutObject', auth, bucket, key, view, ctx.query);
}
