/**
 * DeleteObjects is authorized key by key, as S3 does: each Object of the Delete document needs s3:DeleteObject
 * on its own key — s3:DeleteObjectVersion when it names a VersionId — and a key the caller may not delete gets
 * an AccessDenied Error entry in the DeleteResult while the others are deleted ("DeleteObjects",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html, "Permissions"; the action pairs in
 * "Actions, resources, and condition keys for Amazon S3",
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html). The request as a
 * whole passes the authorizer (authorizer.ts lets DeleteObjects through); the handler asks here per key.
 *
 * Each key is judged as a DeleteObject request on that key would be — the same policies, conditions and
 * x-amz-bypass-governance-retention rule — so the root identity on a bucket without a policy costs one map
 * lookup per key.
 */
import type { S3Context } from '../context.ts';
import { S3Error } from '../s3-errors.ts';
import { QueryParams } from '../query-params.ts';
import { iamOf } from './iam-state.ts';

const NO_QUERY = new QueryParams('');

/** The Error entry of a key the caller may not delete, or undefined when it may. */
export async function deleteRefusal(ctx: S3Context, bucket: string, key: string, versionId: string | undefined): Promise<S3Error | undefined> {
  const query = versionId === undefined ? NO_QUERY : new QueryParams(`versionId=${encodeURIComponent(versionId)}`);
  try {
    // The authorizer answers synchronously unless it must read something first (an ACL): await either way.
    await iamOf(ctx.state).authorizer.authorize('DeleteObject', ctx.auth, bucket, key, ctx.raw, query);
    return undefined;
  } catch (e) {
    if (e instanceof S3Error && e.code === 'AccessDenied') return e;
    throw e;
  }
}
