/**
 * Contract cases the S3 adapter is exempt from, on every endpoint, and why. Shared by the external-endpoint
 * run here and by the loopback runs through the object server in `test/s3-e2e`.
 *
 * Keys above 1024 UTF-8 bytes need no skip: the adapter declares `capabilities.maxKeyBytes` (1024 minus the
 * prefix, AWS "Object key naming guidelines"), the front wrapper refuses longer keys with `InvalidKey`, and
 * the suite leaves such corpus keys out and checks that refusal instead.
 */

/**
 * - A put of unknown length larger than `partSize` is a multipart upload (issue 6: "put of unknown-length
 *   streams through multipart with bounded memory"), so its ETag is S3's `md5-of-md5s-N`, where this case
 *   expects the hex MD5 of a single put. `test/s3-e2e/test/large-put.test.ts` covers the same streaming with
 *   bounded memory and checks the multipart ETag instead.
 */
export const S3_CONTRACT_SKIPS: readonly string[] = Object.freeze([
  'large objects > streams a large object in and out with bounded memory, bytes intact',
]);
