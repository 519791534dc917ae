/**
 * What `createS3Adapter` decides before any request, so no server is needed: options are validated at once and
 * name the bad one (a mistake shows at construction, not at the first request), and the key limit is declared
 * as S3's 1024 bytes less the prefix (AWS "Object key naming guidelines") and enforced by the front wrapper
 * before any I/O. The endpoint below is a closed loopback port: a test that sent a request would fail with
 * `Unavailable`, not `InvalidKey`.
 */
import { describe, expect, it } from 'vitest';
import { isStorageError } from '@strata/storage';
import { S3_DEFAULT_CAPABILITIES, S3_MAX_KEY_BYTES, createS3Adapter, createS3Storage } from '../src/index.ts';
import type { S3AdapterOptions } from '../src/index.ts';

const offline: S3AdapterOptions = {
  endpoint: 'http://127.0.0.1:9',
  region: 'us-east-1',
  bucket: 'b',
  credentials: { accessKeyId: 'k', secretAccessKey: 's' },
  maxResumes: 0,
};

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('createS3Adapter options', () => {
  it.each([
    [{ region: 'r' }, 'bucket'],
    [{ bucket: 'b' }, 'region'],
    [{ bucket: 'b', region: 'r', partSize: 1024 }, 'partSize'],
    [{ bucket: 'b', region: 'r', endpoint: 'not a url' }, 'endpoint'],
    [{ bucket: 'b', region: 'r', prefix: 'p'.repeat(1024) }, 'prefix'],
  ])('%j is refused at once, naming %s', (o, name) => {
    const err = thrown(() => createS3Adapter(o as never));
    expect(isStorageError(err) && err.code).toBe('InvalidArgument');
    expect((err as Error).message).toContain(`"${name}"`);
  });
});

describe('key limit (capabilities.maxKeyBytes)', () => {
  it('is S3’s 1024 bytes without a prefix, less the prefix’s UTF-8 bytes with one', async () => {
    expect(S3_DEFAULT_CAPABILITIES.maxKeyBytes).toBe(S3_MAX_KEY_BYTES);
    const plain = createS3Adapter(offline);
    expect(plain.capabilities.maxKeyBytes).toBe(1024);
    // 'tenant/é/' is 10 UTF-8 bytes (é is two).
    const prefixed = createS3Adapter({ ...offline, prefix: 'tenant/\u00e9/' });
    expect(prefixed.capabilities.maxKeyBytes).toBe(1014);
    const wider = createS3Adapter({ ...offline, prefix: 'p/', capabilities: { maxKeyBytes: 2000 } });
    expect(wider.capabilities.maxKeyBytes).toBe(1998);
    await Promise.all([plain.close?.(), prefixed.close?.(), wider.close?.()]);
  });

  it('the storage refuses a longer key with InvalidKey before any request, for every keyed operation', async () => {
    const storage = createS3Storage({ ...offline, prefix: 'ns/' });
    expect(storage.capabilities.maxKeyBytes).toBe(1021);
    const long = 'k'.repeat(1022);
    const wide = '\u00e9'.repeat(511); // 1022 bytes in 511 characters
    for (const key of [long, wide]) {
      for (const call of [() => storage.put(key, 'x'), () => storage.get(key), () => storage.head(key), () => storage.delete(key), () => storage.copy('ok', key), () => storage.startMultipart(key)]) {
        const err = await call().catch((e: unknown) => e);
        expect(isStorageError(err) && err.code, String(err)).toBe('InvalidKey');
      }
      const [result] = await storage.deleteMany([key]);
      expect(result?.ok === false && isStorageError(result.error) && result.error.code).toBe('InvalidKey');
    }
    // A key of exactly the limit passes validation and reaches the (closed) endpoint.
    const err = await storage.head('k'.repeat(1021)).catch((e: unknown) => e);
    expect(isStorageError(err) && err.code).not.toBe('InvalidKey');
    await storage.close();
  });
});
