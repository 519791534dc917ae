/**
 * The S3 adapter's overhead (the goal: at most 5 % over the raw client): an adapter whose medium computes the
 * ETag declares `bodyMd5: 'unused'` and the front wrapper then skips the MD5 (~90 ms of CPU per 64 MiB) — but
 * a caller's `contentMd5` is still verified. In-memory bodies announce their length, so an adapter can send
 * them as one request.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { adapterWantsMd5, checksumBase64, createMemoryAdapter, createStorage, prepareBody, readBytes } from '../src/index.ts';
import type { BodyDigests, BodyMd5Preference, PreparedBody, StorageAdapter } from '../src/index.ts';
import { plainAdapter, rejectsWith } from './helpers.ts';

const md5b64 = (s: string) => createHash('md5').update(s).digest('base64');

/** Whether reading the digests' MD5 works (it throws when the MD5 was skipped). */
function hasMd5(d: BodyDigests): boolean {
  try {
    return d.md5.length === 16 && d.etag.length === 32;
  } catch {
    return false;
  }
}

/** A memory adapter that declares `bodyMd5: 'unused'` and records, per put, whether the MD5 was computed. */
function etagFromMediumAdapter(): { adapter: StorageAdapter & BodyMd5Preference; md5Seen: boolean[]; lengths: (number | undefined)[] } {
  const inner = createMemoryAdapter();
  const md5Seen: boolean[] = [];
  const lengths: (number | undefined)[] = [];
  const adapter: StorageAdapter & BodyMd5Preference = {
    name: 'etag-from-medium',
    capabilities: inner.capabilities,
    bodyMd5: 'unused',
    async put(key, body, options) {
      lengths.push(body.contentLength);
      const bytes = await readBytes(body.stream);
      md5Seen.push(hasMd5(body.digests()));
      // Like S3, the medium computes the ETag itself: store through a body that carries its own MD5.
      return inner.put(key, prepareBody(bytes), options);
    },
    get: (k, o) => inner.get(k, o),
    head: (k, o) => inner.head(k, o),
    delete: (k, o) => inner.delete(k, o),
    scan: (o) => inner.scan!(o),
  };
  return { adapter, md5Seen, lengths };
}

describe('prepareBody: MD5 opt-out and known lengths', () => {
  it('announces the length of bytes and strings, not of streams', () => {
    expect(prepareBody(Buffer.alloc(10)).contentLength).toBe(10);
    expect(prepareBody(new Uint8Array(new ArrayBuffer(8), 2, 3)).contentLength).toBe(3);
    expect(prepareBody('héllo').contentLength).toBe(6);
    expect(prepareBody(Readable.from([Buffer.from('ab')])).contentLength).toBeUndefined();
    expect(prepareBody('abc', { contentLength: 3 }).contentLength).toBe(3);
  });

  it('md5: false skips the MD5 but keeps size and checksums; reading md5 or etag throws', async () => {
    const p = prepareBody('hello', { md5: false, checksumAlgorithms: ['crc32'] });
    expect((await readBytes(p.stream)).toString()).toBe('hello');
    const d = p.digests();
    expect(d.size).toBe(5);
    expect(d.checksums).toEqual({ crc32: checksumBase64('crc32', 'hello') });
    expect(() => d.md5).toThrow(/not computed/);
    expect(() => d.etag).toThrow(/not computed/);
  });

  it('md5: false still verifies a contentMd5 (the MD5 is computed for it)', async () => {
    const ok = prepareBody('hello', { md5: false, contentMd5: md5b64('hello') });
    await readBytes(ok.stream);
    expect(ok.digests().md5.toString('base64')).toBe(md5b64('hello'));
    const bad = prepareBody('hello', { md5: false, contentMd5: md5b64('other') });
    await expect(readBytes(bad.stream)).rejects.toMatchObject({ code: 'InvalidArgument', reason: 'BadDigest' });
  });
});

describe('createStorage with an adapter that declares bodyMd5 "unused"', () => {
  it('reads the declaration', () => {
    expect(adapterWantsMd5(createMemoryAdapter())).toBe(true);
    expect(adapterWantsMd5(etagFromMediumAdapter().adapter)).toBe(false);
  });

  it('skips the MD5 on put and tells the adapter the length of in-memory bodies', async () => {
    const { adapter, md5Seen, lengths } = etagFromMediumAdapter();
    const s = createStorage(adapter);
    const info = await s.put('k', 'hello');
    expect(info.etag).toBe(createHash('md5').update('hello').digest('hex'));
    await s.put('stream', Readable.from([Buffer.from('abc')]));
    expect(md5Seen).toEqual([false, false]);
    expect(lengths).toEqual([5, undefined]);
  });

  it('still verifies a caller-given contentMd5: a mismatch stores nothing', async () => {
    const { adapter, md5Seen } = etagFromMediumAdapter();
    const s = createStorage(adapter);
    await rejectsWith(s.put('bad', 'hello', { contentMd5: md5b64('other') }), 'InvalidArgument', 'BadDigest');
    await rejectsWith(s.head('bad'), 'NotFound');
    await s.put('good', 'hello', { contentMd5: md5b64('hello') });
    expect(md5Seen).toEqual([true]);
  });

  it('an adapter without the declaration still gets MD5 digests', async () => {
    let seen: PreparedBody | undefined;
    const adapter = plainAdapter();
    const put = adapter.put.bind(adapter);
    adapter.put = (k, b, o) => ((seen = b), put(k, b, o));
    await createStorage(adapter).put('k', 'x');
    expect(hasMd5(seen!.digests())).toBe(true);
  });
});
