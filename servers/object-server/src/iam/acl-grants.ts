/**
 * ACL grants as permissions. An ACL grant is one more Allow in the authorizer's evaluation: it is consulted
 * only when no policy allowed the request and none denied it explicitly ("How Amazon S3 authorizes a request",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-s3-evaluates-access-control.html). What each
 * permission allows follows "ACL permissions"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#permissions):
 *
 * - READ on a bucket lists it (objects, versions, multipart uploads); WRITE on a bucket creates, overwrites and
 *   deletes its objects; READ on an object reads it (and its versions by id).
 * - WRITE does not delete a version by id (s3:DeleteObjectVersion): the mapping table of the same page grants
 *   that "when the grantee is the bucket owner" only, and the owner (the root identity) holds it anyway, so an
 *   ACL never grants a DeleteObject naming `versionId` — a public-read-write bucket cannot lose its history.
 * - READ_ACP / WRITE_ACP read and replace the ACL of the bucket or object; FULL_CONTROL is all of them.
 *
 * Grantees: AllUsers is every caller, anonymous ones too; AuthenticatedUsers every signed caller; a canonical
 * user the root identity (the owner's id) or the IAM user of that id. A bucket whose Object Ownership is
 * BucketOwnerEnforced (the default) ignores ACLs altogether, and IgnorePublicAcls makes grants to the two public
 * groups count for nothing (about-object-ownership.html; access-control-block-public-access.html).
 *
 * Copies are not granted by ACLs (they read a second object under a second bucket's rules): they need a policy.
 */
import type { ServerState } from '../context.ts';
import type { QueryParams } from '../query-params.ts';
import { GROUPS } from './acl-document.ts';
import type { AclPermission, Grant } from './acl-document.ts';
import { bucketGrantsOf, objectGrantsOf } from './acl-store.ts';
import { objectOwnershipOf } from './acl-write.ts';
import { iamOf } from './iam-state.ts';
import type { Principal } from './identity-store.ts';

/** The bucket permission each operation needs when an ACL is to grant it. */
const BUCKET_PERMISSIONS: Readonly<Record<string, AclPermission>> = {
  HeadBucket: 'READ',
  ListObjects: 'READ',
  ListObjectsV2: 'READ',
  ListObjectVersions: 'READ',
  ListMultipartUploads: 'READ',
  PutObject: 'WRITE',
  DeleteObject: 'WRITE',
  DeleteObjects: 'WRITE',
  CreateMultipartUpload: 'WRITE',
  UploadPart: 'WRITE',
  CompleteMultipartUpload: 'WRITE',
  AbortMultipartUpload: 'WRITE',
  ListParts: 'WRITE',
  GetBucketAcl: 'READ_ACP',
  PutBucketAcl: 'WRITE_ACP',
};

/** The object permission each operation needs when an ACL is to grant it. */
const OBJECT_PERMISSIONS: Readonly<Record<string, AclPermission>> = {
  GetObject: 'READ',
  HeadObject: 'READ',
  GetObjectAcl: 'READ_ACP',
  PutObjectAcl: 'WRITE_ACP',
};

/** Whether one of `grants` gives `permission` to the caller. */
export function grantsPermit(grants: readonly Grant[], permission: AclPermission, caller: Principal | undefined, ownerId: string, ignorePublic: boolean): boolean {
  const callerId = caller === undefined ? undefined : caller.kind === 'root' ? ownerId : caller.user.id;
  return grants.some((g) => {
    if (g.permission !== permission && g.permission !== 'FULL_CONTROL') return false;
    if (g.grantee.type === 'CanonicalUser') return callerId !== undefined && g.grantee.id === callerId;
    if (ignorePublic) return false;
    return g.grantee.uri === GROUPS.AllUsers || (g.grantee.uri === GROUPS.AuthenticatedUsers && caller !== undefined);
  });
}

/** Answers whether the ACLs of a bucket or object grant an operation; see the module comment. */
export class AclAuthority {
  readonly #state: ServerState;

  constructor(state: ServerState) {
    this.#state = state;
  }

  /**
   * Whether an ACL grants `op` to the caller. Synchronous for bucket ACLs and for buckets that ignore ACLs; a
   * promise when the object's ACL has to be read.
   */
  permits(op: string, caller: Principal | undefined, bucket: string | undefined, key: string | undefined, query: QueryParams): boolean | Promise<boolean> {
    if (bucket === undefined) return false;
    const settings = iamOf(this.#state).access.get(bucket);
    if (objectOwnershipOf(settings) === 'BucketOwnerEnforced') return false;
    const ignorePublic = settings.publicAccessBlock?.IgnorePublicAcls === true;
    const ownerId = this.#state.owner.id;
    if ((op === 'DeleteObject' || op === 'DeleteObjects') && query.has('versionId')) return false;
    const onBucket = BUCKET_PERMISSIONS[op];
    if (onBucket !== undefined) return grantsPermit(bucketGrantsOf(this.#state, bucket), onBucket, caller, ownerId, ignorePublic);
    const onObject = OBJECT_PERMISSIONS[op];
    if (onObject === undefined || key === undefined) return false;
    return this.#objectGrants(bucket, key, query.get('versionId') ?? undefined).then(
      (grants) => grants !== undefined && grantsPermit(grants, onObject, caller, ownerId, ignorePublic),
      () => false,
    );
  }

  /** The grants of the object (or named version), or undefined when there is no such object. */
  async #objectGrants(bucket: string, key: string, versionId: string | undefined): Promise<Grant[] | undefined> {
    const { storage, versioning, owner } = this.#state;
    let storageKey = `${bucket}/${key}`;
    if (versionId !== undefined || (await versioning.mode(bucket)) !== null) {
      const found = await versioning.store(bucket).resolve(key, versionId);
      if (found.kind !== 'object') return undefined;
      storageKey = found.storageKey;
    }
    return objectGrantsOf((await storage.head(storageKey)).tags, owner);
  }
}
