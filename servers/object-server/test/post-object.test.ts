/**
 * PostObject, browser-based uploads ("Browser-Based Uploads Using POST (AWS Signature Version 4)",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-UsingHTTPPOST.html): forms built by the AWS SDK's
 * `createPresignedPost`, sent as multipart/form-data over a real socket, and their S3 errors.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

/** The test client as the presigned-post package types it (it may resolve another @aws-sdk/client-s3 release). */
const presignClient = () => server.client() as unknown as Parameters<typeof createPresignedPost>[0];

let server: TestServer;
const Bucket = 'uploads';

beforeAll(async () => {
  server = await startServer();
  await server.client().send(new CreateBucketCommand({ Bucket }));
});
afterAll(() => server.close());

/** Builds a presigned form and posts it with `file` last, as a browser does. */
async function post(options: Omit<PresignedPostOptions, 'Bucket'>, file: Blob | string, extra: { fields?: Record<string, string>; filename?: string } = {}) {
  const { url, fields } = await createPresignedPost(presignClient(), { Bucket, ...options });
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...fields, ...extra.fields })) form.append(name, value);
  form.append('file', typeof file === 'string' ? new Blob([file]) : file, extra.filename ?? 'photo.jpg');
  const res = await fetch(url, { method: 'POST', body: form, redirect: 'manual' });
  return { res, text: await res.text(), fields };
}

const errorCode = (xml: string) => /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
const errorMessage = (xml: string) => /<Message>([^<]+)<\/Message>/.exec(xml)?.[1]?.replaceAll('&quot;', '"');

describe('PostObject with createPresignedPost', () => {
  it('stores the file under the key and answers 204 by default', async () => {
    const { res } = await post({ Key: 'plain.txt' }, 'hello form');
    expect(res.status).toBe(204);
    expect(res.headers.get('etag')).toBe(`"${createHash('md5').update('hello form').digest('hex')}"`);
    const got = await server.client().send(new GetObjectCommand({ Bucket, Key: 'plain.txt' }));
    expect(await got.Body?.transformToString()).toBe('hello form');
  });

  it('substitutes ${filename}, stores Content-Type and metadata covered by the policy', async () => {
    const { res } = await post(
      {
        Key: 'user/eric/${filename}',
        Conditions: [['starts-with', '$Content-Type', 'image/'], { 'x-amz-meta-origin': 'browser' }],
        Fields: { 'Content-Type': 'image/jpeg', 'x-amz-meta-origin': 'browser' },
      },
      'jpeg bytes',
      { filename: 'cat.jpg' },
    );
    expect(res.status).toBe(204);
    const head = await server.client().send(new HeadObjectCommand({ Bucket, Key: 'user/eric/cat.jpg' }));
    expect(head.ContentType).toBe('image/jpeg');
    expect(head.Metadata).toEqual({ origin: 'browser' });
  });

  it('answers 201 with a PostResponse document, 200 empty, or 303 to the redirect', async () => {
    const created = await post({ Key: 'k201', Conditions: [{ success_action_status: '201' }], Fields: { success_action_status: '201' } }, 'x');
    expect(created.res.status).toBe(201);
    expect(created.text).toContain(`<Bucket>${Bucket}</Bucket><Key>k201</Key>`);
    expect(created.text).toContain('<PostResponse');
    const ok = await post({ Key: 'k200', Conditions: [{ success_action_status: '200' }], Fields: { success_action_status: '200' } }, 'x');
    expect(ok.res.status).toBe(200);
    const redirect = 'https://example.com/done?from=form';
    const moved = await post({ Key: 'k303', Conditions: [{ success_action_redirect: redirect }], Fields: { success_action_redirect: redirect } }, 'x');
    expect(moved.res.status).toBe(303);
    const location = new URL(moved.res.headers.get('location') ?? '');
    expect(location.searchParams.get('bucket')).toBe(Bucket);
    expect(location.searchParams.get('key')).toBe('k303');
    expect(location.searchParams.get('from')).toBe('form');
    expect(location.searchParams.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('enforces content-length-range: EntityTooLarge and EntityTooSmall, nothing stored', async () => {
    const range: PresignedPostOptions['Conditions'] = [['content-length-range', 5, 10]];
    const big = await post({ Key: 'big', Conditions: range }, 'x'.repeat(200_000));
    expect(big.res.status).toBe(400);
    expect(errorCode(big.text)).toBe('EntityTooLarge');
    const small = await post({ Key: 'small', Conditions: range }, 'xy');
    expect(errorCode(small.text)).toBe('EntityTooSmall');
    await expect(server.client().send(new HeadObjectCommand({ Bucket, Key: 'big' }))).rejects.toMatchObject({ name: 'NotFound' });
    await expect(server.client().send(new HeadObjectCommand({ Bucket, Key: 'small' }))).rejects.toMatchObject({ name: 'NotFound' });
    expect((await post({ Key: 'fits', Conditions: range }, 'x'.repeat(7))).res.status).toBe(204);
  });

  it('refuses a field that breaks a condition, and a field the policy does not cover', async () => {
    const broken = await post({ Key: 'a', Conditions: [['starts-with', '$key', 'user/']] }, 'x');
    expect(broken.res.status).toBe(403);
    expect(errorCode(broken.text)).toBe('AccessDenied');
    expect(errorMessage(broken.text)).toContain('Invalid according to Policy: Policy Condition failed: ["starts-with","$key","user/"]');
    const extra = await post({ Key: 'b' }, 'x', { fields: { 'x-amz-meta-sneaky': '1' } });
    expect(errorMessage(extra.text)).toBe('Invalid according to Policy: Extra input fields: x-amz-meta-sneaky');
    await expect(server.client().send(new HeadObjectCommand({ Bucket, Key: 'b' }))).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('refuses an expired policy, a tampered policy and a wrong signature', async () => {
    const expired = await post({ Key: 'late', Expires: -10 }, 'x');
    expect(errorMessage(expired.text)).toBe('Invalid according to Policy: Policy expired.');
    const tampered = await post({ Key: 'c' }, 'x', { fields: { Policy: Buffer.from('{"expiration":"2099-01-01T00:00:00Z","conditions":[]}').toString('base64') } });
    expect(errorCode(tampered.text)).toBe('SignatureDoesNotMatch');
    const wrong = await post({ Key: 'd' }, 'x', { fields: { 'X-Amz-Signature': '0'.repeat(64) } });
    expect(errorCode(wrong.text)).toBe('SignatureDoesNotMatch');
  });

  it('verifies x-amz-checksum-* fields against the file', async () => {
    const sha256 = (s: string) => createHash('sha256').update(s).digest('base64');
    const good = await post({ Key: 'sum', Conditions: [{ 'x-amz-checksum-sha256': sha256('summed') }], Fields: { 'x-amz-checksum-sha256': sha256('summed') } }, 'summed');
    expect(good.res.status).toBe(204);
    const bad = await post({ Key: 'sum2', Conditions: [{ 'x-amz-checksum-sha256': sha256('other') }], Fields: { 'x-amz-checksum-sha256': sha256('other') } }, 'summed');
    expect(bad.res.status).toBe(400);
    await expect(server.client().send(new HeadObjectCommand({ Bucket, Key: 'sum2' }))).rejects.toMatchObject({ name: 'NotFound' });
  });
});

describe('PostObject from another origin', () => {
  it('answers with the bucket CORS headers, so a script can read the answer', async () => {
    await server.client().send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['https://app.example'], AllowedMethods: ['POST'], ExposeHeaders: ['ETag'] }] } }));
    const { url, fields } = await createPresignedPost(presignClient(), { Bucket, Key: 'cors.txt' });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob(['x']), 'cors.txt');
    const res = await fetch(url, { method: 'POST', body: form, headers: { origin: 'https://app.example' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('access-control-expose-headers')).toBe('ETag');
  });

  it('keeps long x-amz-meta-* field names whole', async () => {
    const name = `x-amz-meta-${'n'.repeat(150)}`;
    const { res } = await post({ Key: 'long-meta', Conditions: [{ [name]: 'v' }], Fields: { [name]: 'v' } }, 'x');
    expect(res.status).toBe(204);
    expect((await server.client().send(new HeadObjectCommand({ Bucket, Key: 'long-meta' }))).Metadata).toEqual({ ['n'.repeat(150)]: 'v' });
  });
});

describe('PostObject malformed requests', () => {
  it('answers S3 errors for a body that is not a form, a form without a file, and a bad policy document', async () => {
    const notForm = await fetch(`${server.endpoint}/${Bucket}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(errorCode(await notForm.text())).toBe('PreconditionFailed');
    const { fields } = await createPresignedPost(presignClient(), { Bucket, Key: 'nofile' });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    const noFile = await fetch(`${server.endpoint}/${Bucket}`, { method: 'POST', body: form });
    expect(noFile.status).toBe(400);
    expect(errorMessage(await noFile.text())).toBe('POST requires exactly one file upload per request.');
    const broken = new FormData();
    broken.append('key', 'x');
    broken.append('policy', 'not base64 json');
    broken.append('file', new Blob(['x']));
    const anonymous = await fetch(`${server.endpoint}/${Bucket}`, { method: 'POST', body: broken });
    expect(errorCode(await anonymous.text())).toBe('InvalidArgument');
    const malformed = await fetch(`${server.endpoint}/${Bucket}`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=zzz' }, body: '--zzz\r\nbroken' });
    expect(malformed.status).toBe(400);
  });
});
