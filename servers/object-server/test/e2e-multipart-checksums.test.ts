/**
 * Multipart checksums through the real AWS SDK at default settings: the part checksum a client announces
 * (header, or `x-amz-trailer` as the SDK sends by default) is computed and stored by storage, returned by
 * UploadPart and ListParts; CompleteMultipartUpload answers the composite (`…-N`) or full-object checksum and
 * verifies whole-object checksum headers (BadDigest), part checksums (InvalidPart) and `x-amz-mp-object-size`.
 * AWS: "Checking object integrity" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { CompleteMultipartUploadCommandInput, S3Client } from '@aws-sdk/client-s3';
import { checksumBase64, createMemoryStorage } from '@strata/storage';
import { startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

let server: TestServer;
let s3: S3Client;
const Bucket = 'sums';
const parts = [Buffer.alloc(3000, 'a'), Buffer.alloc(2000, 'b')];
const crc = (b: Buffer) => checksumBase64('crc32', b);
/** S3's composite: the checksum of the concatenated raw part checksums, then `-N`. */
const composite = (bs: Buffer[]) => `${checksumBase64('crc32', Buffer.concat(bs.map((b) => Buffer.from(crc(b), 'base64'))))}-${bs.length}`;

beforeAll(async () => {
  server = await startServer({ storage: createMemoryStorage({ minPartSize: 1 }) });
  s3 = server.client();
  await s3.send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => {
  await server.close();
});

/** Starts an upload and sends both parts with the SDK's default CRC32 trailer; returns what complete needs. */
async function upload(Key: string, create: { ChecksumAlgorithm?: 'CRC32'; ChecksumType?: 'COMPOSITE' | 'FULL_OBJECT' } = {}) {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ...create }));
  const done = [];
  for (const [i, Body] of parts.entries()) {
    const r = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body }));
    done.push({ PartNumber: i + 1, ETag: r.ETag, ChecksumCRC32: r.ChecksumCRC32 });
  }
  return { UploadId: UploadId as string, done };
}

const complete = (Key: string, input: Omit<CompleteMultipartUploadCommandInput, 'Bucket' | 'Key'>) =>
  s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, ...input })).then(
    (r) => r,
    (e: unknown) => e as Error,
  );

describe('part checksums', () => {
  it('stores the announced part checksum even when the upload named no algorithm, and lists it', async () => {
    const { UploadId, done } = await upload('plain');
    // The SDK sends CRC32 in a trailer on every part; UploadPart answers the stored value.
    expect(done.map((p) => p.ChecksumCRC32)).toEqual(parts.map(crc));
    const listed = await s3.send(new ListPartsCommand({ Bucket, Key: 'plain', UploadId }));
    expect(listed.Parts?.map((p) => [p.PartNumber, p.ChecksumCRC32])).toEqual([[1, crc(parts[0]!)], [2, crc(parts[1]!)]]);
    const res = await complete('plain', { UploadId, MultipartUpload: { Parts: done } });
    expect(res).not.toBeInstanceOf(Error);
  });

  it('refuses a part whose checksum does not match (BadDigest) and stores nothing', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'bad-part' }));
    const err = await s3
      .send(new UploadPartCommand({ Bucket, Key: 'bad-part', UploadId, PartNumber: 1, Body: parts[0], ChecksumCRC32: crc(parts[1]!) }))
      .catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ name: 'BadDigest' });
    expect((await s3.send(new ListPartsCommand({ Bucket, Key: 'bad-part', UploadId }))).Parts ?? []).toEqual([]);
  });

  it('answers the composite checksum (…-N) of an upload started with CRC32, and checks part checksums', async () => {
    const { UploadId, done } = await upload('composite', { ChecksumAlgorithm: 'CRC32' });
    const wrongPart = await complete('composite', { UploadId, MultipartUpload: { Parts: [done[0]!, { ...done[1]!, ChecksumCRC32: crc(parts[0]!) }] } });
    expect(wrongPart).toMatchObject({ name: 'InvalidPart' });
    const res = await complete('composite', { UploadId, MultipartUpload: { Parts: done }, ChecksumCRC32: composite(parts), ChecksumType: 'COMPOSITE' });
    expect(res).toMatchObject({ ChecksumCRC32: composite(parts), ChecksumType: 'COMPOSITE' });
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'composite', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumCRC32).toBe(composite(parts));
  });

  it('verifies a full-object checksum header on complete: a match completes, a mismatch is BadDigest', async () => {
    const whole = Buffer.concat(parts);
    const a = await upload('full-ok', { ChecksumAlgorithm: 'CRC32', ChecksumType: 'FULL_OBJECT' });
    const ok = await complete('full-ok', { UploadId: a.UploadId, MultipartUpload: { Parts: a.done }, ChecksumCRC32: crc(whole), ChecksumType: 'FULL_OBJECT' });
    expect(ok).toMatchObject({ ChecksumCRC32: crc(whole), ChecksumType: 'FULL_OBJECT' });

    const b = await upload('full-bad', { ChecksumAlgorithm: 'CRC32', ChecksumType: 'FULL_OBJECT' });
    const bad = await complete('full-bad', { UploadId: b.UploadId, MultipartUpload: { Parts: b.done }, ChecksumCRC32: crc(parts[0]!), ChecksumType: 'FULL_OBJECT' });
    expect(bad).toMatchObject({ name: 'BadDigest' });
    await expect(server.storage.head(`${Bucket}/full-bad`)).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('refuses a composite checksum header that does not match (BadDigest)', async () => {
    const { UploadId, done } = await upload('composite-bad', { ChecksumAlgorithm: 'CRC32' });
    const bad = await complete('composite-bad', { UploadId, MultipartUpload: { Parts: done }, ChecksumCRC32: crc(parts[0]!) });
    expect(bad).toMatchObject({ name: 'BadDigest' });
    await expect(server.storage.head(`${Bucket}/composite-bad`)).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('checks x-amz-mp-object-size against the parts (InvalidRequest)', async () => {
    const { UploadId, done } = await upload('sized');
    const bad = await complete('sized', { UploadId, MultipartUpload: { Parts: done }, MpuObjectSize: 4999 });
    expect(bad).toMatchObject({ name: 'InvalidRequest' });
    const ok = await complete('sized', { UploadId, MultipartUpload: { Parts: done }, MpuObjectSize: 5000 });
    expect(ok).not.toBeInstanceOf(Error);
  });
});
