/**
 * A medium over an image file: positioned reads and writes (pread/pwrite through one `FileHandle`), `sync`
 * is `fdatasync` — what makes "every write completed before a flush is durable when it returns" true on a
 * real disk (see fsync(2); PostgreSQL's "fsyncgate" for why a failed sync is treated as fatal by callers).
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { PageMedium } from './types.ts';

/** Opens (or creates, with `create: true`, failing if it exists) an image file as a medium. */
export async function openFileMedium(path: string, options: { create?: boolean } = {}): Promise<PageMedium> {
  const fh: FileHandle = await open(path, options.create ? 'wx+' : 'r+');
  let size = (await fh.stat()).size;
  let closed = false;
  const check = () => {
    if (closed) throw new Error('file medium is closed');
  };
  return {
    size: () => size,
    async read(offset, target) {
      check();
      let done = 0;
      while (done < target.length) {
        const { bytesRead } = await fh.read(target, done, target.length - done, offset + done);
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
      while (done < data.length) {
        const { bytesWritten } = await fh.write(data, done, data.length - done, offset + done);
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
