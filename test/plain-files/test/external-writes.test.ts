/**
 * What holds while other programs write into the served directory, through the object server over real
 * sockets (SigV4-signed requests), with the read cache in front as `strata serve` builds it
 * (`withReadCache(…, { stamp: createChangeStamp(root) })`):
 * - the read cache serves a hit only while the file is the one it read: a rewrite in place, a replacement
 *   by rename (even one that keeps size and mtime), a removal and a change of the file's attributes each turn
 *   the next GET and HEAD into a read of the file — and an unchanged file is still served from memory;
 * - a file changed a moment ago is read from the file until it has been still long enough for its
 *   timestamps to show a later change;
 * - a GET already streaming a file that is replaced by rename finishes with the old bytes, whole; one whose
 *   file is truncated in place fails (the connection is cut) instead of ending short of its Content-Length.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, truncateSync, unlinkSync, utimesSync, writeFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAttributeSync, setAttributeSync } from '@napi-rs/xattr';
import { buildApp } from '@strata/object-server';
import { createChangeStamp, openFileStorage } from '@strata/file';
import { withReadCache } from '@strata/storage';
import type { CachedStorage } from '@strata/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, md5 } from '../../interop/src/harness.ts';
import { encodeKey, signRequest } from '../../interop/src/sigv4.ts';

const CREDS = { accessKeyId: 'external', secretAccessKey: 'external-secret', region: 'us-east-1' };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Longer than the window in which a change is too fresh to fingerprint (change-stamp.ts). */
const SETTLE_MS = 250;

interface Answer {
  status: number;
  etag?: string;
  type?: string;
  body: Buffer;
}

let root: string;
let data: string;
let storage: CachedStorage;
let app: ReturnType<typeof buildApp>;
let port: number;

/** A signed request to `/bucket/key` on the server; the whole answer. */
function request(method: 'GET' | 'HEAD', key: string, headers: Record<string, string> = {}): Promise<Answer> {
  const signed = signRequest(CREDS, { method, host: `127.0.0.1:${port}`, path: `/files/${encodeKey(key)}`, headers, payloadHash: 'UNSIGNED-PAYLOAD' });
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: signed.path, headers: signed.headers, agent: false, timeout: 10_000 }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag, type: res.headers['content-type'], body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${key}: no answer in 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

const file = (key: string) => join(data, 'files', key);

/** Writes a file by hand, dated an hour back (an old file), and waits until its change is no longer fresh. */
async function oldFile(key: string, body: Buffer): Promise<void> {
  mkdirSync(join(file(key), '..'), { recursive: true });
  writeFileSync(file(key), body);
  const hourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(file(key), hourAgo, hourAgo);
  await sleep(SETTLE_MS);
}

/** GETs `key` until the read cache answers it (a fill may be undone once by the adapter recording the ETag). */
async function warm(key: string, body: Buffer): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const before = storage.cacheStats().hits;
    const got = await request('GET', key);
    expect(got.body.equals(body)).toBe(true);
    if (storage.cacheStats().hits > before) return;
    await sleep(SETTLE_MS);
  }
  throw new Error(`${key} never came from the read cache`);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'strata-external-writes-'));
  data = join(root, 'data');
  mkdirSync(join(data, 'files'), { recursive: true });
  writeFileSync(join(data, 'files', 'seed.txt'), 'makes files a bucket\n');
  storage = withReadCache(await openFileStorage({ root: data, fsync: 'never' }), { stamp: createChangeStamp(data) });
  app = buildApp({ storage, credentials: [CREDS], region: CREDS.region });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});
afterAll(async () => {
  await app?.close();
  await storage?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the read cache over a directory others write', () => {
  it('serves an unchanged file from memory, and a file rewritten in place from the file', async () => {
    const before = Buffer.from('version one of a small file\n');
    await oldFile('in-place.txt', before);
    await warm('in-place.txt', before);
    const hits = storage.cacheStats().hits;
    expect((await request('GET', 'in-place.txt')).body.equals(before)).toBe(true);
    expect((await request('HEAD', 'in-place.txt')).etag).toBe(`"${md5(before)}"`);
    expect(storage.cacheStats().hits).toBe(hits + 2);

    const after = Buffer.from('VERSION TWO OF A SMALL FILE\n'); // same size, same inode
    writeFileSync(file('in-place.txt'), after);
    expect((await request('HEAD', 'in-place.txt')).etag).toBe(`"${md5(after)}"`);
    const got = await request('GET', 'in-place.txt');
    expect([got.status, got.etag, got.body.toString()]).toEqual([200, `"${md5(after)}"`, after.toString()]);
  });

  it('reads a file replaced by rename again, even with its size and mtime kept', async () => {
    const before = bytes(5000, 1);
    await oldFile('renamed.bin', before);
    await warm('renamed.bin', before);
    const after = bytes(5000, 2);
    const { mtime } = statSync(file('renamed.bin'));
    writeFileSync(join(root, 'staged.bin'), after);
    utimesSync(join(root, 'staged.bin'), mtime, mtime); // what `cp -p` or `rsync -t` leaves: only the inode differs
    renameSync(join(root, 'staged.bin'), file('renamed.bin'));
    const got = await request('GET', 'renamed.bin');
    expect([got.etag, md5(got.body)]).toEqual([`"${md5(after)}"`, md5(after)]);
  });

  it('answers 404 for a cached file removed by hand', async () => {
    await oldFile('removed.txt', Buffer.from('soon gone\n'));
    await warm('removed.txt', Buffer.from('soon gone\n'));
    unlinkSync(file('removed.txt'));
    expect((await request('GET', 'removed.txt')).status).toBe(404);
    expect((await request('HEAD', 'removed.txt')).status).toBe(404);
  });

  it('reads a file again when only its attributes changed (ctime moved)', async () => {
    const body = Buffer.from('attributes change, bytes stay\n');
    await oldFile('attrs.txt', body);
    await warm('attrs.txt', body);
    setAttributeSync(file('attrs.txt'), 'user.other-tool', 'tagged');
    const { misses } = storage.cacheStats();
    expect((await request('GET', 'attrs.txt')).body.equals(body)).toBe(true);
    expect(storage.cacheStats().misses).toBe(misses + 1);
  });

  it('keeps a freshly changed file out of the cache until it has been still for a while', async () => {
    const body = Buffer.from('just written\n');
    writeFileSync(file('fresh.txt'), body);
    const { hits } = storage.cacheStats();
    for (let i = 0; i < 3; i++) expect((await request('GET', 'fresh.txt')).body.equals(body)).toBe(true);
    expect(storage.cacheStats().hits).toBe(hits);
    await sleep(SETTLE_MS);
    await warm('fresh.txt', body);
  });
});

describe('a file the server did not write', () => {
  it('keeps the Content-Type of its extension once its ETag is recorded', async () => {
    const body = Buffer.from('{"made":"by hand"}\n');
    await oldFile('hand-made.json', body);
    // The first read computes the MD5 and records it in the file's attribute, in the background.
    const first = await request('HEAD', 'hand-made.json');
    for (let i = 0; i < 50 && getAttributeSync(file('hand-made.json'), 'user.strata.meta') === null; i++) await sleep(20);
    const again = await request('HEAD', 'hand-made.json');
    expect([first.type, again.type]).toEqual(['application/json', 'application/json']);
    expect(again.etag).toBe(`"${md5(body)}"`);
  });
});

/**
 * Starts a GET of `key`, reads its first chunk, runs `change`, then reads on; resolves with what it got. A
 * body not finished 3 s after the change is given up (`timedOut`).
 */
function getWhileChanging(key: string, change: () => void): Promise<{ etag?: string; length: number; body: Buffer; complete: boolean; timedOut: boolean; error?: string }> {
  const signed = signRequest(CREDS, { method: 'GET', host: `127.0.0.1:${port}`, path: `/files/${encodeKey(key)}`, payloadHash: 'UNSIGNED-PAYLOAD' });
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    // Keep-alive, as SDKs and CLIs connect: the connection outlives one answer, so only Content-Length ends a body.
    const agent = new http.Agent({ keepAlive: true });
    const req = http.get({ host: '127.0.0.1', port, path: signed.path, headers: signed.headers, agent }, (res) => {
      const parts: Buffer[] = [];
      let changed = false;
      const done = (error?: string) => {
        clearTimeout(timer);
        agent.destroy();
        resolve({ etag: res.headers.etag, length: Number(res.headers['content-length']), body: Buffer.concat(parts), complete: res.complete, timedOut, ...(error ? { error } : {}) });
      };
      res.on('data', (d: Buffer) => {
        parts.push(d);
        if (changed) return;
        changed = true;
        res.pause();
        change();
        // Bounded: a body that ends short of its Content-Length on a live connection would wait here for ever.
        timer = setTimeout(() => {
          timedOut = true;
          req.destroy();
        }, 3_000);
        setTimeout(() => res.resume(), 50);
      });
      res.on('end', () => done());
      res.on('error', (e) => done(e.message));
    });
    req.on('error', reject);
  });
}

describe('a GET in flight while the file changes', () => {
  it('finishes with the old bytes, whole, when the file is replaced by rename', async () => {
    const before = bytes(8 * 1024 * 1024, 3);
    await oldFile('stream-rename.bin', before);
    const got = await getWhileChanging('stream-rename.bin', () => {
      writeFileSync(join(root, 'next.bin'), bytes(1024, 4));
      renameSync(join(root, 'next.bin'), file('stream-rename.bin'));
    });
    expect([got.complete, got.timedOut]).toEqual([true, false]);
    expect([got.etag, got.body.length, md5(got.body)]).toEqual([`"${md5(before)}"`, before.length, md5(before)]);
  });

  it('fails at once, not short, when the file is truncated in place', async () => {
    const before = bytes(8 * 1024 * 1024, 5);
    await oldFile('stream-truncate.bin', before);
    const got = await getWhileChanging('stream-truncate.bin', () => truncateSync(file('stream-truncate.bin'), 1024 * 1024));
    expect(got.length).toBe(before.length);
    // The server cut the connection: no waiting for bytes that will never come.
    expect([got.complete, got.timedOut]).toEqual([false, false]);
    expect(got.body.length).toBeLessThan(before.length);
    expect(got.error).toBeDefined();
  });
});
