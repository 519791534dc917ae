/**
 * The contract suite over the front wrapper's fallbacks (an adapter implements a small core, and the front
 * wrapper derives the optional operations it lacks). The adapter here is the memory adapter cut down to the
 * required core — put, get, head, delete and scan — so `createStorage` derives copy (get + put), deleteMany (a loop),
 * setTags (a compare-and-swap rewrite) and multipart (staged hidden objects, `multipart-fallback.ts`), and
 * every case of the suite runs through those derivations. A second run replaces `scan` by a native paging
 * `list` (the shape of an adapter over a remote medium); a third declares no conditional puts and no
 * checksums, so the fallbacks' unguarded paths and the suite's `Unsupported` branches run too.
 */
import { describeStorageContract } from '@strata/conformance';
import { createMemoryAdapter, createMemoryStorage, createStorage, listPage } from '@strata/storage';
import type { Capabilities, ScanOptions, Storage, StorageAdapter } from '@strata/storage';
import { describe, expect, it } from 'vitest';

const CORE = ['put', 'get', 'head', 'delete'] as const;

/**
 * A memory adapter exposing only the core methods, bound to the real adapter (so it keeps its atomic
 * conditional puts). With `nativeList`, `scan` is replaced by a `list` that pages by itself — the shape of an
 * adapter over a remote medium (S3) — and knows nothing of the multipart staging area, so the front wrapper
 * must hide staged parts from its pages and derive the fallback's scan from it.
 */
function plainAdapter(
  options: { nativeList?: boolean; capabilities?: Partial<Capabilities>; inner?: StorageAdapter } = {},
): StorageAdapter {
  const inner = options.inner ?? createMemoryAdapter({ minPartSize: 1024 });
  const scan = (o: ScanOptions) => inner.scan!(o);
  const plain: StorageAdapter = {
    name: options.nativeList ? 'plain-list' : 'plain-scan',
    capabilities: { ...inner.capabilities, ...options.capabilities },
    put: (k, b, o) => inner.put(k, b, o),
    get: (k, o) => inner.get(k, o),
    head: (k, o) => inner.head(k, o),
    delete: (k, o) => inner.delete(k, o),
  };
  if (options.nativeList) plain.list = (o) => listPage(scan, o);
  else plain.scan = scan;
  return plain;
}

describe('the fallback adapter really lacks the optional methods', () => {
  it('has only the core, and the front wrapper declares the derived operations emulated', () => {
    const adapter = plainAdapter();
    expect(Object.keys(adapter).sort()).toEqual([...CORE, 'capabilities', 'name', 'scan'].sort());
    const storage = createStorage(adapter);
    expect(storage.capabilities).toMatchObject({ multipart: 'emulated', copy: 'emulated' });
    expect(Object.keys(plainAdapter({ nativeList: true })).sort()).toEqual([...CORE, 'capabilities', 'list', 'name'].sort());
  });
});

/** Every key the adapter holds, hidden ones included. */
async function rawKeys(inner: StorageAdapter): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of inner.scan!({ prefix: '' })) keys.push(item.key);
  return keys;
}

const STAGING = '.strata-multipart/';

for (const nativeList of [false, true]) {
  describe(`the multipart staging area (${nativeList ? 'native list' : 'scan'})`, () => {
    it('is invisible to whole-store listings, reserved for keys, and empty after complete and abort', async () => {
      const inner = createMemoryAdapter({ minPartSize: 1024 });
      const storage = createStorage(plainAdapter({ nativeList, inner }));
      await storage.put('a', 'x');
      await storage.put('z/1', 'y');
      const done = await storage.startMultipart('big');
      const dropped = await storage.startMultipart('gone');
      const p1 = await storage.uploadPart('big', done.uploadId, 1, Buffer.alloc(2048, 1));
      const p2 = await storage.uploadPart('big', done.uploadId, 2, 'tail');
      await storage.uploadPart('gone', dropped.uploadId, 1, 'bytes');
      expect((await rawKeys(inner)).some((k) => k.startsWith(STAGING))).toBe(true);

      const flat = await storage.list({});
      expect(flat.items.map((i) => i.key)).toEqual(['a', 'z/1']);
      const rolled = await storage.list({ delimiter: '/' });
      expect(rolled.items.map((i) => i.key)).toEqual(['a']);
      expect(rolled.prefixes).toEqual(['z/']);
      const paged: string[] = [];
      for (let cursor: string | undefined, n = 0; n < 50; n++) {
        const page = await storage.list({ limit: 1, cursor });
        paged.push(...page.items.map((i) => i.key));
        cursor = page.cursor;
        if (cursor === undefined) break;
      }
      expect(paged).toEqual(['a', 'z/1']);
      await expect(storage.put(`${STAGING}x`, 'no')).rejects.toMatchObject({ code: 'InvalidKey' });
      expect((await storage.listMultipartUploads()).uploads.map((u) => u.key)).toEqual(['big', 'gone']);

      const info = await storage.completeMultipart('big', done.uploadId, [p1, p2]);
      expect(info.etag).toMatch(/^[0-9a-f]{32}-2$/);
      await storage.abortMultipart('gone', dropped.uploadId);
      expect(await rawKeys(inner)).toEqual(['a', 'big', 'z/1']);
      expect((await storage.listMultipartUploads()).uploads).toEqual([]);
    });

    // A delimiter can roll the staging area up into a shorter common prefix (`.strata-` for `-`); it may be
    // listed only when a user key shares it. The oracle is the same user keys on a storage with no uploads.
    it('lists the same common prefixes as a storage without uploads, for any delimiter', async () => {
      const storage = createStorage(plainAdapter({ nativeList }));
      const oracle = createMemoryStorage();
      for (const key of ['.strata-x', '.s', 'b', 'z-1']) {
        await storage.put(key, key);
        await oracle.put(key, key);
      }
      const upload = await storage.startMultipart('k');
      await storage.uploadPart('k', upload.uploadId, 1, 'abc');
      for (const delimiter of ['-', 'm', '.', 's', '/', 'strata', '.strata-multipart/']) {
        const entries = async (s: Storage) => {
          const r = await s.list({ delimiter });
          return { items: r.items.map((i) => i.key), prefixes: r.prefixes };
        };
        expect(await entries(storage), `delimiter ${delimiter}`).toEqual(await entries(oracle));
      }
      await storage.delete('.strata-x');
      await oracle.delete('.strata-x');
      expect((await storage.list({ delimiter: '-' })).prefixes).toEqual((await oracle.list({ delimiter: '-' })).prefixes);
      expect((await storage.list({ delimiter: '-' })).prefixes).toEqual(['z-']);
    });
  });
}

describeStorageContract('front-wrapper fallbacks over put/get/head/delete/scan', () => createStorage(plainAdapter()), {
  largeObjectBytes: 16 << 20,
});

describeStorageContract('front-wrapper fallbacks over put/get/head/delete/list', () => createStorage(plainAdapter({ nativeList: true })), {
  largeObjectBytes: 4 << 20,
});

describeStorageContract(
  'front-wrapper fallbacks declaring no conditional puts and no checksums',
  () => createStorage(plainAdapter({ capabilities: { conditionalPut: false, checksums: false } })),
  { largeObjectBytes: 4 << 20 },
);
