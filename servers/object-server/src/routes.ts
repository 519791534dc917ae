/**
 * The route rows (see router.ts for how they are matched). Each handler file links its AWS API page.
 */
import type { Route } from './router.ts';
import {
  deleteBucketOwnershipControls,
  deletePublicAccessBlock,
  getBucketOwnershipControls,
  getPublicAccessBlock,
  putBucketOwnershipControls,
  putPublicAccessBlock,
} from './iam/bucket-access-handlers.ts';
import { deleteBucketPolicy, getBucketPolicy, getBucketPolicyStatus, putBucketPolicy, withPolicyCleanup } from './iam/bucket-policy-handlers.ts';
import { IAM_QUERY_OP, iamQuery } from './iam/iam-route.ts';
import { putBucketAcl, putObjectAcl } from './iam/acl-handlers.ts';
import { getAcl, getBucketLocation } from './handlers/bucket-config.ts';
import { deleteBucketCors, getBucketCors, putBucketCors } from './handlers/bucket-cors.ts';
import { deleteBucketTagging, getBucketTagging, putBucketTagging, withBucketTaggingCleanup } from './handlers/bucket-tagging.ts';
import { createBucket } from './handlers/bucket-create.ts';
import { deleteBucket } from './handlers/bucket-delete.ts';
import { deleteObjects } from './handlers/bucket-delete-objects.ts';
import { headBucket } from './handlers/bucket-head.ts';
import { listObjectsV1 } from './handlers/bucket-list-objects-v1.ts';
import { listObjectsV2 } from './handlers/bucket-list-objects.ts';
import { listObjectVersionsHandler } from './handlers/bucket-list-object-versions.ts';
import { getBucketVersioning, putBucketVersioning } from './handlers/bucket-versioning.ts';
import { getObjectLockConfiguration, putObjectLockConfiguration } from './handlers/bucket-object-lock.ts';
import { deleteBucketLifecycle, getBucketLifecycle, putBucketLifecycle } from './handlers/bucket-lifecycle.ts';
import { withExpiration } from './lifecycle/expiration-header.ts';
import { getObjectLegalHold, putObjectLegalHold } from './handlers/object-legal-hold.ts';
import { getObjectRetention, putObjectRetention } from './handlers/object-retention.ts';
import { corsPreflight } from './handlers/cors-preflight.ts';
import { abortMultipartUpload } from './handlers/multipart-abort.ts';
import { completeMultipartUpload } from './handlers/multipart-complete.ts';
import { createMultipartUpload } from './handlers/multipart-create.ts';
import { listMultipartUploads } from './handlers/multipart-list-uploads.ts';
import { listParts } from './handlers/multipart-list-parts.ts';
import { uploadPart, uploadPartCopy } from './handlers/multipart-upload-part.ts';
import { copyObject } from './handlers/object-copy.ts';
import { deleteObject } from './handlers/object-delete.ts';
import { getObjectAttributes } from './handlers/object-attributes.ts';
import { getObject, headObject } from './handlers/object-get.ts';
import { putObject } from './handlers/object-put.ts';
import { postObject } from './post-object/post-object.ts';
import { deleteBucketEncryption, getBucketEncryption, putBucketEncryption } from './encryption/bucket-encryption.ts';
import { decryptingRead, encryptingComplete, encryptingCopy, encryptingCreate, encryptingPart, encryptingPartCopy, encryptingPut, plaintextPartSizes } from './encryption/encryption-routes.ts';
import { deleteObjectTagging, getObjectTagging, putObjectTagging } from './handlers/object-tagging.ts';
import { listBuckets } from './handlers/service-list-buckets.ts';

/** Every route the server answers. Order matters: rows with sub-resources (and headers) first. */
export const routes: readonly Route[] = [
  { method: 'GET', target: 'service', op: 'ListBuckets', handler: listBuckets, needsBucket: false },
  // The IAM query API authenticates itself (it signs a body it does not send the hash of): see iam/iam-route.ts.
  { method: 'POST', target: 'service', op: IAM_QUERY_OP, handler: iamQuery, needsBucket: false, anonymous: true },

  { method: 'GET', target: 'bucket', query: ['policy'], op: 'GetBucketPolicy', handler: getBucketPolicy },
  { method: 'GET', target: 'bucket', query: ['policyStatus'], op: 'GetBucketPolicyStatus', handler: getBucketPolicyStatus },
  { method: 'PUT', target: 'bucket', query: ['policy'], op: 'PutBucketPolicy', handler: putBucketPolicy },
  { method: 'DELETE', target: 'bucket', query: ['policy'], op: 'DeleteBucketPolicy', handler: deleteBucketPolicy },
  { method: 'GET', target: 'bucket', query: ['publicAccessBlock'], op: 'GetPublicAccessBlock', handler: getPublicAccessBlock },
  { method: 'PUT', target: 'bucket', query: ['publicAccessBlock'], op: 'PutPublicAccessBlock', handler: putPublicAccessBlock },
  { method: 'DELETE', target: 'bucket', query: ['publicAccessBlock'], op: 'DeletePublicAccessBlock', handler: deletePublicAccessBlock },
  { method: 'GET', target: 'bucket', query: ['ownershipControls'], op: 'GetBucketOwnershipControls', handler: getBucketOwnershipControls },
  { method: 'PUT', target: 'bucket', query: ['ownershipControls'], op: 'PutBucketOwnershipControls', handler: putBucketOwnershipControls },
  { method: 'DELETE', target: 'bucket', query: ['ownershipControls'], op: 'DeleteBucketOwnershipControls', handler: deleteBucketOwnershipControls },
  { method: 'GET', target: 'bucket', query: ['location'], op: 'GetBucketLocation', handler: getBucketLocation },
  { method: 'GET', target: 'bucket', query: ['versioning'], op: 'GetBucketVersioning', handler: getBucketVersioning },
  { method: 'GET', target: 'bucket', query: ['versions'], op: 'ListObjectVersions', handler: listObjectVersionsHandler },
  { method: 'GET', target: 'bucket', query: ['object-lock'], op: 'GetObjectLockConfiguration', handler: getObjectLockConfiguration },
  { method: 'GET', target: 'bucket', query: ['lifecycle'], op: 'GetBucketLifecycleConfiguration', handler: getBucketLifecycle },
  { method: 'GET', target: 'bucket', query: ['acl'], op: 'GetBucketAcl', handler: getAcl },
  { method: 'GET', target: 'bucket', query: ['cors'], op: 'GetBucketCors', handler: getBucketCors },
  { method: 'GET', target: 'bucket', query: ['tagging'], op: 'GetBucketTagging', handler: getBucketTagging },
  { method: 'GET', target: 'bucket', query: ['encryption'], op: 'GetBucketEncryption', handler: getBucketEncryption },
  { method: 'GET', target: 'bucket', query: ['uploads'], op: 'ListMultipartUploads', handler: listMultipartUploads },
  { method: 'GET', target: 'bucket', query: ['list-type'], op: 'ListObjectsV2', handler: listObjectsV2 },
  { method: 'GET', target: 'bucket', op: 'ListObjects', handler: listObjectsV1 },
  { method: 'HEAD', target: 'bucket', op: 'HeadBucket', handler: headBucket },
  { method: 'PUT', target: 'bucket', query: ['versioning'], op: 'PutBucketVersioning', handler: putBucketVersioning },
  { method: 'PUT', target: 'bucket', query: ['object-lock'], op: 'PutObjectLockConfiguration', handler: putObjectLockConfiguration },
  { method: 'PUT', target: 'bucket', query: ['lifecycle'], op: 'PutBucketLifecycleConfiguration', handler: putBucketLifecycle },
  { method: 'PUT', target: 'bucket', query: ['acl'], op: 'PutBucketAcl', handler: putBucketAcl },
  { method: 'PUT', target: 'bucket', query: ['cors'], op: 'PutBucketCors', handler: putBucketCors },
  { method: 'PUT', target: 'bucket', query: ['tagging'], op: 'PutBucketTagging', handler: putBucketTagging },
  { method: 'PUT', target: 'bucket', query: ['encryption'], op: 'PutBucketEncryption', handler: putBucketEncryption },
  { method: 'PUT', target: 'bucket', op: 'CreateBucket', handler: createBucket, needsBucket: false },
  { method: 'DELETE', target: 'bucket', query: ['cors'], op: 'DeleteBucketCors', handler: deleteBucketCors },
  { method: 'DELETE', target: 'bucket', query: ['lifecycle'], op: 'DeleteBucketLifecycle', handler: deleteBucketLifecycle },
  { method: 'DELETE', target: 'bucket', query: ['tagging'], op: 'DeleteBucketTagging', handler: deleteBucketTagging },
  { method: 'DELETE', target: 'bucket', query: ['encryption'], op: 'DeleteBucketEncryption', handler: deleteBucketEncryption },
  { method: 'DELETE', target: 'bucket', op: 'DeleteBucket', handler: withBucketTaggingCleanup(withPolicyCleanup(deleteBucket)) },
  { method: 'POST', target: 'bucket', query: ['delete'], op: 'DeleteObjects', handler: deleteObjects },
  // The form's own signature authenticates a browser-based upload (post-object/post-signature.ts).
  { method: 'POST', target: 'bucket', op: 'PostObject', handler: postObject, anonymous: true },
  { method: 'OPTIONS', target: 'bucket', op: 'CorsPreflight', handler: corsPreflight, anonymous: true },

  { method: 'GET', target: 'object', query: ['acl'], op: 'GetObjectAcl', handler: getAcl },
  { method: 'GET', target: 'object', query: ['tagging'], op: 'GetObjectTagging', handler: getObjectTagging },
  { method: 'GET', target: 'object', query: ['retention'], op: 'GetObjectRetention', handler: getObjectRetention },
  { method: 'GET', target: 'object', query: ['legal-hold'], op: 'GetObjectLegalHold', handler: getObjectLegalHold },
  { method: 'GET', target: 'object', query: ['attributes'], op: 'GetObjectAttributes', handler: getObjectAttributes },
  { method: 'GET', target: 'object', query: ['uploadId'], op: 'ListParts', handler: plaintextPartSizes(listParts) },
  { method: 'GET', target: 'object', op: 'GetObject', handler: withExpiration(decryptingRead(getObject, true), false) },
  { method: 'HEAD', target: 'object', op: 'HeadObject', handler: withExpiration(decryptingRead(headObject, false), false) },
  { method: 'PUT', target: 'object', query: ['acl'], op: 'PutObjectAcl', handler: putObjectAcl },
  { method: 'PUT', target: 'object', query: ['tagging'], op: 'PutObjectTagging', handler: putObjectTagging },
  { method: 'PUT', target: 'object', query: ['retention'], op: 'PutObjectRetention', handler: putObjectRetention },
  { method: 'PUT', target: 'object', query: ['legal-hold'], op: 'PutObjectLegalHold', handler: putObjectLegalHold },
  { method: 'PUT', target: 'object', query: ['partNumber', 'uploadId'], header: 'x-amz-copy-source', op: 'UploadPartCopy', handler: encryptingPartCopy(uploadPartCopy) },
  { method: 'PUT', target: 'object', query: ['partNumber', 'uploadId'], op: 'UploadPart', handler: encryptingPart(uploadPart) },
  { method: 'PUT', target: 'object', header: 'x-amz-copy-source', op: 'CopyObject', handler: encryptingCopy(copyObject) },
  { method: 'PUT', target: 'object', op: 'PutObject', handler: withExpiration(encryptingPut(putObject), true) },
  { method: 'DELETE', target: 'object', query: ['tagging'], op: 'DeleteObjectTagging', handler: deleteObjectTagging },
  { method: 'DELETE', target: 'object', query: ['uploadId'], op: 'AbortMultipartUpload', handler: abortMultipartUpload },
  { method: 'DELETE', target: 'object', op: 'DeleteObject', handler: deleteObject },
  { method: 'POST', target: 'object', query: ['uploads'], op: 'CreateMultipartUpload', handler: encryptingCreate(createMultipartUpload) },
  { method: 'POST', target: 'object', query: ['uploadId'], op: 'CompleteMultipartUpload', handler: encryptingComplete(completeMultipartUpload) },
  { method: 'OPTIONS', target: 'object', op: 'CorsPreflight', handler: corsPreflight, anonymous: true },
];
