/**
 * Error messages for people. The server answers S3 error XML (Code, Message), which the SDK turns into an
 * exception named by the code; the few codes a console user meets get a sentence that says what to do.
 */

/** Sentences for the S3 error codes the console's actions can run into (codes from the S3 API reference, "Error responses"). */
const HINTS: Record<string, string> = {
  InvalidAccessKeyId: 'The server does not know this access key.',
  SignatureDoesNotMatch: 'The secret key does not match the access key (or the region is wrong).',
  AuthorizationHeaderMalformed: 'The region is wrong for this server.',
  RequestTimeTooSkewed: "This computer's clock differs from the server's by more than 15 minutes.",
  BucketNotEmpty: 'The bucket is not empty: delete its objects first.',
  BucketAlreadyOwnedByYou: 'You already have a bucket with this name.',
  BucketAlreadyExists: 'A bucket with this name already exists.',
  InvalidBucketName: 'Bucket names are 3 to 63 characters: lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit.',
  NoSuchBucket: 'The bucket does not exist (any more).',
  NoSuchKey: 'The object does not exist (any more).',
  NotFound: 'The object does not exist (any more).',
  NoSuchUpload: 'The server no longer knows this multipart upload (it was completed or aborted).',
  EntityTooSmall: 'A part of the multipart upload is smaller than the server accepts.',
  SlowDown: 'The server is busy: try again in a moment.',
  AccessDenied: 'Access denied: these keys are not allowed to do this.',
  InvalidTag: 'A tag is invalid: keys are 1 to 128 characters, values up to 256, at most 10 tags.',
};

/** A sentence for an error of any kind: an S3 error, a network failure, or anything else thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error && error.name === 'AbortError') return 'Cancelled.';
  const code = error instanceof Error ? error.name : undefined;
  const hint = code !== undefined ? HINTS[code] : undefined;
  if (hint !== undefined) return hint;
  if (error instanceof TypeError && /fetch/i.test(error.message)) return 'The server did not answer: is it still running?';
  if (error instanceof Error) {
    const message = error.message && error.message !== 'UnknownError' ? error.message : 'the server gave no reason';
    return code && code !== 'Error' && !message.startsWith(code) ? `${code}: ${message}` : message;
  }
  return String(error);
}
