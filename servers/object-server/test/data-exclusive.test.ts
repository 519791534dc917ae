/**
 * `strata serve --data-exclusive`: the file backend's read cache without the per-hit check of the file.
 * Without the flag, a cached object whose file is replaced by hand (a new file renamed over it, as `cp`,
 * `rsync` and editors do) is served fresh; with it, the documented trade holds — the cached bytes are served
 * until the object is written through the server — and objects not in the cache are still read from their
 * files. Real files, the real AWS SDK over a real socket (through `openStorage`, as `serve` opens storage).
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { CachedStorage } from '@strata/storage';
import { afterEach, describe, expect, it } from 'vitest';
import { parseServeArgs } from '../src/cli.ts';
import { openStorage } from '../src/main.ts';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

/** Longer than the window in which a file's change is too fresh to fingerprint (change-stamp.ts in @strata/file). */
const SETTLE_MS = 250;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const Bucket = 'exclusive';

let server: TestServer | undefined;
let data: string | undefined;

afterEach(async () => {
  await server?.close();
  await server?.storage.close();
  if (data !== undefined) rmSync(data, { recursive: true, force: true });
  server = data = undefined;
});

/** A server over a file backend in a new directory, with a read cache, as `serve` opens it. */
async function start(dataExclusive: boolean): Promise<{ s3: ReturnType<TestServer['client']>; storage: CachedStorage; dir: string }> {
  data = mkdtempSync(join(tmpdir(), 'strata-data-exclusive-'));
  const storage = (await openStorage({ backend: 'file', data, readCacheMB: 8, dataExclusive })) as CachedStorage;
  server = await startServer({ storage });
  const s3 = server.client();
  await s3.send(new CreateBucketCommand({ Bucket }));
  return { s3, storage, dir: data };
}

async function getText(s3: ReturnType<TestServer['client']>, Key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket, Key }));
  return out.Body!.transformToString();
}

/** Replaces the object's file by hand: a new file renamed over it, same size, an hour old. */
function replaceByHand(dir: string, key: string, text: string): void {
  const staged = join(dir, `${key}.edit`);
  writeFileSync(staged, text);
  renameSync(staged, join(dir, Bucket, key));
}

/** PUTs `key` and GETs it until the read cache answers it. */
async function cached(s3: ReturnType<TestServer['client']>, storage: CachedStorage, key: string, text: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket, Key: key, Body: text }));
  await sleep(SETTLE_MS);
  for (let i = 0; i < 5; i++) {
    const hits = storage.cacheStats().hits;
    expect(await getText(s3, key)).toBe(text);
    if (storage.cacheStats().hits > hits) return;
  }
  throw new Error(`${key} never came from the read cache`);
}

describe('read cache over a data directory others may write (default)', () => {
  it('serves a file replaced by hand fresh, not the cached bytes', async () => {
    const { s3, storage, dir } = await start(false);
    await cached(s3, storage, 'doc.txt', 'version one');
    replaceByHand(dir, 'doc.txt', 'version TWO');
    expect(await getText(s3, 'doc.txt')).toBe('version TWO');
  });
});

describe('read cache with --data-exclusive', () => {
  it('serves the cached bytes of a file replaced by hand until the object is written through the server', async () => {
    const { s3, storage, dir } = await start(true);
    await cached(s3, storage, 'doc.txt', 'version one');
    replaceByHand(dir, 'doc.txt', 'version TWO');
    // The documented trade: no check of the file on a hit.
    expect(await getText(s3, 'doc.txt')).toBe('version one');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'doc.txt', Body: 'version three' }));
    expect(await getText(s3, 'doc.txt')).toBe('version three');
  });

  it('still reads objects that are not cached from their files', async () => {
    const { s3, dir } = await start(true);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'cold.txt', Body: 'cold one' }));
    replaceByHand(dir, 'cold.txt', 'cold two');
    expect(await getText(s3, 'cold.txt')).toBe('cold two');
  });
});

describe('strata serve --data-exclusive', () => {
  it('is off by default, on with the flag or STRATA_DATA_EXCLUSIVE', () => {
    expect(parseServeArgs([], {}).dataExclusive).toBe(false);
    expect(parseServeArgs(['--data-exclusive'], {}).dataExclusive).toBe(true);
    expect(parseServeArgs([], { STRATA_DATA_EXCLUSIVE: '1' }).dataExclusive).toBe(true);
    expect(parseServeArgs([], { STRATA_DATA_EXCLUSIVE: 'no' }).dataExclusive).toBe(false);
  });
});
