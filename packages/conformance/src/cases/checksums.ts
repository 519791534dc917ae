/**
 * Checksums and digests (AWS "Checking object integrity"; RFC 1864 Content-MD5): each flexible checksum is
 * computed over the body and stored as base64 of the big-endian digest; expected values that do not match
 * fail the write with `InvalidArgument` reason `BadDigest` and store nothing. Values are checked against
 * independent references: the "123456789" check values of each CRC (Rocksoft catalogue) and node:crypto.
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { ChecksumAlgorithm, Checksums } from '@strata/storage';
import type { DeclareCase, GroupContext } from '../context.ts';
import { expectMissing, expectStorageError, requireCapability } from '../context.ts';
import { getBytes, slowChunks } from '../helpers.ts';

const CHECK_INPUT = '123456789';
/** base64 of the big-endian check value of each algorithm over "123456789". */
export const CHECK_VALUES: Record<ChecksumAlgorithm, string> = {
  crc32: 'y/Q5Jg==', // 0xCBF43926
  crc32c: '4waSgw==', // 0xE3069283
  crc64nvme: 'rosUhgp5mIg=', // 0xAE8B14860A799888
  sha1: createHash('sha1').update(CHECK_INPUT).digest('base64'),
  sha256: createHash('sha256').update(CHECK_INPUT).digest('base64'),
};
const ALGORITHMS = Object.keys(CHECK_VALUES) as ChecksumAlgorithm[];
const md5b64 = (s: string) => createHash('md5').update(s).digest('base64');

/** Declares the checksum cases. */
export function checksumCases(it: DeclareCase, ctx: GroupContext): void {
  it('without checksums capability, checksumAlgorithms throws Unsupported', async (t) => {
    requireCapability(t, !ctx.caps.checksums, 'absence of checksums');
    await expectStorageError(ctx.storage.put(`${ctx.prefix('nock')}k`, 'x', { checksumAlgorithms: ['sha256'] }), { code: 'Unsupported' });
  });

  for (const alg of ALGORITHMS) {
    it(`computes and stores ${alg} (check value over "123456789")`, async (t) => {
      requireCapability(t, ctx.caps.checksums, 'checksums');
      const key = `${ctx.prefix(`ck-${alg}`)}k`;
      const put = await ctx.storage.put(key, CHECK_INPUT, { checksumAlgorithms: [alg] });
      expect(put.checksums?.[alg]).toBe(CHECK_VALUES[alg]);
      expect((await ctx.storage.head(key)).checksums?.[alg]).toBe(CHECK_VALUES[alg]);
      const got = await ctx.storage.get(key);
      got.body.resume();
      expect(got.info.checksums?.[alg]).toBe(CHECK_VALUES[alg]);
    });

    it(`accepts a matching expected ${alg} from a streamed body and stores it`, async (t) => {
      requireCapability(t, ctx.caps.checksums, 'checksums');
      const key = `${ctx.prefix(`ckx-${alg}`)}k`;
      await ctx.storage.put(key, slowChunks(['1234', '56789']), { expectedChecksums: { [alg]: CHECK_VALUES[alg] } });
      expect((await ctx.storage.head(key)).checksums?.[alg]).toBe(CHECK_VALUES[alg]);
    });

    it(`rejects a mismatching expected ${alg} with BadDigest and keeps the old object`, async (t) => {
      requireCapability(t, ctx.caps.checksums, 'checksums');
      const key = `${ctx.prefix(`ckbad-${alg}`)}k`;
      await ctx.storage.put(key, 'old');
      const wrong: Checksums = { [alg]: CHECK_VALUES[alg] };
      await expectStorageError(ctx.storage.put(key, '987654321', { expectedChecksums: wrong }), { code: 'InvalidArgument', reason: 'BadDigest', op: 'put' });
      expect((await getBytes(ctx.storage, key)).toString()).toBe('old');
    });
  }

  it('computes all five algorithms at once', async (t) => {
    requireCapability(t, ctx.caps.checksums, 'checksums');
    const put = await ctx.storage.put(`${ctx.prefix('ck-all')}k`, CHECK_INPUT, { checksumAlgorithms: ALGORITHMS });
    expect(put.checksums).toEqual(CHECK_VALUES);
  });

  it('verifies expected checksums supplied late (trailer function) and stores nothing on mismatch', async (t) => {
    requireCapability(t, ctx.caps.checksums, 'checksums');
    const p = ctx.prefix('ck-trailer');
    // The algorithm is announced up front, as S3's x-amz-trailer header announces the trailing checksum.
    const announced = { checksumAlgorithms: ['crc32' as const] };
    await ctx.storage.put(`${p}ok`, slowChunks([CHECK_INPUT]), { ...announced, expectedChecksums: () => ({ crc32: CHECK_VALUES.crc32 }) });
    expect((await ctx.storage.head(`${p}ok`)).checksums?.crc32).toBe(CHECK_VALUES.crc32);
    await expectStorageError(ctx.storage.put(`${p}bad`, slowChunks(['nope']), { ...announced, expectedChecksums: () => ({ crc32: CHECK_VALUES.crc32 }) }), {
      code: 'InvalidArgument',
      reason: 'BadDigest',
    });
    await expectMissing(ctx.storage, `${p}bad`);
  });

  it('accepts a matching Content-MD5 and rejects a wrong one with BadDigest, storing nothing', async () => {
    const p = ctx.prefix('md5');
    await ctx.storage.put(`${p}ok`, 'hello', { contentMd5: md5b64('hello') });
    expect((await getBytes(ctx.storage, `${p}ok`)).toString()).toBe('hello');
    await expectStorageError(ctx.storage.put(`${p}bad`, 'hello', { contentMd5: md5b64('other') }), { code: 'InvalidArgument', reason: 'BadDigest' });
    await expectMissing(ctx.storage, `${p}bad`);
  });

  it('rejects a part whose Content-MD5 does not match (BadDigest) and keeps the upload usable', async () => {
    const key = `${ctx.prefix('md5-part')}k`;
    const upload = await ctx.storage.startMultipart(key);
    await expectStorageError(ctx.storage.uploadPart(key, upload.uploadId, 1, 'part', { contentMd5: md5b64('other') }), {
      code: 'InvalidArgument',
      reason: 'BadDigest',
    });
    expect((await ctx.storage.listParts(key, upload.uploadId)).parts).toEqual([]);
    const part = await ctx.storage.uploadPart(key, upload.uploadId, 1, 'part', { contentMd5: md5b64('part') });
    await ctx.storage.completeMultipart(key, upload.uploadId, [{ partNumber: 1, etag: part.etag }]);
    expect((await getBytes(ctx.storage, key)).toString()).toBe('part');
  });

  it('stores checksums on parts when expected checksums are given', async (t) => {
    requireCapability(t, ctx.caps.checksums, 'checksums');
    const key = `${ctx.prefix('ck-part')}k`;
    const upload = await ctx.storage.startMultipart(key);
    const part = await ctx.storage.uploadPart(key, upload.uploadId, 1, CHECK_INPUT, { expectedChecksums: { sha256: CHECK_VALUES.sha256 } });
    expect(part.checksums?.sha256).toBe(CHECK_VALUES.sha256);
    await ctx.storage.abortMultipart(key, upload.uploadId);
  });
}
