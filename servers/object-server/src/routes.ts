/**
 * The route rows (see router.ts for how they are matched). Each handler file links its AWS API page.
 */
import type { Route } from './router.ts';
import { getAcl, getBucketLocation, getBucketVersioning } from './handlers/bucket-config.ts';
import { deleteBucketCors, getBucketCors, putBucketCors } from './handlers/bucket-cors.ts';
import { createBucket } from './handlers/bucket-create.ts';
import { deleteBucket } from './handlers/bucket-delete.ts';
import { deleteObjects } from './handlers/bucket-delete-objects.ts';
import { headBucket } from './handlers/bucket-head.ts';
import { listObjectsV1 } from './handlers/bucket-list-objects-v1.ts';
import { listObjectsV2 } from './handlers/bucket-list-objects.ts';
import { corsPreflight } from './handlers/cors-preflight.ts';
import { abortMultipartUpload } from './handlers/multipart-abort.ts';
import { completeMultipartUpload } from './handlers/multipart-complete.ts';
import { createMultipartUpload } from './handlers/multipart-create.ts';
import { listMultipartUploads } from './handlers/multipart-list-uploads.ts';
import { listParts } from './handlers/multipart-list-parts.ts';
import { uploadPart, uploadPartCopy } from './handlers/multipart-upload-part.ts';
import { copyObject } from './handlers/object-copy.ts';
import { deleteObject } from './handlers/object-delete.ts';
import { getObject, headObject } from './handlers/object-get.ts';
import { putObject } from './handlers/object-put.ts';
import { deleteObjectTagging, getObjectTagging, putObjectTagging } from './handlers/object-tagging.ts';
import { listBuckets } from './handlers/service-list-buckets.ts';

/** Every route the server answers. Order matters: rows with sub-resources (and headers) first. */
export const routes: readonly Route[] = [
  { method: 'GET', target: 'service', op: 'ListBuckets', handler: listBuckets, needsBucket: false },

  { method: 'GET', target: 'bucket', query: ['location'], op: 'GetBucketLocation', handler: getBucketLocation },
  { method: 'GET', target: 'bucket', query: ['versioning'], op: 'GetBucketVersioning', handler: getBucketVersioning },
  { method: 'GET', target: 'bucket', query: ['acl'], op: 'GetBucketAcl', handler: getAcl },
  { method: 'GET', target: 'bucket', query: ['cors'], op: 'GetBucketCors', handler: getBucketCors },
  { method: 'GET', target: 'bucket', query: ['uploads'], op: 'ListMultipartUploads', handler: listMultipartUploads },
  { method: 'GET', target: 'bucket', query: ['list-type'], op: 'ListObjectsV2', handler: listObjectsV2 },
  { method: 'GET', target: 'bucket', op: 'ListObjects', handler: listObjectsV1 },
  { method: 'HEAD', target: 'bucket', op: 'HeadBucket', handler: headBucket },
  { method: 'PUT', target: 'bucket', query: ['cors'], op: 'PutBucketCors', handler: putBucketCors },
  { method: 'PUT', target: 'bucket', op: 'CreateBucket', handler: createBucket, needsBucket: false },
  { method: 'DELETE', target: 'bucket', query: ['cors'], op: 'DeleteBucketCors', handler: deleteBucketCors },
  { method: 'DELETE', target: 'bucket', op: 'DeleteBucket', handler: deleteBucket },
  { method: 'POST', target: 'bucket', query: ['delete'], op: 'DeleteObjects', handler: deleteObjects },
  { method: 'OPTIONS', target: 'bucket', op: 'CorsPreflight', handler: corsPreflight, anonymous: true },

  { method: 'GET', target: 'object', query: ['acl'], op: 'GetObjectAcl', handler: getAcl },
  { method: 'GET', target: 'object', query: ['tagging'], op: 'GetObjectTagging', handler: getObjectTagging },
  { method: 'GET', target: 'object', query: ['uploadId'], op: 'ListParts', handler: listParts },
  { method: 'GET', target: 'object', op: 'GetObject', handler: getObject },
  { method: 'HEAD', target: 'object', op: 'HeadObject', handler: headObject },
  { method: 'PUT', target: 'object', query: ['tagging'], op: 'PutObjectTagging', handler: putObjectTagging },
  { method: 'PUT', target: 'object', query: ['partNumber', 'uploadId'], header: 'x-amz-copy-source', op: 'UploadPartCopy', handler: uploadPartCopy },
  { method: 'PUT', target: 'object', query: ['partNumber', 'uploadId'], op: 'UploadPart', handler: uploadPart },
  { method: 'PUT', target: 'object', header: 'x-amz-copy-source', op: 'CopyObject', handler: copyObject },
  { method: 'PUT', target: 'object', op: 'PutObject', handler: putObject },
  { method: 'DELETE', target: 'object', query: ['tagging'], op: 'DeleteObjectTagging', handler: deleteObjectTagging },
  { method: 'DELETE', target: 'object', query: ['uploadId'], op: 'AbortMultipartUpload', handler: abortMultipartUpload },
  { method: 'DELETE', target: 'object', op: 'DeleteObject', handler: deleteObject },
  { method: 'POST', target: 'object', query: ['uploads'], op: 'CreateMultipartUpload', handler: createMultipartUpload },
  { method: 'POST', target: 'object', query: ['uploadId'], op: 'CompleteMultipartUpload', handler: completeMultipartUpload },
  { method: 'OPTIONS', target: 'object', op: 'CorsPreflight', handler: corsPreflight, anonymous: true },
];
