/**
 * How Ceph RGW 16 departs from AWS S3, as `probeS3Capabilities` measures it, and what the S3 adapter does about
 * each silent departure (packages/s3/src/dialect.ts): with the probed dialect, compare-and-swap works, a
 * conditional copy keeps its condition, and a conditional write that would need CompleteMultipartUpload (whose
 * conditions RGW ignores) is refused instead of applied. The AWS defaults on the same gateway show each
 * departure: the adapter's answers differ exactly where the dialect matters.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Storage } from '@strata/s3';
import { readText } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { prepareCephTarget } from '../src/ceph-backend.ts';
import type { CephTarget } from '../src/ceph-backend.ts';
import { cephGateway } from '../src/ceph.ts';

const MiB = 1024 * 1024;
const gateway = cephGateway();

/** A body of unknown length: `n` chunks of 1 MiB. */
const chunks = (n: number, fill: number) => Readable.from((function* () { for (let i = 0; i < n; i++) yield Buffer.alloc(MiB, fill); })());

if (gateway !== undefined) {
  describe('Ceph RGW 16 against the AWS dialect', () => {
    let target: CephTarget;
    let probed: Storage;
    let aws: Storage;
    beforeAll(async () => {
      target = await prepareCephTarget(gateway, 'dialect');
      probed = createS3Storage({ ...target, prefix: 'probed/', partSize: 5 * MiB });
      const { dialect: _d, ...withoutDialect } = target;
      aws = createS3Storage({ ...withoutDialect, prefix: 'aws/', partSize: 5 * MiB });
    });
    afterAll(async () => {
      await probed?.close();
      await aws?.close();
    });

    it('the probe finds bare If-Match ETags, and conditions ignored on CompleteMultipartUpload and CopyObject', () => {
      expect(target.dialect).toEqual({ writeIfMatch: 'bare', conditionalComplete: false, conditionalCopy: false });
      expect(target.capabilities).toEqual({ conditionalPut: true, checksums: false, tags: true, minPartSize: 5 * MiB });
    });

    it('compare-and-swap with the current ETag: refused in the AWS form, applied in the probed one', async () => {
      for (const [storage, applies] of [[aws, false], [probed, true]] as const) {
        const first = await storage.put('cas', 'v1');
        const swap = storage.put('cas', 'v2', { ifMatch: first.etag });
        if (applies) await expect(swap).resolves.toMatchObject({ etag: expect.any(String) });
        else await expect(swap).rejects.toMatchObject({ code: 'PreconditionFailed' });
        expect(await readText(await storage.get('cas'))).toBe(applies ? 'v2' : 'v1');
      }
    });

    it('a create-only copy onto an existing key: overwritten in the AWS form, refused in the probed one', async () => {
      for (const [storage, refuses] of [[aws, false], [probed, true]] as const) {
        await storage.put('src', 'source bytes');
        await storage.put('dst', 'kept');
        const copy = storage.copy('src', 'dst', { ifNoneMatch: '*' });
        if (refuses) await expect(copy).rejects.toMatchObject({ code: 'AlreadyExists' });
        else await copy;
        expect(await readText(await storage.get('dst'))).toBe(refuses ? 'kept' : 'source bytes');
      }
      // The probed form still copies when the condition holds.
      await probed.copy('src', 'fresh', { ifNoneMatch: '*' });
      expect(await readText(await probed.get('fresh'))).toBe('source bytes');
    });

    it('a create-only put too long for one request: overwritten in the AWS form, refused (Unsupported) in the probed one', async () => {
      for (const [storage, refuses] of [[aws, false], [probed, true]] as const) {
        await storage.put('big', 'kept');
        const put = storage.put('big', chunks(6, 7), { ifNoneMatch: '*' });
        if (refuses) await expect(put).rejects.toMatchObject({ code: 'Unsupported' });
        else await put;
        expect((await storage.head('big')).size).toBe(refuses ? 4 : 6 * MiB);
      }
      // Without a condition the same put goes through as a multipart upload.
      expect((await probed.put('big', chunks(6, 7))).size).toBe(6 * MiB);
    }, 60_000);
  });
}
