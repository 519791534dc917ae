/**
 * Generators of the addressing half of a request: bucket names, key segments as they appear in a request
 * target (percent-escapes valid and invalid, `..`, empty segments, reserved characters, the file adapter's
 * own `.strata*` names, unicode, segments past NAME_MAX and keys past S3's 1024 bytes), and query strings
 * (S3's sub-resources and list parameters, duplicates, bare names, bad escapes, presigned parameters).
 * S3's key rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html.
 */
import fc from 'fast-check';
import { UNBUILT_SUBRESOURCES } from '../../src/router.ts';
import { FUZZ_BUCKET, MAX_DOTDOT_SEGMENTS } from './fuzz-server.ts';

/** RFC 3986 encoding of a whole string (what SDKs send for a key segment). */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Bucket names: the existing bucket most of the time, else missing, invalid or colliding ones. */
export const bucketName: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant(FUZZ_BUCKET), weight: 12 },
  { arbitrary: fc.constantFrom('no-such-bucket', 'health', 'metrics', 'fuzz.localhost'), weight: 2 },
  {
    arbitrary: fc.constantFrom('A', 'ab', 'a_b', 'xn--abc', '..', '.', 'Fuzz', 'a'.repeat(64), '192.168.1.1', '.strata', '%66uzz', 'fu%7Azz'),
    weight: 2,
  },
  { arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,20}[a-z0-9]$/), weight: 1 },
);

const reservedCharacters = fc.constantFrom(';', '+', '=', '&', '!', '$', "'", '(', ')', '*', ',', ':', '@', '~', '[', ']');

/** Escapes that do not decode to UTF-8, or decode to something a key must not hold. */
const badEscape = fc.constantFrom('%', '%z', '%zz', '%4', '%E9', '%ED%A0%80', '%00', '%C0%AF', '%FF', '%F4%90%80%80', '%%');

/** Escapes that decode to awkward but valid key text. */
const goodEscape = fc.constantFrom('%2F', '%2f', '%252F', '%20', '%25', '%2B', '%3F', '%23', '%0A', '%0D', '%09', '%7F', '%C3%A9', '%F0%9F%99%82', '%EF%BF%BF');

/** The file adapter's reserved names (key-mapping.ts) and their escape forms. */
const adapterNames = fc.constantFrom('.strata', '.strata-self', '.strata-empty', '.strata-dot', '.strata-dotdot', '.strata-esc', '.strata-long-00', '.strata-name', '.strata-staging', '.strata-uploads', '.strata-lock', '.strata-escx');

/** One key segment, as it appears (encoded) in a request target. */
export const keySegment: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/), weight: 10 },
  { arbitrary: fc.constantFrom('..', '.', '', '...'), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).map(percentEncode), weight: 4 },
  { arbitrary: fc.array(fc.oneof(reservedCharacters, goodEscape, fc.stringMatching(/^[a-z]{1,3}$/)), { minLength: 1, maxLength: 5 }).map((p) => p.join('')), weight: 4 },
  { arbitrary: fc.tuple(fc.stringMatching(/^[a-z]{0,3}$/), badEscape).map(([a, b]) => a + b), weight: 1 },
  { arbitrary: adapterNames, weight: 2 },
  { arbitrary: fc.integer({ min: 200, max: 1100 }).map((n) => 'L'.repeat(n)), weight: 1 },
  { arbitrary: fc.integer({ min: 90, max: 400 }).map((n) => '%C3%A9'.repeat(n)), weight: 1 },
);

/** A key path (segments joined by `/`), with at most {@link MAX_DOTDOT_SEGMENTS} `..` segments. */
export const keyPath: fc.Arbitrary<string> = fc
  .array(keySegment, { minLength: 1, maxLength: 8 })
  .filter((segments) => segments.filter((s) => s === '..').length <= MAX_DOTDOT_SEGMENTS)
  .map((segments) => segments.join('/'));

/** Keys of hundreds of segments (empty, `.`, reserved names) that are past PATH_MAX once a file store escapes them. */
const deepKeyPath: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('', '.', '%2E', '.strata', 'd', '%C3%A9'), fc.integer({ min: 100, max: 700 }))
  .map(([seg, count]) => `a/${`${seg}/`.repeat(count)}b`);

/** The path of a request target: service, bucket, or bucket and key (path-style). */
export const requestPath: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant('/'), weight: 1 },
  { arbitrary: bucketName.map((b) => `/${b}`), weight: 3 },
  { arbitrary: bucketName.map((b) => `/${b}/`), weight: 1 },
  { arbitrary: fc.tuple(bucketName, keyPath).map(([b, k]) => `/${b}/${k}`), weight: 10 },
  { arbitrary: deepKeyPath.map((k) => `/${FUZZ_BUCKET}/${k}`), weight: 1 },
  { arbitrary: fc.constantFrom('/health/live', '/health/ready', '/metrics', '//', '/fuzz//', '/%2F', '/fuzz/%2F..%2F..%2Fetc'), weight: 1 },
);

/** Query parameter names the server's routes and handlers read. */
const builtQueryNames = fc.constantFrom(
  'uploads', 'uploadId', 'partNumber', 'delete', 'list-type', 'prefix', 'delimiter', 'max-keys', 'continuation-token',
  'start-after', 'encoding-type', 'fetch-owner', 'marker', 'key-marker', 'upload-id-marker', 'part-number-marker',
  'max-parts', 'max-uploads', 'versionId', 'response-content-type', 'response-content-disposition', 'response-expires',
  'response-cache-control', 'x-id', 'tagging', 'cors', 'acl', 'location', 'versioning',
);

/** Sub-resources S3 defines and the server answers NotImplemented, and the presigned parameters. */
const otherQueryNames = fc.constantFrom(
  ...UNBUILT_SUBRESOURCES,
  'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature',
  'X-Amz-Security-Token', 'AWSAccessKeyId', 'Signature', 'Expires',
);

const queryNames = fc.oneof({ arbitrary: builtQueryNames, weight: 8 }, { arbitrary: otherQueryNames, weight: 1 });

/** Values for query parameters: numbers of every kind, text, escapes valid and not. */
const queryValue = fc.oneof(
  { arbitrary: fc.constantFrom('', '1', '0', '-1', '2', '1000', '1001', '10000', '99999999999999999999', '1e3', '0x10', 'NaN', '+5', '%205', 'url', 'true', 'abc'), weight: 6 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }).map(percentEncode), weight: 4 },
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9+/=._~-]{0,40}$/), weight: 3 },
  { arbitrary: badEscape, weight: 2 },
  { arbitrary: fc.integer({ min: 1100, max: 5000 }).map((n) => 'v'.repeat(n)), weight: 1 },
);

/** One `name`, `name=`, or `name=value` piece of a query string. */
const queryPiece = fc.oneof(
  { arbitrary: fc.tuple(queryNames, queryValue).map(([n, v]) => `${n}=${v}`), weight: 8 },
  { arbitrary: queryNames, weight: 3 },
  { arbitrary: fc.tuple(fc.oneof(fc.stringMatching(/^[a-z-]{1,10}$/), badEscape), queryValue).map(([n, v]) => `${n}=${v}`), weight: 2 },
  { arbitrary: fc.constantFrom('', '=', '==', '&', '=x', '%26=%3D'), weight: 1 },
);

/** A raw query string (without `?`), empty half the time; duplicates and empty pieces included. */
export const queryString: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc.array(queryPiece, { minLength: 1, maxLength: 6 }).chain((pieces) =>
    fc.integer({ min: 0, max: pieces.length - 1 }).chain((dup) => fc.boolean().map((repeat) => (repeat ? [...pieces, pieces[dup] ?? ''] : pieces).join('&'))),
  ),
);
