/**
 * Response and request headers clients rely on, through the real AWS SDK and raw HTTP over a real socket, on
 * the file and block backends:
 *
 * - a `response-content-disposition` (or other `response-*` override) outside Latin-1, such as
 *   `attachment; filename="отчёт.pdf"`, answers 200 with the UTF-8 bytes of the value as the header's bytes (it
 *   was a 500, which boto3 retries four times); a value no header can carry is 400 InvalidArgument;
 * - `Content-Encoding: deflate, gzip` sent with aws-chunked framing is stored and returned as `deflate, gzip`;
 * - a Range on an empty object (or one starting past the end) is 416 InvalidRange with
 *   `Content-Range: bytes *\/<size>` (RFC 9110 §15.5.17;
 *   https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, "Range").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  CompleteMultipartUploadCommand,
} from '@aws-sdk/client-s3';
import type { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import { BACKENDS, startOver } from './backends.ts';
import { rawRequest } from './raw-http.ts';
import type { TestServer } from './helpers.ts';

const Bucket = 'headers';

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: S3ServiceException) => ({ name: e.name, status: e.$metadata.httpStatusCode }),
  );

describe.each(BACKENDS)('headers over the $name backend', (backend) => {
  let server: TestServer;
  let s3: S3Client;
  beforeAll(async () => {
    server = await startOver(backend);
    s3 = server.client();
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'report', Body: 'bytes of a report' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'empty', Body: '' }));
  });
  afterAll(async () => {
    await server.close();
  });

  describe('response-* overrides outside Latin-1', () => {
    const disposition = 'attachment; filename="отчёт.pdf"';

    it('answers 200 with the UTF-8 bytes of response-content-disposition (SDK)', async () => {
      const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'report', ResponseContentDisposition: disposition }));
      expect(got.$metadata.httpStatusCode).toBe(200);
      // Node reads header bytes as Latin-1: the UTF-8 bytes S3 sends come back through that decoding.
      expect(Buffer.from(got.ContentDisposition!, 'latin1').toString('utf8')).toBe(disposition);
      expect(await got.Body!.transformToString()).toBe('bytes of a report');
    });

    it('writes the UTF-8 bytes on the wire for a presigned GET and HEAD, every override', async () => {
      const overrides = {
        ResponseContentDisposition: disposition,
        ResponseContentType: 'text/plain; charset=utf-8; name="報告"',
        ResponseContentLanguage: 'ru-RU',
        ResponseCacheControl: 'private, note="ключ"',
        ResponseContentEncoding: 'identity',
      };
      const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'report', ...overrides }), { expiresIn: 60 });
      const path = url.slice(server.endpoint.length);
      const answer = await rawRequest(server.port, 'GET', path);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-disposition')?.equals(Buffer.from(disposition, 'utf8'))).toBe(true);
      expect(answer.headers.get('content-type')?.toString('utf8')).toBe(overrides.ResponseContentType);
      expect(answer.headers.get('cache-control')?.toString('utf8')).toBe(overrides.ResponseCacheControl);
      expect(answer.body.toString()).toBe('bytes of a report');
      const headUrl = await getSignedUrl(s3, new HeadObjectCommand({ Bucket, Key: 'report', ResponseContentDisposition: disposition }), { expiresIn: 60 });
      const head = await rawRequest(server.port, 'HEAD', headUrl.slice(server.endpoint.length));
      expect(head.status).toBe(200);
      expect(head.headers.get('content-disposition')?.toString('utf8')).toBe(disposition);
    });

    it('answers 400 InvalidArgument for a value no header can carry', async () => {
      const broken = await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'report', ResponseContentDisposition: 'attachment;\r\nx-injected: 1' })));
      expect(broken).toEqual({ name: 'InvalidArgument', status: 400 });
    });
  });

  describe('Content-Encoding with aws-chunked', () => {
    it('stores and returns `deflate, gzip` from a streamed put framed as aws-chunked', async () => {
      const sent: string[] = [];
      const client = server.client();
      client.middlewareStack.add(
        (next) => async (args) => {
          const request = args.request as { headers: Record<string, string> };
          sent.push(request.headers['content-encoding'] ?? '');
          return next(args);
        },
        { step: 'finalizeRequest', name: 'recordContentEncoding' },
      );
      const body = Readable.from([Buffer.from('compressed twice')]);
      await client.send(new PutObjectCommand({ Bucket, Key: 'encoded', Body: body, ContentLength: 16, ContentEncoding: 'deflate, gzip' }));
      expect(sent[0]).toMatch(/aws-chunked/);
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'encoded' }));
      expect(head.ContentEncoding).toBe('deflate, gzip');
      const raw = await rawRequest(server.port, 'HEAD', (await getSignedUrl(s3, new HeadObjectCommand({ Bucket, Key: 'encoded' }))).slice(server.endpoint.length));
      expect(raw.headers.get('content-encoding')?.toString()).toBe('deflate, gzip');
    });

    it('keeps the order and drops only aws-chunked at any place in the list, for multipart too', async () => {
      const client = server.client();
      client.middlewareStack.add(
        (next) => async (args) => {
          const request = args.request as { headers: Record<string, string> };
          // Before signing, after the SDK appended aws-chunked: the framing named first, odd spacing kept.
          if (/aws-chunked/.test(request.headers['content-encoding'] ?? '')) request.headers['content-encoding'] = 'aws-chunked, br ,deflate';
          return next(args);
        },
        { step: 'build', name: 'reorderContentEncoding', priority: 'low' },
      );
      const body = Readable.from([Buffer.from('x')]);
      await client.send(new PutObjectCommand({ Bucket, Key: 'encoded-2', Body: body, ContentLength: 1, ContentEncoding: 'deflate, gzip' }));
      expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'encoded-2' }))).ContentEncoding).toBe('br ,deflate');

      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'encoded-mp', ContentEncoding: 'deflate, gzip' }));
      const part = await s3.send(new UploadPartCommand({ Bucket, Key: 'encoded-mp', UploadId, PartNumber: 1, Body: Readable.from([Buffer.from('p')]), ContentLength: 1 }));
      await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'encoded-mp', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
      expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'encoded-mp' }))).ContentEncoding).toBe('deflate, gzip');
    });
  });

  describe('Range on an empty object', () => {
    it.each(['bytes=0-', 'bytes=0-0', 'bytes=5-10', 'bytes=-5'])('answers 416 InvalidRange to GET %s (SDK)', async (Range) => {
      expect(await failure(s3.send(new GetObjectCommand({ Bucket, Key: 'empty', Range })))).toEqual({ name: 'InvalidRange', status: 416 });
    });

    it('sends Content-Range: bytes */0 and the S3 error elements, on GET and HEAD', async () => {
      const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'empty' }), { expiresIn: 60 });
      const get = await rawRequest(server.port, 'GET', url.slice(server.endpoint.length), { Range: 'bytes=0-' });
      expect(get.status).toBe(416);
      expect(get.headers.get('content-range')?.toString()).toBe('bytes */0');
      expect(get.body.toString()).toMatch(/<Code>InvalidRange<\/Code>.*<RangeRequested>bytes=0-<\/RangeRequested><ActualObjectSize>0<\/ActualObjectSize>/);
      const headUrl = await getSignedUrl(s3, new HeadObjectCommand({ Bucket, Key: 'empty' }), { expiresIn: 60 });
      const head = await rawRequest(server.port, 'HEAD', headUrl.slice(server.endpoint.length), { Range: 'bytes=0-' });
      expect([head.status, head.headers.get('content-range')?.toString()]).toEqual([416, 'bytes */0']);
    });

    it('still answers the empty object whole without a Range, and a range past the end of a non-empty one is 416', async () => {
      const whole = await s3.send(new GetObjectCommand({ Bucket, Key: 'empty' }));
      expect([whole.$metadata.httpStatusCode, whole.ContentLength, await whole.Body!.transformToString()]).toEqual([200, 0, '']);
      const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'report' }), { expiresIn: 60 });
      const past = await rawRequest(server.port, 'GET', url.slice(server.endpoint.length), { Range: 'bytes=100-' });
      expect([past.status, past.headers.get('content-range')?.toString()]).toEqual([416, 'bytes */17']);
      const inside = await s3.send(new GetObjectCommand({ Bucket, Key: 'report', Range: 'bytes=0-4' }));
      expect([inside.$metadata.httpStatusCode, inside.ContentRange]).toEqual([206, 'bytes 0-4/17']);
    });
  });
});
