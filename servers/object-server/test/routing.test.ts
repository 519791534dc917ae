/**
 * Routing, XML and error answers through app.inject(), table-driven, with anonymous access (auth is tested
 * over real sockets in the e2e files).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@strata/storage';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';

let app: FastifyInstance;
const storage = createMemoryStorage();

beforeAll(async () => {
  app = buildApp({ storage, credentials: [{ accessKeyId: 'k', secretAccessKey: 's' }], allowAnonymous: true });
  await app.inject({ method: 'PUT', url: '/bucket' });
  await app.inject({ method: 'PUT', url: '/bucket/obj', payload: 'hello world' });
});
afterAll(async () => {
  await app.close();
});

const code = (body: string) => /<Code>([^<]*)<\/Code>/.exec(body)?.[1];

describe('error answers', () => {
  const cases: [string, { method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD' | 'PATCH'; url: string; payload?: string; headers?: Record<string, string> }, number, string | undefined][] = [
    ['missing key', { method: 'GET', url: '/bucket/nope' }, 404, 'NoSuchKey'],
    ['missing bucket', { method: 'GET', url: '/nobucket/k' }, 404, 'NoSuchBucket'],
    ['missing bucket listing', { method: 'GET', url: '/nobucket' }, 404, 'NoSuchBucket'],
    ['HEAD error has no body', { method: 'HEAD', url: '/bucket/nope' }, 404, undefined],
    ['bad escape in path', { method: 'GET', url: '/bucket/%zz' }, 400, 'InvalidURI'],
    ['unbuilt sub-resource', { method: 'GET', url: '/bucket?replication' }, 501, 'NotImplemented'],
    ['unbuilt object sub-resource', { method: 'POST', url: '/bucket/obj?restore', payload: '' }, 501, 'NotImplemented'],
    ['unknown method', { method: 'PATCH', url: '/bucket/obj' }, 405, 'MethodNotAllowed'],
    ['POST object without sub-resource', { method: 'POST', url: '/bucket/obj' }, 405, 'MethodNotAllowed'],
    ['invalid bucket name', { method: 'PUT', url: '/Bad_Name' }, 400, 'InvalidBucketName'],
    ['IP-form bucket name', { method: 'PUT', url: '/192.168.1.1' }, 400, 'InvalidBucketName'],
    ['xn-- bucket name', { method: 'PUT', url: '/xn--abc' }, 400, 'InvalidBucketName'],
    ['-s3alias bucket name', { method: 'PUT', url: '/abc-s3alias' }, 400, 'InvalidBucketName'],
    ['reserved-prefix bucket name', { method: 'PUT', url: '/.strata' }, 400, 'InvalidBucketName'],
    ['non-empty bucket', { method: 'DELETE', url: '/bucket' }, 409, 'BucketNotEmpty'],
    ['malformed DeleteObjects', { method: 'POST', url: '/bucket?delete', payload: '<Delete><Object>' }, 400, 'MalformedXML'],
    ['DTD in XML', { method: 'POST', url: '/bucket?delete', payload: '<!DOCTYPE x [<!ENTITY e "k">]><Delete><Object><Key>&e;</Key></Object></Delete>' }, 400, 'MalformedXML'],
    ['empty DeleteObjects', { method: 'POST', url: '/bucket?delete', payload: '<Delete></Delete>' }, 400, 'MalformedXML'],
    ['wrong root element', { method: 'POST', url: '/bucket?delete', payload: '<Nope/>' }, 400, 'MalformedXML'],
    ['bad max-keys', { method: 'GET', url: '/bucket?list-type=2&max-keys=abc' }, 400, 'InvalidArgument'],
    ['bad continuation token', { method: 'GET', url: '/bucket?list-type=2&continuation-token=%%%' }, 400, undefined],
    ['bad encoding-type', { method: 'GET', url: '/bucket?list-type=2&encoding-type=base64' }, 400, 'InvalidArgument'],
    ['unknown upload', { method: 'GET', url: '/bucket/obj?uploadId=nope' }, 404, 'NoSuchUpload'],
    ['abort unknown upload', { method: 'DELETE', url: '/bucket/obj?uploadId=nope' }, 404, 'NoSuchUpload'],
    ['bad part number', { method: 'PUT', url: '/bucket/obj?partNumber=0&uploadId=x', payload: 'x' }, 400, 'InvalidArgument'],
    ['range beyond the end', { method: 'GET', url: '/bucket/obj', headers: { range: 'bytes=100-200' } }, 416, 'InvalidRange'],
    ['If-Match mismatch', { method: 'GET', url: '/bucket/obj', headers: { 'if-match': '"abc"' } }, 412, 'PreconditionFailed'],
    ['If-None-Match * on existing key', { method: 'PUT', url: '/bucket/obj', payload: 'x', headers: { 'if-none-match': '*' } }, 412, 'PreconditionFailed'],
    ['If-Match on missing key', { method: 'PUT', url: '/bucket/missing', payload: 'x', headers: { 'if-match': '"abc"' } }, 412, 'PreconditionFailed'],
    ['copy without source key', { method: 'PUT', url: '/bucket/c', headers: { 'x-amz-copy-source': 'bucket' } }, 400, 'InvalidArgument'],
    ['copy from missing bucket', { method: 'PUT', url: '/bucket/c', headers: { 'x-amz-copy-source': 'nob/k' } }, 404, 'NoSuchBucket'],
    ['copy onto itself unchanged', { method: 'PUT', url: '/bucket/obj', headers: { 'x-amz-copy-source': '/bucket/obj' } }, 400, 'InvalidRequest'],
    ['too many tags', { method: 'PUT', url: '/bucket/t', payload: 'x', headers: { 'x-amz-tagging': Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&') } }, 400, 'InvalidTag'],
    ['key too long', { method: 'PUT', url: `/bucket/${'k'.repeat(1025)}`, payload: 'x' }, 400, 'KeyTooLongError'],
    ['no CORS configuration', { method: 'GET', url: '/bucket?cors' }, 404, 'NoSuchCORSConfiguration'],
    ['signed with unknown key', { method: 'GET', url: '/bucket', headers: { authorization: 'AWS4-HMAC-SHA256 Credential=nobody/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00', 'x-amz-date': '20250101T000000Z' } }, 403, undefined],
  ];
  it.each(cases)('%s', async (_name, req, status, expected) => {
    const res = await app.inject(req);
    expect(res.statusCode).toBe(status);
    expect(res.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
    if (req.method === 'HEAD') {
      expect(res.body).toBe('');
      return;
    }
    expect(res.headers['content-type']).toMatch(/application\/xml/);
    expect(res.body).toContain(`<RequestId>${res.headers['x-amz-request-id']}</RequestId>`);
    expect(res.body).toContain('<Resource>');
    if (expected) expect(code(res.body)).toBe(expected);
  });

  it('stores nothing for a rejected write', async () => {
    await app.inject({ method: 'PUT', url: '/bucket/missing', payload: 'x', headers: { 'if-match': '"abc"' } });
    await expect(storage.head('bucket/missing')).rejects.toMatchObject({ code: 'NotFound' });
  });
});

describe('successful answers', () => {
  it('GetBucketLocation answers an empty constraint for us-east-1', async () => {
    const res = await app.inject({ method: 'GET', url: '/bucket?location' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>');
  });
  it('GetBucketVersioning answers an empty configuration', async () => {
    const res = await app.inject({ method: 'GET', url: '/bucket?versioning' });
    expect(res.body).toContain('<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></VersioningConfiguration>');
  });
  it('GetBucketAcl answers the canned owner ACL', async () => {
    const res = await app.inject({ method: 'GET', url: '/bucket?acl' });
    expect(res.body).toContain('<Permission>FULL_CONTROL</Permission>');
    // s3cmd `info` reads the grantee's xsi:type attribute and crashes without it (seen in the s3cmd interop test).
    expect(res.body).toContain('<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>');
  });
  it('writes dates as IMF-fixdate and ISO 8601 with milliseconds', async () => {
    const head = await app.inject({ method: 'HEAD', url: '/bucket/obj' });
    expect(head.headers['last-modified']).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(head.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(head.headers['content-length']).toBe('11');
    const list = await app.inject({ method: 'GET', url: '/bucket?list-type=2' });
    expect(list.body).toMatch(/<LastModified>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z<\/LastModified>/);
  });
  it('answers 304 with the ETag and no body', async () => {
    const head = await app.inject({ method: 'HEAD', url: '/bucket/obj' });
    const res = await app.inject({ method: 'GET', url: '/bucket/obj', headers: { 'if-none-match': String(head.headers.etag) } });
    expect(res.statusCode).toBe(304);
    expect(res.headers.etag).toBe(head.headers.etag);
    expect(res.body).toBe('');
  });
  it('serves suffix ranges and ignores multi-range requests', async () => {
    const suffix = await app.inject({ method: 'GET', url: '/bucket/obj', headers: { range: 'bytes=-5' } });
    expect(suffix.statusCode).toBe(206);
    expect(suffix.body).toBe('world');
    expect(suffix.headers['content-range']).toBe('bytes 6-10/11');
    const multi = await app.inject({ method: 'GET', url: '/bucket/obj', headers: { range: 'bytes=0-1,3-4' } });
    expect(multi.statusCode).toBe(200);
    expect(multi.body).toBe('hello world');
  });
  // S3 refuses response-* overrides on anonymous requests; signed ones are covered in e2e-objects.test.ts.
  it('refuses response-* overrides on anonymous GET and HEAD', async () => {
    const res = await app.inject({ method: 'GET', url: '/bucket/obj?response-content-type=text/x-test&response-content-disposition=attachment' });
    expect(res.statusCode).toBe(400);
    expect(code(res.body)).toBe('InvalidRequest');
    expect(res.body).toContain('Request specific response headers cannot be used for anonymous GET requests');
    expect(res.headers['content-disposition']).toBeUndefined();
    const head = await app.inject({ method: 'HEAD', url: '/bucket/obj?response-cache-control=no-store' });
    expect(head.statusCode).toBe(400);
    const plain = await app.inject({ method: 'GET', url: '/bucket/obj' });
    expect(plain.statusCode).toBe(200);
  });
  it('stores a key with traversal segments as that key', async () => {
    // inject() normalizes a literal `/../` in its URL; the SDK e2e test sends it literally over a socket.
    const res = await app.inject({ method: 'PUT', url: '/bucket/..%2Fescape', payload: 'x' });
    expect(res.statusCode).toBe(200);
    expect((await storage.head('bucket/../escape')).size).toBe(1);
    const list = await app.inject({ method: 'GET', url: '/bucket?list-type=2&prefix=..' });
    expect(list.body).toContain('<Key>../escape</Key>');
  });
  it('stores non-ASCII metadata as the text sent and returns it as an RFC 2047 encoded-word, as S3 does', async () => {
    const value = Buffer.from('grüße ✓', 'utf8').toString('latin1');
    await app.inject({ method: 'PUT', url: '/bucket/meta', payload: 'x', headers: { 'x-amz-meta-Greeting': value } });
    expect((await storage.head('bucket/meta')).userMetadata).toEqual({ greeting: 'grüße ✓' });
    const res = await app.inject({ method: 'HEAD', url: '/bucket/meta' });
    expect(res.headers['x-amz-meta-greeting']).toBe(`=?UTF-8?B?${Buffer.from('grüße ✓').toString('base64')}?=`);
  });
  it('serves /metrics and health without auth', async () => {
    const live = await app.inject({ method: 'GET', url: '/health/live' });
    expect(live.statusCode).toBe(200);
    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/strata_s3_requests_total\{operation="GetObject",status="200"\} \d+/);
    expect(metrics.body).toContain('strata_s3_request_duration_seconds_bucket');
  });
  it('DeleteObjects reports every key, or only errors when Quiet', async () => {
    await app.inject({ method: 'PUT', url: '/bucket/d1', payload: '1' });
    const res = await app.inject({
      method: 'POST',
      url: '/bucket?delete',
      payload: '<Delete><Object><Key>d1</Key></Object><Object><Key>d&amp;2</Key></Object></Delete>',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<Deleted><Key>d1</Key></Deleted><Deleted><Key>d&amp;2</Key></Deleted>');
    const quiet = await app.inject({ method: 'POST', url: '/bucket?delete', payload: '<Delete><Quiet>true</Quiet><Object><Key>x</Key></Object></Delete>' });
    expect(quiet.body).not.toContain('<Deleted>');
  });
  it('refuses more than 1000 keys in DeleteObjects', async () => {
    const objects = Array.from({ length: 1001 }, (_, i) => `<Object><Key>k${i}</Key></Object>`).join('');
    const res = await app.inject({ method: 'POST', url: '/bucket?delete', payload: `<Delete>${objects}</Delete>` });
    expect(code(res.body)).toBe('MalformedXML');
  });
  it('answers virtual-hosted requests by Host header', async () => {
    const res = await app.inject({ method: 'GET', url: '/obj', headers: { host: 'bucket.localhost:9000' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('hello world');
  });
});
