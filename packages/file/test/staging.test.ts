/**
 * Staging a streamed put (object-io.ts): bodies are pulled from the stream a batch at a time; a body that spans
 * several write batches lands byte for byte, and one that fails, closes early or is cut short leaves no staged
 * file and no object behind.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStorageError, readBytes } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { openFileStorage } from '../src/index.ts';

let dir: string;
let storage: Storage;
const staged = () => readdirSync(join(dir, '.strata-staging'));
const codeOf = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (isStorageError(e) ? e.code : `raw ${String(e)}`));

/** `n` bytes in chunks of `size`, as a byte stream fed on later ticks. */
function chunked(n: number, size: number): { stream: Readable; bytes: Buffer } {
  const bytes = Buffer.alloc(n);
  for (let i = 0; i < n; i++) bytes[i] = (i * 31 + 7) & 0xff;
  let at = 0;
  const stream = new Readable({
    read() {
      setImmediate(() => {
        if (at >= n) this.push(null);
        else {
          this.push(bytes.subarray(at, Math.min(n, at + size)));
          at += size;
        }
      });
    },
  });
  return { stream, bytes };
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-file-staging-'));
  storage = await openFileStorage({ root: dir, fsync: 'always' });
});
afterEach(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('staging a streamed body', () => {
  for (const [n, size] of [
    [0, 1],
    [4096, 4096],
    [256 * 1024, 7 * 1024],
    [700 * 1024 + 3, 64 * 1024],
  ] as const) {
    it(`stores ${n} bytes sent in ${size}-byte chunks exactly, with their MD5`, async () => {
      const { stream, bytes } = chunked(n, size);
      const info = await storage.put('b/k', stream, { checksumAlgorithms: ['crc32'] });
      expect(info.size).toBe(n);
      expect(info.etag).toBe(createHash('md5').update(bytes).digest('hex'));
      expect((await readBytes(await storage.get('b/k'))).equals(bytes)).toBe(true);
      expect(staged()).toEqual([]);
    });
  }

  it('leaves nothing behind when the body fails after several batches', async () => {
    const { stream } = chunked(900 * 1024, 64 * 1024);
    let seen = 0;
    stream.on('data', (c: Buffer) => {
      seen += c.length;
      if (seen > 600 * 1024) stream.destroy(new Error('connection reset'));
    });
    expect(await codeOf(storage.put('b/failed', stream))).toBe('InvalidArgument');
    expect(staged()).toEqual([]);
    expect(await codeOf(storage.head('b/failed'))).toBe('NotFound');
  });

  it('leaves nothing behind when the body closes before its end without an error', async () => {
    // One chunk, then nothing until it is destroyed (a request whose connection went away).
    let sent = false;
    const stream = new Readable({
      read() {
        if (!sent) this.push(Buffer.alloc(300 * 1024, 1));
        sent = true;
      },
    });
    setTimeout(() => stream.destroy(), 20);
    expect(await codeOf(storage.put('b/closed', stream))).toBe('InvalidArgument');
    expect(staged()).toEqual([]);
    expect(await codeOf(storage.head('b/closed'))).toBe('NotFound');
  });

  it('leaves nothing behind when the body is shorter than declared or fails its digest', async () => {
    expect(await codeOf(storage.put('b/short', chunked(5000, 1000).stream, { contentLength: 6000 }))).toBe('InvalidArgument');
    expect(await codeOf(storage.put('b/bad', chunked(5000, 1000).stream, { contentMd5: '1B2M2Y8AsgTpgAmY7PhCfg==' }))).toBe('InvalidArgument');
    expect(staged()).toEqual([]);
    expect(await codeOf(storage.head('b/short'))).toBe('NotFound');
    expect(await codeOf(storage.head('b/bad'))).toBe('NotFound');
  });
});
