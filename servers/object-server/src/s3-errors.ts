/**
 * S3's error codes the server answers with, their HTTP status and default message, from the AWS S3 API
 * reference "Error responses" (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 * Handlers and the auth layer throw {@link S3Error}; the one error handler serializes it.
 */

/** Every S3 error code the server can produce. */
export const S3_ERRORS = {
  AccessDenied: [403, 'Access Denied'],
  AuthorizationHeaderMalformed: [400, 'The authorization header is malformed.'],
  AuthorizationQueryParametersError: [400, 'Error parsing the X-Amz-Credential parameter.'],
  // A request that is not well-formed HTTP/1.1 (framing, Content-Length, header syntax): S3's answer to it.
  BadRequest: [400, 'An error occurred when parsing the HTTP request.'],
  BadDigest: [400, 'The Content-MD5 or checksum you specified did not match what we received.'],
  BucketAlreadyExists: [409, 'The requested bucket name is not available.'],
  BucketAlreadyOwnedByYou: [409, 'Your previous request to create the named bucket succeeded and you already own it.'],
  BucketNotEmpty: [409, 'The bucket you tried to delete is not empty.'],
  EntityTooLarge: [400, 'Your proposed upload exceeds the maximum allowed object size.'],
  EntityTooSmall: [400, 'Your proposed upload is smaller than the minimum allowed object size.'],
  ExpiredToken: [400, 'The provided token has expired.'],
  IncompleteBody: [400, 'You did not provide the number of bytes specified by the Content-Length HTTP header.'],
  InternalError: [500, 'We encountered an internal error. Please try again.'],
  InvalidAccessKeyId: [403, 'The AWS Access Key Id you provided does not exist in our records.'],
  InvalidArgument: [400, 'Invalid Argument'],
  InvalidBucketName: [400, 'The specified bucket is not valid.'],
  InvalidDigest: [400, 'The Content-MD5 you specified is not valid.'],
  InvalidObjectName: [400, 'Object key is not valid.'],
  InvalidPart: [400, 'One or more of the specified parts could not be found.'],
  // Browser-based uploads (PostObject, https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html).
  InvalidPolicyDocument: [400, 'The content of the form does not meet the conditions specified in the policy document.'],
  MalformedPOSTRequest: [400, 'The body of your POST request is not well-formed multipart/form-data.'],
  // Server-side encryption (https://docs.aws.amazon.com/AmazonS3/latest/userguide/serv-side-encryption.html).
  InvalidEncryptionAlgorithmError: [400, 'The encryption request you specified is not valid. The valid value is AES256.'],
  ServerSideEncryptionConfigurationNotFoundError: [404, 'The server side encryption configuration was not found'],
  InvalidPartOrder: [400, 'The list of parts was not in ascending order.'],
  InvalidPartNumber: [416, 'The requested partnumber is not satisfiable'],
  InvalidRange: [416, 'The requested range is not satisfiable'],
  InvalidRequest: [400, 'Invalid Request'],
  InvalidStorageClass: [400, 'The storage class you specified is not valid.'],
  InvalidTag: [400, 'The tag provided was not a valid tag.'],
  InvalidURI: [400, "Couldn't parse the specified URI."],
  InvalidLocationConstraint: [400, 'The specified location constraint is not valid.'],
  KeyTooLongError: [400, 'Your key is too long.'],
  MalformedTrailerError: [400, 'The request contained trailing data that was not well-formed or did not conform to our published schema.'],
  // Bucket policies ("PutBucketPolicy", https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html).
  MalformedPolicy: [400, 'Policies must be valid JSON and the first byte must be \'{\''],
  NoSuchBucketPolicy: [404, 'The bucket policy does not exist'],
  NoSuchPublicAccessBlockConfiguration: [404, 'The public access block configuration was not found'],
  OwnershipControlsNotFoundError: [404, 'The bucket ownership controls were not found'],
  // ACLs ("Access control list (ACL) overview", https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html;
  // Object Ownership, https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html).
  AccessControlListNotSupported: [400, 'The bucket does not allow ACLs'],
  InvalidBucketAclWithObjectOwnership: [400, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"],
  MalformedACLError: [400, 'The XML you provided was not well-formed or did not validate against our published schema'],
  UnresolvableGrantByEmailAddress: [400, 'The email address you provided does not match any account on record.'],
  // Object lock and lifecycle (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html,
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLifecycleConfiguration.html).
  InvalidBucketState: [409, 'The request is not valid with the current state of the bucket.'],
  NoSuchLifecycleConfiguration: [404, 'The lifecycle configuration does not exist'],
  NoSuchObjectLockConfiguration: [404, 'The specified object does not have a ObjectLock configuration'],
  ObjectLockConfigurationNotFoundError: [404, 'Object Lock configuration does not exist for this bucket'],
  MalformedXML: [400, 'The XML you provided was not well-formed or did not validate against our published schema.'],
  MaxMessageLengthExceeded: [400, 'Your request was too big.'],
  MetadataTooLarge: [400, 'Your metadata headers exceed the maximum allowed metadata size.'],
  MethodNotAllowed: [405, 'The specified method is not allowed against this resource.'],
  MissingContentLength: [411, 'You must provide the Content-Length HTTP header.'],
  MissingSecurityHeader: [400, 'Your request is missing a required header.'],
  NoSuchBucket: [404, 'The specified bucket does not exist.'],
  NoSuchCORSConfiguration: [404, 'The CORS configuration does not exist.'],
  NoSuchKey: [404, 'The specified key does not exist.'],
  NoSuchTagSet: [404, 'The TagSet does not exist.'],
  NoSuchUpload: [404, 'The specified multipart upload does not exist.'],
  NoSuchVersion: [404, 'The specified version does not exist.'],
  NotImplemented: [501, 'A header you provided implies functionality that is not implemented.'],
  NotModified: [304, 'Not Modified'],
  PreconditionFailed: [412, 'At least one of the pre-conditions you specified did not hold.'],
  ConditionalRequestConflict: [409, 'A conflicting conditional operation is currently in progress against this resource.'],
  RequestHeaderSectionTooLarge: [400, 'Your request header section exceeds the maximum allowed size.'],
  RequestTimeTooSkewed: [403, "The difference between the request time and the server's time is too large."],
  RequestTimeout: [400, 'Your socket connection to the server was not read from or written to within the timeout period.'],
  ServiceUnavailable: [503, 'Reduce your request rate.'],
  SignatureDoesNotMatch: [
    403,
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  ],
  SlowDown: [503, 'Please reduce your request rate.'],
  XAmzContentSHA256Mismatch: [400, "The provided 'x-amz-content-sha256' header does not match what was computed."],
  InsufficientStorage: [507, 'There is not enough space left on the storage medium.'],
} as const satisfies Record<string, readonly [number, string]>;

/** An S3 error code. */
export type S3ErrorCode = keyof typeof S3_ERRORS;

/** An error the server answers in S3's XML form (Code, Message, Resource, RequestId). */
export class S3Error extends Error {
  readonly code: S3ErrorCode;
  readonly status: number;
  /** Extra elements S3 adds to some errors (e.g. `ArgumentName`, `StringToSign`). */
  readonly extra: Record<string, string>;

  constructor(code: S3ErrorCode, message?: string, options: { cause?: unknown; extra?: Record<string, string> } = {}) {
    const [status, defaultMessage] = S3_ERRORS[code];
    super(message ?? defaultMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'S3Error';
    this.code = code;
    this.status = status;
    this.extra = options.extra ?? {};
  }
}

/** True when `e` is an {@link S3Error}. */
export function isS3Error(e: unknown): e is S3Error {
  return e instanceof S3Error;
}
