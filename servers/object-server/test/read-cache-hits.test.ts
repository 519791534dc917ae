/**
 * GetObject answered from the read cache (the direct, synchronous path of dispatch.ts and direct-reply.ts):
 * over a real socket, a hit must answer exactly what a miss answers — status, body, every header but the
 * per-request ones — and keep every rule of the full path: ranges, conditions, response-* overrides,
 * checksum mode, CORS, metrics, and an error (not a broken answer) when a stored value cannot be a header.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 */
import { GetObjectCommand, PutBucketCorsCommand, PutObjectCommand, CreateBucketCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createMemoryStorage, withReadCache } from '@strata/storage';
import type { CachedStorage } from '@strata/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

/** Headers that differ per request by design. */
const PER_REQUEST = new Set(['date', 'x-amz-request-id', 'x-amz-id-2', 'connection', 'keep-alive']);

function stableHeaders(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!PER_REQUEST.has(name)) out[name] = value;
  });
  return out;
}

describe('GetObject from the read cache', () => {
  let server: TestServer;
  let storage: CachedStorage;
  let presign: (key: string, extra?: Partial<ConstructorParameters<typeof GetObjectCommand>[0]>) => Promise<string>;

  beforeAll(async () => {
    storage = withReadCache(createMemoryStorage());
    server = await startServer({ storage });
    const client = server.client();
    await client.send(new CreateBucketCommand({ Bucket: 'hot' }));
    await client.send(
      new PutObjectCommand({
        Bucket: 'hot',
        Key: 'a/obj.txt',
        Body: 'hello, cached world',
        ContentType: 'text/plain',
        CacheControl: 'max-age=60',
        Metadata: { plain: 'value', accented: 'café' },
        Tagging: 'k=v',
      }),
    );
    presign = (key, extra = {}) => getSignedUrl(client, new GetObjectCommand({ Bucket: 'hot', Key: key, ...extra }), { expiresIn: 600 });
  });
  afterAll(() => server.close());

  it('answers a hit exactly as the miss that filled it', async () => {
    const url = await presign('a/obj.txt');
    const before = storage.cacheStats().hits;
    const miss = await fetch(url);
    const missBody = await miss.text();
    const hit = await fetch(url);
    const hitBody = await hit.text();
    expect(storage.cacheStats().hits).toBe(before + 1);
    expect(hit.status).toBe(200);
    expect(hitBody).toBe('hello, cached world');
    expect(missBody).toBe(hitBody);
    expect(stableHeaders(hit)).toEqual(stableHeaders(miss));
    expect(hit.headers.get('content-length')).toBe(String('hello, cached world'.length));
    expect(hit.headers.get('x-amz-meta-accented')).toBe(`=?UTF-8?B?${Buffer.from('café').toString('base64')}?=`);
    expect(hit.headers.get('x-amz-tagging-count')).toBe('1');
    expect(hit.headers.get('x-amz-request-id')).toMatch(/^[0-9A-F]{16}$/);
    expect(hit.headers.get('x-amz-request-id')).not.toBe(miss.headers.get('x-amz-request-id'));
  });

  it('serves ranges from a hit (206 with Content-Range) and 416 past the end', async () => {
    const url = await presign('a/obj.txt');
    await (await fetch(url)).arrayBuffer();
    const part = await fetch(url, { headers: { range: 'bytes=7-12' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 7-12/19');
    expect(await part.text()).toBe('cached');
    const past = await fetch(url, { headers: { range: 'bytes=100-' } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe('bytes */19');
    expect(await past.text()).toContain('<Code>InvalidRange</Code>');
  });

  it('evaluates conditions on a hit: 304 with validators, 412 on a wrong If-Match', async () => {
    const url = await presign('a/obj.txt');
    const first = await fetch(url);
    await first.arrayBuffer();
    const etag = first.headers.get('etag') as string;
    const notModified = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe(etag);
    expect(notModified.headers.get('last-modified')).toBe(first.headers.get('last-modified'));
    const failed = await fetch(url, { headers: { 'if-match': '"0000"' } });
    expect(failed.status).toBe(412);
    expect(await failed.text()).toContain('<Code>PreconditionFailed</Code>');
  });

  it('applies response-* overrides and checksum mode on a hit without changing later plain hits', async () => {
    const plainUrl = await presign('a/obj.txt');
    await (await fetch(plainUrl)).arrayBuffer();
    const overridden = await fetch(await presign('a/obj.txt', { ResponseContentType: 'application/x-test', ResponseContentDisposition: 'attachment' }));
    expect(overridden.headers.get('content-type')).toBe('application/x-test');
    expect(overridden.headers.get('content-disposition')).toBe('attachment');
    await overridden.arrayBuffer();
    const withChecksum = await server.client().send(new GetObjectCommand({ Bucket: 'hot', Key: 'a/obj.txt', ChecksumMode: 'ENABLED' }));
    expect(withChecksum.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==$/);
    await withChecksum.Body?.transformToString();
    const plain = await fetch(plainUrl);
    expect(plain.headers.get('content-type')).toBe('text/plain');
    expect(plain.headers.get('content-disposition')).toBeNull();
    expect(plain.headers.get('x-amz-checksum-crc32')).toBeNull();
    await plain.arrayBuffer();
  });

  it('keeps checksum-mode hits and plain hits apart, whichever comes first (AWS GetObject, "ChecksumMode")', async () => {
    const client = server.client();
    await client.send(new PutObjectCommand({ Bucket: 'hot', Key: 'sums-first.txt', Body: 'checksummed', ChecksumAlgorithm: 'CRC32' }));
    const withSums = () => client.send(new GetObjectCommand({ Bucket: 'hot', Key: 'sums-first.txt', ChecksumMode: 'ENABLED' }));
    const first = await withSums();
    const crc = first.ChecksumCRC32;
    expect(crc).toMatch(/^[A-Za-z0-9+/]{6}==$/);
    await first.Body?.transformToString();
    const hitsBefore = storage.cacheStats().hits;
    const plain = await fetch(await presign('sums-first.txt'));
    expect(plain.headers.get('x-amz-checksum-crc32')).toBeNull();
    expect(await plain.text()).toBe('checksummed');
    const again = await withSums();
    expect(again.ChecksumCRC32).toBe(crc);
    expect(await again.Body?.transformToString()).toBe('checksummed');
    expect(storage.cacheStats().hits).toBe(hitsBefore + 2);
  });

  it('adds the CORS headers of the bucket to a hit from another origin', async () => {
    const client = server.client();
    await client.send(
      new PutBucketCorsCommand({ Bucket: 'hot', CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['https://app.example'], AllowedMethods: ['GET'] }] } }),
    );
    const url = await presign('a/obj.txt');
    await (await fetch(url)).arrayBuffer();
    const hit = await fetch(url, { headers: { origin: 'https://app.example' } });
    expect(hit.status).toBe(200);
    expect(hit.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(await hit.text()).toBe('hello, cached world');
  });

  it('counts the bytes of direct answers in the metrics', async () => {
    const url = await presign('a/obj.txt');
    await (await fetch(url)).arrayBuffer();
    // A metrics answer counts toward the next one: subtract its own length.
    const sent = async () => {
      const text = await (await fetch(`${server.endpoint}/metrics`)).text();
      return { total: Number(/strata_s3_sent_bytes_total (\d+)/.exec(text)?.[1]), own: Buffer.byteLength(text) };
    };
    const before = await sent();
    await (await fetch(url)).arrayBuffer();
    await new Promise((r) => setTimeout(r, 20)); // the onResponse hook runs when the answer has finished
    expect((await sent()).total - before.total - before.own).toBe(19);
  });

  it('answers an error, not a broken response, when a cached value cannot be a header', async () => {
    await storage.put('hot/bad-type', 'x', { contentType: 'text/plain\r\nx-injected: yes' });
    const url = await presign('bad-type');
    for (let i = 0; i < 2; i++) {
      const res = await fetch(url);
      expect(res.status).toBe(500);
      expect(res.headers.get('x-injected')).toBeNull();
      expect(await res.text()).toContain('<Code>InternalError</Code>');
    }
    // The connection pool still works afterwards.
    const ok = await fetch(await presign('a/obj.txt'));
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
  });
});
