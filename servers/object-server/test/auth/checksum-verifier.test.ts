/**
 * Checksum headers as storage.put receives them: x-amz-checksum-*, x-amz-sdk-checksum-algorithm, x-amz-trailer
 * and Content-MD5 (InvalidDigest when malformed), per "Checking object integrity" in the S3 user guide.
 */
import { describe, expect, it } from 'vitest';
import { createChecksumVerifier, storedContentEncoding } from '../../src/auth/index.ts';
import { s3ErrorOf } from './helpers.ts';

const none = () => ({});

describe('createChecksumVerifier', () => {
  it('reads one header checksum, validated by size', () => {
    const v = createChecksumVerifier({ 'x-amz-checksum-crc32': 'NhCmhg==', 'x-amz-sdk-checksum-algorithm': 'CRC32' }, none);
    expect(v.algorithms).toEqual(['crc32']);
    expect(v.expected()).toEqual({ crc32: 'NhCmhg==' });
    expect(v.contentMd5).toBeUndefined();
    const sha = createChecksumVerifier({ 'x-amz-checksum-sha256': 'LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=' }, none);
    expect(sha.algorithms).toEqual(['sha256']);
    const crc64 = createChecksumVerifier({ 'x-amz-checksum-crc64nvme': 'AAAAAAAAAAA=' }, none);
    expect(crc64.algorithms).toEqual(['crc64nvme']);
  });

  it('InvalidRequest for a value of the wrong size or not base64, or two algorithms at once', () => {
    for (const h of [
      { 'x-amz-checksum-crc32': 'NhCmhg' },
      { 'x-amz-checksum-crc32': 'AAAAAAAAAAA=' },
      { 'x-amz-checksum-sha1': 'not base64!' },
      { 'x-amz-checksum-crc32': 'NhCmhg==', 'x-amz-checksum-crc32c': 'NhCmhg==' },
      { 'x-amz-checksum-crc32': 'NhCmhg==', 'x-amz-trailer': 'x-amz-checksum-crc32c' },
      { 'x-amz-trailer': 'x-amz-checksum-crc32, x-amz-checksum-sha1' },
      { 'x-amz-trailer': 'x-amz-checksum-md5' },
      { 'x-amz-sdk-checksum-algorithm': 'MD5', 'x-amz-checksum-crc32': 'NhCmhg==' },
      { 'x-amz-sdk-checksum-algorithm': 'CRC32C', 'x-amz-checksum-crc32': 'NhCmhg==' },
    ]) {
      expect(s3ErrorOf(() => createChecksumVerifier(h, none)).code, JSON.stringify(h)).toBe('InvalidRequest');
    }
  });

  it('takes a trailer checksum from the decoder once the body has ended', () => {
    let trailers: Record<string, string> = {};
    const v = createChecksumVerifier({ 'x-amz-trailer': 'x-amz-checksum-crc32c', 'x-amz-sdk-checksum-algorithm': 'crc32c' }, () => trailers);
    expect(v.algorithms).toEqual(['crc32c']);
    expect(v.expected()).toEqual({});
    trailers = { 'x-amz-checksum-crc32c': 'sOO8/Q==', 'x-amz-trailer-signature': 'x' };
    expect(v.expected()).toEqual({ crc32c: 'sOO8/Q==' });
  });

  it('Content-MD5: passed on when well-formed, InvalidDigest otherwise', () => {
    expect(createChecksumVerifier({ 'content-md5': ' XrY7u+Ae7tCTyyK7j1rNww== ' }, none).contentMd5).toBe('XrY7u+Ae7tCTyyK7j1rNww==');
    for (const bad of ['', 'abc', 'XrY7u+Ae7tCTyyK7j1rNww', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=']) {
      const err = s3ErrorOf(() => createChecksumVerifier({ 'content-md5': bad }, none));
      expect(err.code, bad).toBe('InvalidDigest');
      expect(err.status).toBe(400);
    }
  });

  it('nothing asked, nothing expected', () => {
    const v = createChecksumVerifier({ 'content-type': 'text/plain' }, none);
    expect(v).toMatchObject({ algorithms: [] });
    expect(v.expected()).toEqual({});
  });
});

describe('storedContentEncoding', () => {
  it('drops aws-chunked, keeps the rest', () => {
    expect(storedContentEncoding({ 'content-encoding': 'aws-chunked' })).toBeUndefined();
    expect(storedContentEncoding({ 'content-encoding': 'aws-chunked,gzip' })).toBe('gzip');
    expect(storedContentEncoding({ 'content-encoding': 'gzip, AWS-CHUNKED' })).toBe('gzip');
    expect(storedContentEncoding({})).toBeUndefined();
  });
});
