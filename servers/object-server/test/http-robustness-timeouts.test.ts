/**
 * What a client can hold open on the server, attacked from outside over raw sockets against the file adapter
 * (so aborted uploads must leave no staging file): stalled bodies are answered with S3's 400 RequestTimeout
 * ("not read from or written to within the timeout period",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList) and closed; headers that
 * trickle (slow-loris) or never come are cut; idle keep-alive connections close; connections and requests in
 * flight are capped. Limits are short here; the defaults are in http-limits.ts.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { STAGING_DIR, createFileStorage } from '@strata/file';
import type { Storage } from '@strata/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpLimits } from '../src/http-limits.ts';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';
import { RawConnection, expectS3Error, signedHead, signerOf } from './raw-socket.ts';

const Bucket = 'robust';
const IDLE_MS = 300;
const LIMITS: Partial<HttpLimits> = { bodyIdleTimeoutMs: IDLE_MS, headersTimeoutMs: IDLE_MS, keepAliveTimeoutMs: 200 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const roots: string[] = [];
/** A server over the file adapter in a fresh directory, with `limits`; `wrap` may slow its storage down. */
async function fileServer(limits: Partial<HttpLimits>, wrap: (s: Storage) => Storage = (s) => s): Promise<{ server: TestServer; staging: () => string[] }> {
  const root = mkdtempSync(join(tmpdir(), 'strata-robust-'));
  roots.push(root);
  const server = await startServer({ storage: wrap(await createFileStorage({ root })), httpLimits: limits });
  await server.client().send(new CreateBucketCommand({ Bucket }));
  return { server, staging: () => readdirSync(join(root, STAGING_DIR)) };
}

/** Polls (bounded) until `done()` holds. */
async function eventually(done: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Storage whose `put` waits `ms` before it starts (and so before it reads the body). */
const slowPuts = (ms: number) => (storage: Storage): Storage =>
  new Proxy(storage, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      if (prop !== 'put') return v.bind(target);
      return async (...args: unknown[]) => {
        await sleep(ms);
        return (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });

const openConnections = (server: TestServer) =>
  new Promise<number>((resolve, reject) => server.app.server.getConnections((e, n) => (e ? reject(e) : resolve(n))));

let s: Awaited<ReturnType<typeof fileServer>>;
beforeAll(async () => {
  s = await fileServer(LIMITS);
});
afterAll(async () => {
  await s.server.close();
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** Opens a connection and sends a signed PUT of `key` announcing `length` bytes, then `first` of them. */
async function startPut(server: TestServer, key: string, length: number, first: Buffer): Promise<RawConnection> {
  const head = await signedHead(await signerOf(server.client()), server.port, { method: 'PUT', path: `/${Bucket}/${key}`, headers: { 'content-length': String(length) } });
  const conn = await RawConnection.open(server.port);
  conn.write(head);
  conn.write(first);
  return conn;
}

describe('a request body that stops moving', () => {
  it('is answered 400 RequestTimeout once idle for bodyIdleTimeoutMs, the connection closed and no staging file left', async () => {
    const conn = await startPut(s.server, 'stalled', 1000, Buffer.alloc(100, 1));
    expect(await eventually(() => s.staging().length > 0)).toBe(true); // the upload reached storage
    const started = Date.now();
    const res = await conn.response(5000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expectS3Error(res, 400, 'RequestTimeout');
    expect(res.body).toContain('<Message>Your socket connection to the server was not read from or written to within the timeout period.</Message>');
    expect(res.body).toContain(`<Resource>/${Bucket}/stalled</Resource>`);
    expect(res.headers.connection).toBe('close');
    expect(await conn.until(() => conn.ended, 3000)).toBe(true);
    expect(await eventually(() => s.staging().length === 0)).toBe(true);
    await expect(s.server.storage.head(`${Bucket}/stalled`)).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('50 stalled uploads are all answered and closed: no socket and no staging file stays behind', async () => {
    const conns = await Promise.all(Array.from({ length: 50 }, (_, i) => startPut(s.server, `many/${i}`, 1000, Buffer.alloc(10, 2))));
    const answers = await Promise.all(conns.map((c) => c.response(8000)));
    for (const res of answers) expectS3Error(res, 400, 'RequestTimeout');
    expect(await eventually(async () => (await openConnections(s.server)) === 0)).toBe(true);
    expect(await eventually(() => s.staging().length === 0)).toBe(true);
  });

  it('a body that keeps moving, slower than the timeout in total but never idle that long, is stored', async () => {
    const conn = await startPut(s.server, 'trickled', 10, Buffer.from('a'));
    for (let i = 1; i < 10; i++) {
      await sleep(IDLE_MS / 3);
      conn.write(String(i % 10));
    }
    const res = await conn.response(5000);
    expect(res.status, res.body).toBe(200);
    expect((await s.server.storage.head(`${Bucket}/trickled`)).size).toBe(10);
    conn.destroy();
  });

  it('a body received whole while storage is slower than the timeout is not cut: the server is the slow side', async () => {
    const slow = await fileServer(LIMITS, slowPuts(IDLE_MS * 3));
    try {
      const s3 = slow.server.client();
      await s3.send(new PutObjectCommand({ Bucket, Key: 'slow', Body: Buffer.alloc(200_000, 3) }));
      const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'slow' }));
      expect((await got.Body?.transformToByteArray())?.length).toBe(200_000);
    } finally {
      await slow.server.close();
    }
  });
});

describe('headers that do not arrive', () => {
  it('trickled a byte at a time (slow-loris) are cut after headersTimeoutMs with 400 RequestTimeout', async () => {
    const conn = await RawConnection.open(s.server.port);
    const head = `GET /${Bucket}/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'z'.repeat(200)}\r\n\r\n`;
    const started = Date.now();
    for (let i = 0; i < head.length - 4 && !conn.ended && Date.now() - started < 5000; i++) {
      conn.write(head[i] ?? '');
      await sleep(20);
    }
    const res = await conn.response(3000);
    expectS3Error(res, 400, 'RequestTimeout');
    expect(res.headers.connection).toBe('close');
    expect(await conn.until(() => conn.ended, 3000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(IDLE_MS + 3000);
  });

  it('never sent (a connection opened and left silent) are cut after headersTimeoutMs', async () => {
    const conn = await RawConnection.open(s.server.port);
    expect(await conn.until(() => conn.ended, IDLE_MS + 3000)).toBe(true);
  });
});

describe('an idle keep-alive connection', () => {
  it('is closed after keepAliveTimeoutMs (Node adds one second of grace)', async () => {
    const conn = await RawConnection.open(s.server.port);
    conn.write(`GET /${Bucket}/none HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    const res = await conn.response(3000);
    expect(res.status).toBe(403);
    expect(res.headers['keep-alive']).toBe('timeout=0');
    expect(await conn.until(() => conn.ended, 200 + 1000 + 2000)).toBe(true);
  });
});

describe('caps', () => {
  it('maxConnections: a connection past the cap is closed as it is accepted; one frees a place', async () => {
    const capped = await fileServer({ ...LIMITS, headersTimeoutMs: 60_000, maxConnections: 3 });
    try {
      const held = await Promise.all([0, 1, 2].map(() => RawConnection.open(capped.server.port)));
      expect(await eventually(async () => (await openConnections(capped.server)) === 3)).toBe(true);
      const refused = await RawConnection.open(capped.server.port);
      refused.write(`GET /${Bucket}/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      expect(await refused.until(() => refused.closed, 3000)).toBe(true);
      expect(refused.text).toBe('');
      held[0]?.destroy();
      expect(await eventually(async () => (await openConnections(capped.server)) === 2)).toBe(true);
      const admitted = await RawConnection.open(capped.server.port);
      admitted.write(`GET /${Bucket}/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      expect((await admitted.response(3000)).status).toBe(403);
      for (const c of [...held, admitted]) c.destroy();
    } finally {
      await capped.server.close();
    }
  });

  it('maxConcurrentRequests: requests pipelined behind a slow one hold no place once their connection is gone', async () => {
    const capped = await fileServer({ ...LIMITS, maxConcurrentRequests: 1 }, slowPuts(500));
    try {
      const head = await signedHead(await signerOf(capped.server.client()), capped.server.port, { method: 'PUT', path: `/${Bucket}/slow`, headers: { 'content-length': '5' } });
      const get = `GET /${Bucket}/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
      const conn = await RawConnection.open(capped.server.port);
      // The two GETs are parsed and answered (503 SlowDown: one place) while the PUT is in storage; their
      // answers wait for the PUT's, and the client leaves before any is sent.
      conn.write(`${head}hello${get}${get}`);
      await sleep(150);
      conn.destroy();
      expect(await eventually(async () => (await openConnections(capped.server)) === 0)).toBe(true);
      await sleep(600); // the PUT is over too
      const next = await RawConnection.open(capped.server.port);
      next.write(get);
      // One place, and nothing holds it: the answer is the request's own (unsigned: 403), not 503 SlowDown.
      expectS3Error(await next.response(3000), 403, 'AccessDenied');
      next.destroy();
    } finally {
      await capped.server.close();
    }
  });

  it('maxConcurrentRequests: a request past the cap is answered 503 SlowDown; places free as requests end', async () => {
    const capped = await fileServer({ ...LIMITS, bodyIdleTimeoutMs: 1000, maxConcurrentRequests: 2 });
    try {
      const stalled = await Promise.all([0, 1].map((i) => startPut(capped.server, `cap/${i}`, 1000, Buffer.alloc(10))));
      expect(await eventually(() => capped.staging().length === 2)).toBe(true);
      const extra = await RawConnection.open(capped.server.port);
      extra.write(`GET /${Bucket}/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      expectS3Error(await extra.response(3000), 503, 'SlowDown');
      for (const c of stalled) expectS3Error(await c.response(5000), 400, 'RequestTimeout');
      await capped.server.client().send(new PutObjectCommand({ Bucket, Key: 'after', Body: 'admitted again' }));
      extra.destroy();
    } finally {
      await capped.server.close();
    }
  });
});
