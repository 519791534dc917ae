/**
 * Every S3 operation the router names (routes.ts `op`) → the IAM action a policy must allow for it, and
 * whether it acts on the bucket or on an object — from "Actions, resources, and condition keys for Amazon S3"
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html) and "Required
 * permissions for Amazon S3 API operations"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html).
 *
 * Some operations need a permission named after another: HeadBucket needs s3:ListBucket, HeadObject
 * s3:GetObject, the multipart steps s3:PutObject, DeleteBucketCors s3:PutBucketCORS, DeleteObjects
 * s3:DeleteObject. An operation missing from the table is refused to everyone but the root identity, so a
 * route added without a row fails closed.
 */

/** What an operation acts on: the service (no resource), a bucket, an object, or any object of the bucket. */
export type ResourceLevel = 'service' | 'bucket' | 'object' | 'objects';

/** The IAM action and resource level of one operation. */
export interface ActionRow {
  action: string;
  level: ResourceLevel;
}

const row = (action: string, level: ResourceLevel): ActionRow => ({ action, level });

/** The action table. */
export const ACTIONS: Readonly<Record<string, ActionRow>> = {
  ListBuckets: row('s3:ListAllMyBuckets', 'service'),

  CreateBucket: row('s3:CreateBucket', 'bucket'),
  DeleteBucket: row('s3:DeleteBucket', 'bucket'),
  HeadBucket: row('s3:ListBucket', 'bucket'),
  ListObjects: row('s3:ListBucket', 'bucket'),
  ListObjectsV2: row('s3:ListBucket', 'bucket'),
  ListObjectVersions: row('s3:ListBucketVersions', 'bucket'),
  ListMultipartUploads: row('s3:ListBucketMultipartUploads', 'bucket'),
  GetBucketLocation: row('s3:GetBucketLocation', 'bucket'),
  GetBucketVersioning: row('s3:GetBucketVersioning', 'bucket'),
  PutBucketVersioning: row('s3:PutBucketVersioning', 'bucket'),
  GetObjectLockConfiguration: row('s3:GetBucketObjectLockConfiguration', 'bucket'),
  PutObjectLockConfiguration: row('s3:PutBucketObjectLockConfiguration', 'bucket'),
  GetBucketLifecycleConfiguration: row('s3:GetLifecycleConfiguration', 'bucket'),
  PutBucketLifecycleConfiguration: row('s3:PutLifecycleConfiguration', 'bucket'),
  DeleteBucketLifecycle: row('s3:PutLifecycleConfiguration', 'bucket'),
  GetObjectRetention: row('s3:GetObjectRetention', 'object'),
  PutObjectRetention: row('s3:PutObjectRetention', 'object'),
  GetObjectLegalHold: row('s3:GetObjectLegalHold', 'object'),
  PutObjectLegalHold: row('s3:PutObjectLegalHold', 'object'),
  GetBucketAcl: row('s3:GetBucketAcl', 'bucket'),
  PutBucketAcl: row('s3:PutBucketAcl', 'bucket'),
  GetBucketCors: row('s3:GetBucketCORS', 'bucket'),
  PutBucketCors: row('s3:PutBucketCORS', 'bucket'),
  DeleteBucketCors: row('s3:PutBucketCORS', 'bucket'),
  GetBucketTagging: row('s3:GetBucketTagging', 'bucket'),
  PutBucketTagging: row('s3:PutBucketTagging', 'bucket'),
  DeleteBucketTagging: row('s3:PutBucketTagging', 'bucket'),
  GetBucketEncryption: row('s3:GetEncryptionConfiguration', 'bucket'),
  PutBucketEncryption: row('s3:PutEncryptionConfiguration', 'bucket'),
  DeleteBucketEncryption: row('s3:PutEncryptionConfiguration', 'bucket'),
  GetBucketPolicy: row('s3:GetBucketPolicy', 'bucket'),
  PutBucketPolicy: row('s3:PutBucketPolicy', 'bucket'),
  DeleteBucketPolicy: row('s3:DeleteBucketPolicy', 'bucket'),
  GetBucketPolicyStatus: row('s3:GetBucketPolicyStatus', 'bucket'),
  GetPublicAccessBlock: row('s3:GetBucketPublicAccessBlock', 'bucket'),
  PutPublicAccessBlock: row('s3:PutBucketPublicAccessBlock', 'bucket'),
  DeletePublicAccessBlock: row('s3:PutBucketPublicAccessBlock', 'bucket'),
  GetBucketOwnershipControls: row('s3:GetBucketOwnershipControls', 'bucket'),
  PutBucketOwnershipControls: row('s3:PutBucketOwnershipControls', 'bucket'),
  DeleteBucketOwnershipControls: row('s3:PutBucketOwnershipControls', 'bucket'),
  // Keys are in the body: the handler authorizes each one (delete-authorization.ts); this row serves anonymous callers on a bucket without a policy.
  DeleteObjects: row('s3:DeleteObject', 'objects'),

  GetObject: row('s3:GetObject', 'object'),
  HeadObject: row('s3:GetObject', 'object'),
  PutObject: row('s3:PutObject', 'object'),
  CopyObject: row('s3:PutObject', 'object'),
  DeleteObject: row('s3:DeleteObject', 'object'),
  GetObjectAttributes: row('s3:GetObjectAttributes', 'object'),
  GetObjectAcl: row('s3:GetObjectAcl', 'object'),
  PutObjectAcl: row('s3:PutObjectAcl', 'object'),
  GetObjectTagging: row('s3:GetObjectTagging', 'object'),
  PutObjectTagging: row('s3:PutObjectTagging', 'object'),
  DeleteObjectTagging: row('s3:DeleteObjectTagging', 'object'),
  CreateMultipartUpload: row('s3:PutObject', 'object'),
  UploadPart: row('s3:PutObject', 'object'),
  UploadPartCopy: row('s3:PutObject', 'object'),
  CompleteMultipartUpload: row('s3:PutObject', 'object'),
  AbortMultipartUpload: row('s3:AbortMultipartUpload', 'object'),
  ListParts: row('s3:ListMultipartUploadParts', 'object'),
};

/**
 * The actions that name a version: a request carrying `versionId` needs these instead (s3:GetObject →
 * s3:GetObjectVersion, …), as the S3 authorization reference lists them.
 */
export const VERSION_ACTIONS: Readonly<Record<string, string>> = {
  's3:GetObject': 's3:GetObjectVersion',
  's3:DeleteObject': 's3:DeleteObjectVersion',
  's3:GetObjectAcl': 's3:GetObjectVersionAcl',
  's3:PutObjectAcl': 's3:PutObjectVersionAcl',
  's3:GetObjectTagging': 's3:GetObjectVersionTagging',
  's3:PutObjectTagging': 's3:PutObjectVersionTagging',
  's3:DeleteObjectTagging': 's3:DeleteObjectVersionTagging',
  's3:GetObjectAttributes': 's3:GetObjectVersionAttributes',
};

/** Operations answered without S3 authorization: CORS preflight (anonymous by definition) and the IAM query API (root only, checked there). */
export const UNAUTHORIZED_OPS: ReadonlySet<string> = new Set(['CorsPreflight', 'IamQuery']);

/** The ARN a policy's Resource is matched against for an operation. */
export function resourceArn(level: ResourceLevel, bucket: string | undefined, key: string | undefined): string {
  // ListAllMyBuckets has no resource type; `arn:aws:s3:::*` is what both `*` and `arn:aws:s3:::*` match.
  if (level === 'service' || bucket === undefined) return 'arn:aws:s3:::*';
  if (level === 'objects') return `arn:aws:s3:::${bucket}/*`;
  return level === 'object' && key !== undefined ? `arn:aws:s3:::${bucket}/${key}` : `arn:aws:s3:::${bucket}`;
}
