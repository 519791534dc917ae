/**
 * A GET that drops mid-way resumes, never mixing two versions' bytes: a proxy resets the connection part-way through a
 * 64 MiB GET once; the read completes with the right bytes, through a second GET with a Range from the first
 * missing byte pinned by If-Match.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStorageError, readBytes } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { createS3Adapter, createS3Storage, resumableBody } from '@strata/s3';
import { TEST_CREDENTIALS, TEST_REGION, startFileBackedServer } from '../src/object-server.ts';
import type { RunningServer } from '../src/object-server.ts';
import { startResetProxy } from '../src/reset-proxy.ts';
import type { ResetProxy } from '../src/reset-proxy.ts';

const MiB = 1024 * 1024;
const SIZE = 64 * MiB;
let server: RunningServer;
let proxy: ResetProxy;
let direct: Storage;
let viaProxy: Storage;
let md5: string;

/** Deterministic, non-repeating-per-chunk content. */
function* content(total: number): Generator<Buffer> {
  for (let off = 0, n = 0; off < total; off += MiB, n++) {
    const b = Buffer.alloc(Math.min(MiB, total - off), n % 256);
    b.writeUInt32BE(n, 0);
    yield b;
  }
}

beforeAll(async () => {
  server = await startFileBackedServer('fault');
  proxy = await startResetProxy(server.port);
  const common = { region: TEST_REGION, bucket: 'fault', credentials: TEST_CREDENTIALS };
  direct = createS3Storage({ ...common, endpoint: server.endpoint });
  viaProxy = createS3Storage({ ...common, endpoint: proxy.endpoint });
  const h = createHash('md5');
  for (const c of content(SIZE)) h.update(c);
  md5 = h.digest('hex');
  await direct.put('big', Readable.from(content(SIZE)), { contentLength: SIZE });
}, 120_000);
afterAll(async () => {
  await viaProxy?.close();
  await direct?.close();
  await proxy?.close();
  await server?.close();
});

describe('resumable get', () => {
  it('a 64 MiB read survives a connection reset part-way, with the right bytes', async () => {
    server.requests.length = 0;
    proxy.arm(20 * MiB);
    const got = await viaProxy.get('big');
    const h = createHash('md5');
    let size = 0;
    for await (const chunk of got.body) {
      h.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    expect(proxy.resets).toBe(1);
    expect(size).toBe(SIZE);
    expect(h.digest('hex')).toBe(md5);
    const gets = server.requests.filter((r) => r.method === 'GET');
    expect(gets).toHaveLength(2);
    expect(gets[0]?.range).toBeUndefined();
    expect(gets[1]?.range).toMatch(new RegExp(`^bytes=\\d+-${SIZE - 1}$`));
  }, 60_000);

  it('without resumes the same reset fails the read (the proxy really breaks it)', async () => {
    const noResume = createS3Storage({ region: TEST_REGION, bucket: 'fault', credentials: TEST_CREDENTIALS, endpoint: proxy.endpoint, maxResumes: 0 });
    proxy.arm(20 * MiB);
    const got = await noResume.get('big');
    const err = await readBytes(got.body).catch((e: unknown) => e);
    expect(isStorageError(err) && err.code).toBe('Unavailable');
    await noResume.close();
  }, 60_000);

  it('a ranged read resumes within its range', async () => {
    proxy.arm(4 * MiB);
    const got = await viaProxy.get('big', { range: { start: MiB, end: 9 * MiB - 1 } });
    const bytes = await readBytes(got.body);
    expect(bytes.length).toBe(8 * MiB);
    expect(bytes.readUInt32BE(0)).toBe(1);
    expect(bytes.readUInt32BE(7 * MiB)).toBe(8);
    expect(proxy.resets).toBe(3);
  }, 60_000);

  it('does not splice two versions: a resume against a changed object fails with PreconditionFailed', async () => {
    const adapter = createS3Adapter({ endpoint: server.endpoint, region: TEST_REGION, bucket: 'fault', credentials: TEST_CREDENTIALS });
    await direct.put('changing', 'new content');
    const first = new Readable({ read() {} });
    first.push(Buffer.from('old'));
    setImmediate(() => first.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })));
    const body = resumableBody(first, { core: adapter.core, key: 'changing', etag: 'ffffffffffffffffffffffffffffffff', start: 0, end: 10 });
    const err = await readBytes(body).catch((e: unknown) => e);
    expect(isStorageError(err) && err.code).toBe('PreconditionFailed');
    await adapter.close();
  });

  it('gives up after maxResumes with a retryable Unavailable', async () => {
    const adapter = createS3Adapter({ endpoint: server.endpoint, region: TEST_REGION, bucket: 'fault', credentials: TEST_CREDENTIALS });
    const first = new Readable({ read() {} });
    setImmediate(() => first.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
    const body = resumableBody(first, { core: adapter.core, key: 'big', etag: md5, start: 0, end: SIZE - 1, maxResumes: 0 });
    const err = await readBytes(body).catch((e: unknown) => e);
    expect(isStorageError(err) && err.code).toBe('Unavailable');
    expect(isStorageError(err) && err.retryable).toBe(true);
    await adapter.close();
  });
});
