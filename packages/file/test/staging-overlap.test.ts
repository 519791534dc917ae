/**
 * Staging a large streamed put (object-write.ts) reads the body on while a batch is being written: the socket
 * of an upload keeps being read, and its bytes hashed, during the disk write instead of after it. Chunks reach
 * the file as they came from the body, never copied into a larger buffer on the way. A large durable body's
 * write-back starts while it is still arriving (an early fdatasync), a small one's never does, and a failed
 * early fdatasync fails the put with nothing stored.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBytes } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { openFileStorage } from '../src/index.ts';
import { WriteHandle } from '../src/write-handle.ts';

const CHUNK = 64 * 1024;
const SIZE = 4 * 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let storage: Storage;
const originalWritev = WriteHandle.prototype.writev;
const originalDatasync = WriteHandle.prototype.datasync;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-file-overlap-'));
  storage = await openFileStorage({ root: dir, fsync: 'always' });
});
afterEach(async () => {
  WriteHandle.prototype.writev = originalWritev;
  WriteHandle.prototype.datasync = originalDatasync;
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A body of `SIZE` bytes, pushed `perRead` chunks of `CHUNK` bytes at a time on later ticks; counts chunks. */
function countedBody(perRead: number, size = SIZE): { stream: Readable; bytes: Buffer; pulled: () => number } {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 131 + 17) & 0xff;
  let at = 0;
  let pulled = 0;
  const stream = new Readable({
    read() {
      setImmediate(() => {
        for (let i = 0; i < perRead; i++) {
          if (at >= size) {
            this.push(null);
            return;
          }
          pulled++;
          this.push(bytes.subarray(at, at + CHUNK));
          at += CHUNK;
        }
      });
    },
  });
  return { stream, bytes, pulled: () => pulled };
}

describe('staging a large streamed body', () => {
  it('reads the body on while a batch is being written', async () => {
    const { stream, bytes, pulled } = countedBody(1);
    let readDuringFirstWrite = -1;
    WriteHandle.prototype.writev = async function (chunks, position) {
      if (readDuringFirstWrite < 0) {
        // Hold the first write until the body has been read well past it (bounded: 2 s at most).
        const before = pulled();
        for (let i = 0; i < 200 && pulled() - before < 12; i++) await sleep(10);
        readDuringFirstWrite = pulled() - before;
      }
      return originalWritev.call(this, chunks, position);
    };
    const info = await storage.put('b/overlap', stream);
    expect(readDuringFirstWrite).toBeGreaterThanOrEqual(12);
    expect(info.etag).toBe(createHash('md5').update(bytes).digest('hex'));
    expect((await readBytes(await storage.get('b/overlap'))).equals(bytes)).toBe(true);
  });

  it('writes the chunks as they came, without gathering them into new buffers', async () => {
    const { stream, bytes } = countedBody(8);
    const written: number[] = [];
    WriteHandle.prototype.writev = function (chunks, position) {
      for (const c of chunks) written.push(c.length);
      return originalWritev.call(this, chunks, position);
    };
    const info = await storage.put('b/chunks', stream);
    expect(info.size).toBe(SIZE);
    expect(written.reduce((a, b) => a + b, 0)).toBe(SIZE);
    expect(Math.max(...written)).toBe(CHUNK);
    expect((await readBytes(await storage.get('b/chunks'))).equals(bytes)).toBe(true);
  });

  it("starts a large durable body's write-back while the body is still arriving", async () => {
    const size = 20 * 1024 * 1024;
    const { stream, bytes, pulled } = countedBody(8, size);
    const pulledAtDatasync: number[] = [];
    WriteHandle.prototype.datasync = function () {
      pulledAtDatasync.push(pulled());
      return originalDatasync.call(this);
    };
    const info = await storage.put('b/early', stream);
    expect(info.size).toBe(size);
    // At least one fdatasync ran before the last chunk was read (8 MiB after the start, then one at a time).
    expect(pulledAtDatasync.length).toBeGreaterThanOrEqual(1);
    expect(pulledAtDatasync[0]).toBeLessThan(size / CHUNK);
    expect((await readBytes(await storage.get('b/early'))).equals(bytes)).toBe(true);
  });

  it('adds no fdatasync to a small put', async () => {
    let datasyncs = 0;
    WriteHandle.prototype.datasync = function () {
      datasyncs++;
      return originalDatasync.call(this);
    };
    await storage.put('b/small', countedBody(8).stream);
    expect(datasyncs).toBe(0);
  });

  it('fails the put when an early fdatasync fails, and stores nothing', async () => {
    WriteHandle.prototype.datasync = () => Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO', syscall: 'fdatasync' }));
    await expect(storage.put('b/eio', countedBody(8, 20 * 1024 * 1024).stream)).rejects.toMatchObject({ name: 'StorageError' });
    await expect(storage.head('b/eio')).rejects.toMatchObject({ code: 'NotFound' });
    // The staged file was removed: nothing but empty staging directories remains besides the store's own files.
    const leftovers = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.strata-lock'));
    expect(leftovers.map((e) => e.name)).toEqual([]);
  });
});
