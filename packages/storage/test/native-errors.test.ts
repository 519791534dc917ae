/**
 * The one errno table every file-system and device adapter uses, checked with real errors from the file
 * system: each errno maps to the code a caller can act on, and no message names a path (messages may reach a
 * client in S3 error XML; the paths stay in `cause`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NATIVE_ERROR_CODES, StorageError, createStorage, describeNative, nativeToStorageError } from '@strata/storage/adapter';
import type { StorageAdapter } from '@strata/storage/adapter';
import { createMemoryAdapter, StorageError as MainStorageError } from '../src/index.ts';
import { toStorageError as frontToStorageError } from '../src/to-storage-error.ts';

const dir = mkdtempSync(join(tmpdir(), 'strata-native-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error a real file-system call throws. */
async function thrownBy(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (e) {
    return e;
  }
  throw new Error('the call did not fail');
}

describe('nativeToStorageError over real file-system errors', () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');

  it.each([
    ['ENOENT', () => fsp.readFile(join(dir, 'missing')), 'NotFound'],
    ['EEXIST', () => fsp.mkdir(dir), 'AlreadyExists'],
    // A key whose prefix is an object: the key cannot be stored, whatever the caller retries.
    ['ENOTDIR', () => fsp.writeFile(join(file, 'below'), 'y'), 'InvalidKey'],
    ['ENAMETOOLONG', () => fsp.writeFile(join(dir, 'n'.repeat(300)), 'y'), 'InvalidKey'],
  ] as const)('%s caused by a key is %s, not retryable, and its message names no path', async (errno, call, code) => {
    const native = await thrownBy(call);
    expect((native as NodeJS.ErrnoException).code).toBe(errno);
    const e = nativeToStorageError(native, 'put', 'k');
    expect(e).toBeInstanceOf(StorageError);
    expect(e).toMatchObject({ code, retryable: false, op: 'put', key: 'k', cause: native });
    expect(e.message).not.toContain(dir);
    expect(e.detail).toBe(describeNative(native));
    expect(e.detail).toMatch(new RegExp(`^${errno}: .+ \\(\\w+\\)$`));
  });

  it('ENOTDIR and ENAMETOOLONG without a key come from a configured path: Unavailable, not retryable', async () => {
    const native = await thrownBy(() => fsp.open(join(file, 'device')));
    expect(nativeToStorageError(native, 'open')).toMatchObject({ code: 'Unavailable', retryable: false });
  });

  it('EIO is Unavailable but not retryable: repeating the call at once only hammers a failing medium', () => {
    const eio = Object.assign(new Error(`EIO: i/o error, read '${dir}/x'`), { code: 'EIO', syscall: 'read', errno: -5 });
    const e = nativeToStorageError(eio, 'get', 'k');
    expect(e).toMatchObject({ code: 'Unavailable', retryable: false, detail: 'EIO: i/o error (read)' });
  });

  it('an errno outside the table is Unavailable and retryable; inherited names are not errnos', () => {
    expect(nativeToStorageError(Object.assign(new Error('ECONNRESET'), { code: 'ECONNRESET' }))).toMatchObject({ code: 'Unavailable', retryable: true });
    expect(nativeToStorageError(Object.assign(new Error('odd'), { code: 'constructor' }))).toMatchObject({ code: 'Unavailable' });
    expect(Object.keys(NATIVE_ERROR_CODES)).toEqual(expect.arrayContaining(['ENOENT', 'EIO', 'ENOTDIR', 'ENAMETOOLONG']));
  });

  it('the front wrapper translates what slipped past an adapter by the same table, without paths', async () => {
    const native = await thrownBy(() => fsp.writeFile(join(file, 'below'), 'y'));
    const e = frontToStorageError(native, 'put', 'a-file/below');
    expect(e).toMatchObject({ code: 'InvalidKey', retryable: false, key: 'a-file/below' });
    expect(e.message).not.toContain(dir);
  });

  it('reaches a caller through createStorage from `@strata/storage/adapter` as the one StorageError class', async () => {
    const memory = createMemoryAdapter();
    const native = await thrownBy(() => fsp.readFile(join(dir, 'missing')));
    const failing: StorageAdapter = {
      name: 'failing',
      capabilities: memory.capabilities,
      put: (key, body, options) => memory.put(key, body, options),
      get: (key, options) => memory.get(key, options),
      head: () => Promise.reject(native),
      delete: (key, options) => memory.delete(key, options),
      scan: (options) => memory.scan!(options),
    };
    const storage = createStorage(failing);
    const e = await thrownBy(() => storage.head('k'));
    expect(e).toBeInstanceOf(MainStorageError);
    expect(e).toMatchObject({ code: 'NotFound', op: 'head', key: 'k' });
    expect((e as Error).message).not.toContain(dir);
  });
});
