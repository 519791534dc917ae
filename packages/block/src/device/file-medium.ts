/**
 * A medium over an image file: positioned reads and writes (pread/pwrite through one `FileHandle`), `sync`
 * is `fdatasync` — what makes "every write completed before a flush is durable when it returns" true on a
 * real disk (see fsync(2); PostgreSQL's "fsyncgate" for why a failed sync is treated as fatal by callers).
 *
 * Small transfers (up to `syncIoMax`, default 64 KiB) call pread/pwrite synchronously: a page-cache hit takes
 * a microsecond or two, while a trip through libuv's thread pool costs tens of microseconds — the page device
 * could otherwise never come near raw `pread` (issue 4's goal: ≥ 0.8×). The price: a cold read blocks the
 * event loop for one small disk read, as better-sqlite3's and LMDB's synchronous reads do. Larger transfers
 * and `fdatasync` (milliseconds) stay asynchronous. Set `syncIoMax: 0` for fully asynchronous I/O.
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
  return {
    size: () => size,
    async read(offset, target) {
      check();
      const small = target.length <= syncMax;
      let done = 0;
      while (done < target.length) {
        const bytesRead = small ? readSync(fh.fd, target, done, target.length - done, offset + done) : (await fh.read(target, done, target.length - done, offset + done)).bytesRead;
        if (bytesRead === 0) {
          target.fill(0, done);
          break;
        }
        done += bytesRead;
      }
    },
    async write(offset, data) {
      check();
      let done = 0;
      const small = data.length <= syncMax;
      while (done < data.length) {
        const bytesWritten = small ? writeSync(fh.fd, data, done, data.length - done, offset + done) : (await fh.write(data, done, data.length - done, offset + done)).bytesWritten;
        done += bytesWritten;
      }
      size = Math.max(size, offset + data.length);
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
