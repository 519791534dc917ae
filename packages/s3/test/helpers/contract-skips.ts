/**
 * Contract cases the S3 adapter is exempt from, on every endpoint, and why. Shared by the external-endpoint
 * run here and by the loopback runs through the object server in `test/s3-e2e`.
 *
 * Keys above 1024 UTF-8 bytes need no skip: the adapter declares `capabilities.maxKeyBytes` (1024 minus the
 * prefix, AWS "Object key naming guidelines"), the front wrapper refuses longer keys with `InvalidKey`, and
 * the suite leaves such corpus keys out and checks that refusal instead.
 */

/**
 * - A put of unknown length larger than `partSize` is a multipart upload (a PutObject needs its length up
 *   front, so multipart is how such a body streams with bounded memory), so its ETag is S3's `md5-of-md5s-N`,
 *   where this case expects the hex MD5 of a single put. `test/s3-e2e/test/large-put.test.ts` covers the same
 *   streaming with bounded memory and checks the multipart ETag instead.
 */
export const S3_CONTRACT_SKIPS: readonly string[] = Object.freeze([
  'large objects > streams a large object in and out with bounded memory, bytes intact',
]);

/**
 * Contract cases skipped on Ceph RGW 16 (Pacific) besides {@link S3_CONTRACT_SKIPS}; the package README's "Ceph
 * RGW" section lists every difference, with those the adapter absorbs.
 *
 * - RGW completes a multipart upload only from a part list that names the uploaded parts from the first on,
 *   none left out (it walks the list and the stored parts side by side and answers `InvalidPart` at the first
 *   gap). No request sequence drops an uploaded part, so the adapter cannot offer a subset.
 */
export const CEPH_RGW_CONTRACT_SKIPS: readonly string[] = Object.freeze([
  'multipart > completes with a subset of the uploaded parts',
]);
