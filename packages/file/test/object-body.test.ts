/**
 * The large-object GET body (object-body.ts): bytes byte-exact whichever way it is read, chunks written into an
 * HTTP response from a few reused buffers (never one buffer per chunk, never the whole object), reused only
 * once the write that carried them completed, so concurrent and slow responses never see each other's bytes;
 * a file truncated under an open body fails the response instead of ending it short; no descriptor leaks.
 * Real files, a real HTTP server and client over 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBytes } from '@strata/storage';
import type { GetResult, Storage } from '@strata/storage';
import { openFileStorage } from '../src/index.ts';
import { CHUNK_BYTES } from '../src/object-body.ts';

const MiB = 1 << 20;
const bytes = (n: number, seed: number) => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed + (i >> 12)) & 0xff;
  return b;
};
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const openFds = () => readdirSync('/proc/self/fd').length;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let root: string;
let storage: Storage;
let server: http.Server;
let port: number;
/** What the test's route does with each GET: the object's body, piped into the response, and the writes seen. */
let route: (res: http.ServerResponse) => Promise<GetResult>;
const writtenFrom: ArrayBufferLike[][] = [];
/** The most bytes each response held queued in memory (written, not yet taken by the socket). */
const mostQueued: number[] = [];

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'strata-file-body-'));
  storage = await openFileStorage({ root, fsync: 'never' });
  writtenFrom.length = 0;
  mostQueued.length = 0;
  server = http.createServer((req, res) => {
    const seen: ArrayBufferLike[] = [];
    writtenFrom.push(seen);
    const slot = mostQueued.push(0) - 1;
    const write = res.write.bind(res) as (chunk: Buffer, cb?: (err?: Error | null) => void) => boolean;
    res.write = ((chunk: Buffer, cb?: (err?: Error | null) => void) => {
      seen.push(chunk.buffer);
      const accepted = write(chunk, cb);
      mostQueued[slot] = Math.max(mostQueued[slot]!, res.writableLength);
      return accepted;
    }) as typeof res.write;
    route(res).then(
      (got) => {
        res.setHeader('content-length', got.range ? got.range.end - got.range.start + 1 : got.info.size);
        // What fastify does with a stream body (reply.js sendStream): a failing body cuts the connection.
        got.body.on('error', () => res.destroy());
        got.body.pipe(res);
      },
      (e: unknown) => res.writeHead(500).end(String(e)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await storage.close();
  rmSync(root, { recursive: true, force: true });
});

interface Fetched {
  body: Buffer;
  complete: boolean;
  length: number;
}

/** GETs from the test server; `pauseMs` holds the client after the first chunk (a slow reader). */
function fetch(path = '/', pauseMs = 0): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 10_000 }, (res) => {
      const parts: Buffer[] = [];
      let paused = pauseMs === 0;
      res.on('data', (d: Buffer) => {
        parts.push(d);
        if (!paused) {
          paused = true;
          res.pause();
          setTimeout(() => res.resume(), pauseMs);
        }
      });
      const done = () => resolve({ body: Buffer.concat(parts), complete: res.complete, length: Number(res.headers['content-length']) });
      res.on('end', done);
      res.on('aborted', done);
      res.on('error', done);
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 10 s')));
    req.on('error', reject);
  });
}

describe('large GET body', () => {
  it('writes into a response from a few reused buffers, byte-exact', async () => {
    const object = bytes(9 * MiB + 123, 1);
    await storage.put('big', object);
    route = () => storage.get('big');
    const got = await fetch();
    expect(got.complete).toBe(true);
    expect(md5(got.body)).toBe(md5(object));
    // 10 chunks, from at most three buffers (one read while two writes drain), not one buffer per chunk.
    const seen = writtenFrom[0]!;
    expect(seen.length).toBe(Math.ceil(object.length / CHUNK_BYTES));
    expect(new Set(seen).size).toBeLessThanOrEqual(3);
  });

  it('keeps concurrent and slow responses apart (a buffer is reused only once its write completed)', async () => {
    // Larger than the loopback socket buffers can hold, so the slow clients' writes stay pending.
    const objects = [0, 1, 2, 3].map((i) => bytes(16 * MiB + i * 1000, 10 + i));
    for (const [i, o] of objects.entries()) await storage.put(`o${i}`, o);
    route = (res) => storage.get(`o${(res.req.url ?? '/0').slice(1)}`);
    const got = await Promise.all(objects.map((_, i) => fetch(`/${i}`, i % 2 === 0 ? 300 : 0)));
    for (const [i, g] of got.entries()) {
      expect(g.complete).toBe(true);
      expect(md5(g.body), `object ${i}`).toBe(md5(objects[i]!));
    }
    // The socket's backpressure holds: a slow client has a few chunks queued, never its 16 MiB object.
    for (const queued of mostQueued) expect(queued).toBeLessThanOrEqual(2 * CHUNK_BYTES);
  });

  it('serves ranges across chunk boundaries exactly', async () => {
    const object = bytes(3 * MiB + 17, 2);
    await storage.put('ranged', object);
    for (const [start, end] of [[MiB - 3, 2 * MiB + 4], [0, CHUNK_BYTES], [3 * MiB, 3 * MiB + 16], [5, 3 * MiB + 16]] as const) {
      route = () => storage.get('ranged', { range: { start, end } });
      const got = await fetch();
      expect(got.complete).toBe(true);
      expect(got.body.equals(object.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
    }
  });

  it('gives a stream reader buffers of its own, which later reads never overwrite', async () => {
    const object = bytes(5 * MiB, 3);
    await storage.put('kept', object);
    const { body } = await storage.get('kept');
    const chunks: Buffer[] = [];
    for await (const chunk of body as Readable) chunks.push(chunk as Buffer);
    expect(new Set(chunks.map((c) => c.buffer)).size).toBe(chunks.length);
    expect(Buffer.concat(chunks).equals(object)).toBe(true);
    // Through the ordinary helper too (what the read cache and copies use).
    expect((await readBytes((await storage.get('kept')).body)).equals(object)).toBe(true);
  });

  it('fails the response, never ends it short, when the file was truncated under the open body', async () => {
    const object = bytes(6 * MiB, 4);
    await storage.put('cut', object);
    route = async () => {
      const got = await storage.get('cut'); // the file is open
      truncateSync(join(root, 'cut'), 2 * MiB + 5);
      return got;
    };
    const got = await fetch();
    expect(got.length).toBe(object.length);
    expect(got.complete).toBe(false);
    expect(got.body.length).toBe(2 * MiB + 5);
    expect(got.body.equals(object.subarray(0, 2 * MiB + 5))).toBe(true);
  });

  it('closes the file when the client goes away mid-body, and on every completed answer', async () => {
    await storage.put('left', bytes(16 * MiB, 5));
    route = () => storage.get('left');
    await fetch(); // warm-up: pools and lazily opened descriptors
    const before = openFds();
    for (let i = 0; i < 3; i++) await fetch();
    await new Promise<void>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        res.once('data', () => req.destroy());
      });
      req.on('close', () => resolve());
      req.on('error', () => undefined);
    });
    for (let i = 0; i < 50 && openFds() > before; i++) await sleep(20);
    expect(openFds()).toBeLessThanOrEqual(before);
  });
});
