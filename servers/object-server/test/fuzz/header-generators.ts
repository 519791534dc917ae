/**
 * Generators of request headers: the x-amz-* headers S3 reads (copy source, metadata, tagging, ACLs,
 * encryption, checksums, payload hashes, dates), the standard ones it honours (conditions, ranges, Content-MD5),
 * random names and values, duplicates, oversized values, and broken Authorization headers.
 * Header list: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html#API_PutObject_RequestSyntax.
 */
import fc from 'fast-check';
import { FUZZ_BUCKET } from './fuzz-server.ts';
import { keyPath } from './path-generators.ts';

/** A header as sent: name and value, the value a latin1 string (one char per byte on the wire). */
export type RawHeader = [name: string, value: string];

/** Printable ASCII, the usual header value. */
const asciiValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });

/** Values HTTP allows but clients rarely send: obs-text (high latin1 bytes, UTF-8 read as latin1), tabs, padding. */
const oddValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 8 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).map((s) => Buffer.from(s, 'utf8').toString('latin1')),
  fc.constantFrom('\t', 'a\tb', ' padded  ', ''),
);

const dateValue = fc.oneof(
  fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')),
  fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
  fc.constantFrom('20130524T000000Z', 'yesterday', '0', '99999999T999999Z', 'Thu, 01 Jan 1970 00:00:00 GMT', ''),
);

const sha256Value = fc.oneof(
  fc.constantFrom('UNSIGNED-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'nope'),
  fc.stringMatching(/^[0-9a-f]{64}$/),
);

const checksumValue = fc.oneof(fc.base64String({ maxLength: 48 }), fc.constantFrom('AAAAAA==', 'not base64', '', '////'));

/** The copy source in every shape clients send: `bucket/key`, `/bucket/key`, encoded, versioned, broken. */
const copySource = fc.oneof(
  keyPath.map((k) => `${FUZZ_BUCKET}/${k}`),
  keyPath.map((k) => `/${FUZZ_BUCKET}/${k}`),
  keyPath.map((k) => `${FUZZ_BUCKET}/${k}?versionId=null`),
  fc.constantFrom('', '/', 'fuzz', 'fuzz/', 'no-such-bucket/x', 'fuzz/x?versionId=3', '%', 'fuzz/%zz', 'arn:aws:s3:::fuzz/x'),
);

/** Header names and value generators for the headers S3 gives a meaning to. */
const knownHeaders: [string, fc.Arbitrary<string>][] = [
  ['x-amz-copy-source', copySource],
  ['x-amz-copy-source-range', fc.constantFrom('bytes=0-0', 'bytes=0-', 'bytes=5-1', 'bytes=-3', 'bits=1-2', 'bytes=0-99999999999999999999')],
  ['x-amz-copy-source-if-match', asciiValue],
  ['x-amz-copy-source-if-modified-since', dateValue],
  ['x-amz-metadata-directive', fc.constantFrom('COPY', 'REPLACE', 'copy', 'MOVE', '')],
  ['x-amz-tagging-directive', fc.constantFrom('COPY', 'REPLACE', 'X')],
  ['x-amz-tagging', fc.oneof(fc.constantFrom('a=b', 'a=b&a=c', 'a', '=', '%zz=1', 'k=' + 'v'.repeat(300), Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&')), asciiValue)],
  ['x-amz-acl', fc.constantFrom('private', 'public-read', 'bucket-owner-full-control', 'nonsense')],
  ['x-amz-grant-read', asciiValue],
  ['x-amz-server-side-encryption', fc.constantFrom('AES256', 'aws:kms', 'aws:kms:dsse', 'ROT13')],
  ['x-amz-server-side-encryption-customer-algorithm', fc.constantFrom('AES256', 'x')],
  ['x-amz-storage-class', fc.constantFrom('STANDARD', 'GLACIER', 'REDUCED_REDUNDANCY', 'bogus')],
  ['x-amz-website-redirect-location', asciiValue],
  ['x-amz-object-lock-mode', fc.constantFrom('GOVERNANCE', 'COMPLIANCE', 'x')],
  ['x-amz-request-payer', fc.constantFrom('requester', 'x')],
  ['x-amz-expected-bucket-owner', asciiValue],
  ['x-amz-content-sha256', sha256Value],
  ['x-amz-decoded-content-length', fc.constantFrom('0', '1', '-1', '10', 'lots', '99999999999999999')],
  ['x-amz-trailer', fc.constantFrom('x-amz-checksum-crc32', 'x-amz-checksum-sha256', 'x-amz-checksum-bogus', '', ',')],
  ['x-amz-sdk-checksum-algorithm', fc.constantFrom('CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256', 'MD5', 'crc32')],
  ['x-amz-checksum-algorithm', fc.constantFrom('CRC32', 'SHA256', 'XXH3')],
  ['x-amz-checksum-type', fc.constantFrom('COMPOSITE', 'FULL_OBJECT', 'HALF')],
  ['x-amz-checksum-crc32', checksumValue],
  ['x-amz-checksum-crc32c', checksumValue],
  ['x-amz-checksum-crc64nvme', checksumValue],
  ['x-amz-checksum-sha1', checksumValue],
  ['x-amz-checksum-sha256', checksumValue],
  ['x-amz-checksum-mode', fc.constantFrom('ENABLED', 'x')],
  ['x-amz-mp-object-size', fc.constantFrom('0', '5', '-5', 'x')],
  ['x-amz-date', dateValue],
  ['x-amz-security-token', asciiValue],
  ['x-amz-user-agent', asciiValue],
  ['x-amz-bucket-region', asciiValue],
  ['content-md5', fc.oneof(checksumValue, fc.constant('1B2M2Y8AsgTpgAmY7PhCfg=='))],
  ['content-type', fc.constantFrom('application/xml', 'text/plain; charset=utf-8', 'multipart/form-data; boundary=x', '', 'a/b/c')],
  ['content-encoding', fc.constantFrom('gzip', 'aws-chunked', 'aws-chunked,gzip', 'identity', '')],
  ['content-disposition', asciiValue],
  ['cache-control', asciiValue],
  ['expires', dateValue],
  ['range', fc.constantFrom('bytes=0-0', 'bytes=0-', 'bytes=-1', 'bytes=5-2', 'bytes=0-1,3-4', 'bytes=99999999999999999999-', 'items=0-1', 'bytes=', '')],
  ['if-match', fc.constantFrom('*', '"abc"', 'W/"abc"', '', '"d41d8cd98f00b204e9800998ecf8427e"')],
  ['if-none-match', fc.constantFrom('*', '"abc"', '', 'x')],
  ['if-modified-since', dateValue],
  ['if-unmodified-since', dateValue],
  ['origin', fc.constantFrom('http://example.com', 'null', '*', '')],
  ['access-control-request-method', fc.constantFrom('GET', 'PUT', 'BREW', '')],
  ['access-control-request-headers', asciiValue],
  ['expect', fc.constantFrom('100-continue')],
  ['connection', fc.constantFrom('close', 'keep-alive', 'upgrade')],
  ['user-agent', asciiValue],
];

/** A header S3 gives a meaning to, with a plausible or hostile value. */
const knownHeader: fc.Arbitrary<RawHeader> = fc.oneof(...knownHeaders.map(([name, value]) => value.map((v): RawHeader => [name, v])));

/** User metadata: random names (some long), values ASCII or not. */
const metadataHeader: fc.Arbitrary<RawHeader> = fc.tuple(fc.stringMatching(/^[a-z0-9_-]{1,30}$/), fc.oneof(asciiValue, oddValue)).map(([n, v]): RawHeader => [`x-amz-meta-${n}`, v]);

/** Any token name with any value. */
const randomHeader: fc.Arbitrary<RawHeader> = fc.tuple(fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,24}$/), fc.oneof(asciiValue, oddValue)).map(([n, v]): RawHeader => [n, v]);

/** A header value of a few KiB: past S3's 2 KB of user metadata, within Node's 16 KiB of headers. */
const largeHeader: fc.Arbitrary<RawHeader> = fc.tuple(fc.constantFrom('x-amz-meta-big', 'x-big', 'cookie', 'x-amz-tagging'), fc.integer({ min: 1000, max: 6000 })).map(([n, size]): RawHeader => [n, 'b'.repeat(size)]);

/** All header bytes a well-formed request may carry: Node refuses more than 16 KiB (an HTTP-level case of its own). */
const MAX_HEADER_BYTES = 12_000;

/** A list of extra headers, with repeats, within {@link MAX_HEADER_BYTES}. */
export const extraHeaders: fc.Arbitrary<RawHeader[]> = fc
  .array(
    fc.oneof(
      { arbitrary: knownHeader, weight: 10 },
      { arbitrary: metadataHeader, weight: 3 },
      { arbitrary: randomHeader, weight: 3 },
      { arbitrary: largeHeader, weight: 1 },
    ),
    { maxLength: 6 },
  )
  .chain((headers) =>
    headers.length === 0 ? fc.constant(headers) : fc.subarray(headers, { maxLength: Math.min(2, headers.length) }).map((dups) => [...headers, ...dups]),
  )
  .filter((headers) => headers.reduce((n, [name, value]) => n + name.length + value.length + 4, 0) <= MAX_HEADER_BYTES);

/** Broken Authorization headers: every field of a SigV4 header wrong in turn, SigV2, SigV4a, junk. */
export const badAuthorization: fc.Arbitrary<string> = fc.oneof(
  fc
    .record({
      algorithm: fc.constantFrom('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1', 'aws4-hmac-sha256', 'AWS4-ECDSA-P256-SHA256'),
      akid: fc.constantFrom('test-access-key', 'unknown-key', '', 'a/b'),
      date: fc.constantFrom('20130524', '2013-05-24', '', '99999999'),
      region: fc.constantFrom('us-east-1', '', 'mars-1'),
      service: fc.constantFrom('s3', 'iam', ''),
      terminal: fc.constantFrom('aws4_request', 'aws5_request'),
      signed: fc.constantFrom('host;x-amz-date', 'host', '', ';;', 'Host;X-Amz-Date', 'x-amz-content-sha256;x-amz-date'),
      signature: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.constantFrom('', 'zz', '0'.repeat(65))),
      separator: fc.constantFrom(', ', ',', ' ', ',,'),
    })
    .map((a) => `${a.algorithm} Credential=${a.akid}/${a.date}/${a.region}/${a.service}/${a.terminal}${a.separator}SignedHeaders=${a.signed}${a.separator}Signature=${a.signature}`),
  fc.constantFrom('AWS test-access-key:c2lnbmF0dXJl', 'Bearer token', 'AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA256 ', 'AWS4-HMAC-SHA256 Credential', 'AWS4-HMAC-SHA256 Credential=,SignedHeaders=,Signature=', 'Basic Zm9vOmJhcg==', ''),
  asciiValue,
);

/** Broken presigned query parameters (SigV4 and SigV2 forms), as raw query pieces. */
export const badPresignedQuery: fc.Arbitrary<string> = fc.oneof(
  fc
    .record({
      algorithm: fc.constantFrom('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1', ''),
      credential: fc.constantFrom('test-access-key%2F20130524%2Fus-east-1%2Fs3%2Faws4_request', 'test-access-key/20130524/us-east-1/s3/aws4_request', 'unknown%2F20130524%2Fus-east-1%2Fs3%2Faws4_request', '%2F%2F%2F%2F', 'x'),
      date: fc.oneof(dateValue, fc.constant('20130524T000000Z')),
      expires: fc.constantFrom('1', '0', '-1', '604800', '604801', 'x', '99999999999', ''),
      signed: fc.constantFrom('host', '', 'host%3Bx-amz-meta-a', ';'),
      signature: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.constantFrom('', 'zz')),
    })
    .chain((p) =>
      fc.subarray([
        `X-Amz-Algorithm=${p.algorithm}`,
        `X-Amz-Credential=${p.credential}`,
        `X-Amz-Date=${encodeURIComponent(p.date)}`,
        `X-Amz-Expires=${p.expires}`,
        `X-Amz-SignedHeaders=${p.signed}`,
        `X-Amz-Signature=${p.signature}`,
      ], { minLength: 1 }),
    )
    .map((pieces) => pieces.join('&')),
  fc
    .record({ akid: fc.constantFrom('test-access-key', 'nobody', ''), expires: fc.constantFrom('0', '9999999999', 'x', '-5', ''), signature: fc.oneof(fc.base64String({ maxLength: 28 }), fc.constant('')) })
    .map((p) => `AWSAccessKeyId=${p.akid}&Expires=${p.expires}&Signature=${encodeURIComponent(p.signature)}`),
);
