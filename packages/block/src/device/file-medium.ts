/**
 * A medium over an image file: positioned reads and writes (pread/pwrite through one `FileHandle`), `sync`
 * is `fdatasync` — what makes "every write completed before a flush is durable when it returns" true on a
 * real disk (see fsync(2); PostgreSQL's "fsyncgate" for why a failed sync is treated as fatal by callers).
 *
 * Small transfers (up to `syncIoMax`, default 64 KiB) call pread/pwrite synchronously: a page-cache hit takes
 * a microsecond or two, while a trip through libuv's thread pool costs tens of microseconds — the page device
 * could otherwise never come near raw `pread` (the goal: within 0.8× of raw pread). The price: a cold read blocks the
 * event loop for one small disk read, as better-sqlite3's and LMDB's synchronous reads do. Larger transfers
 * and `fdatasync` (milliseconds) stay asynchronous. Set `syncIoMax: 0` for fully asynchronous I/O. A
 * synchronous transfer returns `undefined` rather than a resolved promise (see `PageMedium.read`): the page
 * device then completes a 4 KiB operation without an extra promise hop.
 */
import { readSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { PageMedium } from './types.ts';

/** Options of {@link openFileMedium}. */
export interface FileMediumOptions {
  /** Create the file (it must not exist). @default false */
  create?: boolean;
  /** Transfers up to this many bytes use synchronous pread/pwrite. @default 65536 */
  syncIoMax?: number;
}

/** Opens (or creates, with `create: true`, failing if it exists) an image file as a medium. */
export async function openFileMedium(path: string, options: FileMediumOptions = {}): Promise<PageMedium> {
  const fh: FileHandle = await open(path, options.create ? 'wx+' : 'r+');
  const syncMax = options.syncIoMax ?? 65536;
  let size = (await fh.stat()).size;
  let closed = false;
  const check = () => {
    if (closed) throw new Error('file medium is closed');
  };
  const fd = fh.fd;
  // The whole transfer, synchronously (short reads and writes are continued; a read past the end is zeros).
  const readNow = (offset: number, target: Buffer) => {
    let done = 0;
    while (done < target.length) {
      const bytesRead = readSync(fd, target, done, target.length - done, offset + done);
      if (bytesRead === 0) {
        target.fill(0, done);
        break;
      }
      done += bytesRead;
    }
  };
  const writeNow = (offset: number, data: Uint8Array) => {
    let done = 0;
    while (done < data.length) done += writeSync(fd, data, done, data.length - done, offset + done);
    if (offset + data.length > size) size = offset + data.length;
  };
  return {
    size: () => size,
    read(offset, target) {
      check();
      if (target.length <= syncMax) {
        readNow(offset, target);
        return undefined;
      }
      return (async () => {
        let done = 0;
        while (done < target.length) {
          const { bytesRead } = await fh.read(target, done, target.length - done, offset + done);
          if (bytesRead === 0) {
            target.fill(0, done);
            break;
          }
          done += bytesRead;
        }
      })();
    },
    write(offset, data) {
      check();
      if (data.length <= syncMax) {
        writeNow(offset, data);
        return undefined;
      }
      return (async () => {
        let done = 0;
        while (done < data.length) done += (await fh.write(data, done, data.length - done, offset + done)).bytesWritten;
        size = Math.max(size, offset + data.length);
      })();
    },
    async sync() {
      check();
      await fh.datasync();
    },
    async resize(bytes) {
      check();
      if (bytes > size) {
        await fh.truncate(bytes);
        size = bytes;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await fh.close();
    },
  };
}
