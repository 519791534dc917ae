/**
 * Signature Version 2 presigned URLs against the example of the S3 documentation ("Signing and authenticating
 * REST requests", query string request authentication: the `johnsmith` puppy.jpg URL) and against the errors
 * S3 answers: unknown key, expired URL, tampered path or sub-resource, missing Expires. Header-form SigV2 stays
 * refused (authenticator.test.ts).
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DOC_CREDENTIALS, docAuthenticator, s3ErrorOf } from './helpers.ts';

/** The documentation's example: Expires 1175139620 (2007-03-29), signed for /johnsmith/photos/puppy.jpg. */
const DOC_URL = '/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D';
const DOC_NOW = Date.UTC(2007, 2, 29);

const sign = (stringToSign: string) => encodeURIComponent(createHmac('sha1', DOC_CREDENTIALS.secretAccessKey).update(stringToSign).digest('base64'));
const presigned = (path: string, stringToSign: string, expires: number, extraQuery = '') =>
  `${path}?${extraQuery}${extraQuery ? '&' : ''}AWSAccessKeyId=${DOC_CREDENTIALS.accessKeyId}&Expires=${expires}&Signature=${sign(stringToSign)}`;

describe('SigV2 presigned URLs', () => {
  it('accepts the documentation example (virtual-hosted: the bucket joins the resource)', () => {
    const a = docAuthenticator({ now: () => DOC_NOW });
    const res = a.authenticate({ method: 'GET', rawUrl: DOC_URL, headers: { host: 'johnsmith.s3.amazonaws.com' }, virtualHostBucket: 'johnsmith' });
    expect(res).toEqual({ accessKeyId: DOC_CREDENTIALS.accessKeyId, payload: { kind: 'unsigned' }, presigned: true });
    // The same URL path-style names another resource.
    expect(s3ErrorOf(() => a.authenticate({ method: 'GET', rawUrl: DOC_URL, headers: { host: 's3.amazonaws.com' } })).code).toBe('SignatureDoesNotMatch');
  });

  it('signs sub-resources and response-* overrides (decoded, sorted) but not other parameters', () => {
    const a = docAuthenticator({ now: () => DOC_NOW });
    const sts = 'GET\n\n\n1175139620\n/b/k?response-content-type=text/plain&uploadId=u 1';
    const url = presigned('/b/k', sts, 1175139620, 'uploadId=u%201&response-content-type=text%2Fplain&other=ignored');
    expect(a.authenticate({ method: 'GET', rawUrl: url, headers: {} }).accessKeyId).toBe(DOC_CREDENTIALS.accessKeyId);
    const tampered = url.replace('uploadId=u%201', 'uploadId=u%202');
    const err = s3ErrorOf(() => a.authenticate({ method: 'GET', rawUrl: tampered, headers: {} }));
    expect(err.code).toBe('SignatureDoesNotMatch');
    expect(err.extra.StringToSign).toBe('GET\n\n\n1175139620\n/b/k?response-content-type=text/plain&uploadId=u 2');
  });

  it('signs Content-Type, Content-MD5 and x-amz-* headers, from the query when botocore moved them there', () => {
    const a = docAuthenticator({ now: () => DOC_NOW });
    const sts = 'PUT\n\ntext/plain\n1175139620\nx-amz-meta-a:1\n/b/k';
    const inQuery = presigned('/b/k', sts, 1175139620, 'content-type=text%2Fplain&x-amz-meta-a=1');
    expect(a.authenticate({ method: 'PUT', rawUrl: inQuery, headers: {} }).presigned).toBe(true);
    const inHeaders = presigned('/b/k', sts, 1175139620);
    expect(a.authenticate({ method: 'PUT', rawUrl: inHeaders, headers: { 'content-type': 'text/plain', 'x-amz-meta-a': '1' } }).presigned).toBe(true);
    expect(s3ErrorOf(() => a.authenticate({ method: 'PUT', rawUrl: inHeaders, headers: { 'content-type': 'text/html', 'x-amz-meta-a': '1' } })).code).toBe('SignatureDoesNotMatch');
    expect(s3ErrorOf(() => a.authenticate({ method: 'GET', rawUrl: inQuery, headers: {} })).code).toBe('SignatureDoesNotMatch');
  });

  it('refuses expired URLs, unknown keys, a missing Expires and malformed signatures', () => {
    const url = presigned('/b/k', 'GET\n\n\n1175139620\n/b/k', 1175139620);
    const late = s3ErrorOf(() => docAuthenticator({ now: () => 1175139621_000 }).authenticate({ method: 'GET', rawUrl: url, headers: {} }));
    expect([late.code, late.message]).toEqual(['AccessDenied', 'Request has expired']);
    const a = docAuthenticator({ now: () => DOC_NOW });
    expect(s3ErrorOf(() => a.authenticate({ method: 'GET', rawUrl: url.replace('AKIAIOSFODNN7EXAMPLE', 'NOSUCHKEY'), headers: {} })).code).toBe('InvalidAccessKeyId');
    expect(s3ErrorOf(() => a.authenticate({ method: 'GET', rawUrl: '/b/k?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=abc', headers: {} })).code).toBe('AccessDenied');
    expect(s3ErrorOf(() => a.authenticate({ method: 'GET', rawUrl: url.replace(/Signature=[^&]+/, 'Signature=abc'), headers: {} })).code).toBe('SignatureDoesNotMatch');
    expect(s3ErrorOf(() => a.authenticate({ method: 'GET', rawUrl: url.replace('/b/k?', '/b/other?'), headers: {} })).code).toBe('SignatureDoesNotMatch');
  });
});
