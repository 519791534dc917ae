/**
 * Multipart behaviours clients rely on, through the real AWS SDK over a real socket, on the file and block
 * backends:
 *
 * - CompleteMultipartUpload retried after it succeeded (an SDK retries it when the answer is lost) answers
 *   200 with the same ETag and Location; a different part list for the completed upload is NoSuchUpload
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html).
 * - A part number uploaded twice at once: the upload that finished last is the part, and Complete with its
 *   ETag succeeds (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html: "If you upload a new
 *   part using the same part number as a previously uploaded part, the previously uploaded part is
 *   overwritten").
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { PARTS_PREFIX } from '../src/part-layout.ts';
import { BACKENDS, TEST_MIN_PART_SIZE, observe, startOver } from './backends.ts';
import type { TestServer } from './helpers.ts';

const Bucket = 'behaviours';
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
const errorName = (p: Promise<unknown>) => p.then(() => 'no error', (e: { name?: string }) => e.name);

describe.each(BACKENDS)('multipart behaviours over the $name backend', (backend) => {
  let server: TestServer;
  let s3: S3Client;
  /** How many part uploads have reached storage (the server calls uploadPart as a part's request arrives). */
  let partUploadsStarted = 0;
  beforeAll(async () => {
    server = await startOver(backend, { wrap: (storage) => observe(storage, 'uploadPart', () => partUploadsStarted++) });
    s3 = server.client();
    await s3.send(new CreateBucketCommand({ Bucket }));
  });
  afterAll(async () => {
    await server.close();
  });

  /** Starts an upload of `Key` with two parts (a full-size first part and a short tail). */
  async function twoPartUpload(Key: string) {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'CRC32' }));
    const first = Buffer.alloc(TEST_MIN_PART_SIZE, 1);
    const p1 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: first, ChecksumAlgorithm: 'CRC32' }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: 'tail', ChecksumAlgorithm: 'CRC32' }));
    const parts = [
      { PartNumber: 1, ETag: p1.ETag, ChecksumCRC32: p1.ChecksumCRC32 },
      { PartNumber: 2, ETag: p2.ETag, ChecksumCRC32: p2.ChecksumCRC32 },
    ];
    return { UploadId: UploadId!, parts, bytes: Buffer.concat([first, Buffer.from('tail')]) };
  }

  describe('CompleteMultipartUpload retried after it succeeded', () => {
    it('answers 200 with the same ETag, Location and checksum', async () => {
      const Key = 'retry/same list';
      const { UploadId, parts, bytes } = await twoPartUpload(Key);
      const input = { Bucket, Key, UploadId, MultipartUpload: { Parts: parts } };
      const first = await s3.send(new CompleteMultipartUploadCommand(input));
      const again = await s3.send(new CompleteMultipartUploadCommand(input));
      expect(again.$metadata.httpStatusCode).toBe(200);
      expect([again.ETag, again.Location, again.Bucket, again.Key, again.ChecksumCRC32, again.ChecksumType]).toEqual([
        first.ETag,
        first.Location,
        Bucket,
        Key,
        first.ChecksumCRC32,
        first.ChecksumType,
      ]);
      expect(first.ETag).toMatch(/-2"$/);
      // The retry changed nothing: the object is the one the first Complete made.
      const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
      expect([got.ETag, md5(Buffer.from(await got.Body!.transformToByteArray()))]).toEqual([first.ETag, md5(bytes)]);
    });

    it('answers a retry whose part ETags are written without quotes', async () => {
      const Key = 'retry/unquoted';
      const { UploadId, parts } = await twoPartUpload(Key);
      const first = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
      const unquoted = parts.map((p) => ({ PartNumber: p.PartNumber, ETag: p.ETag!.replace(/"/g, '') }));
      const again = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: unquoted } }));
      expect(again.ETag).toBe(first.ETag);
    });

    it('answers NoSuchUpload for a different part list, another key, or an expired record', async () => {
      const Key = 'retry/different list';
      const { UploadId, parts } = await twoPartUpload(Key);
      await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
      const onlyFirst = { Bucket, Key, UploadId, MultipartUpload: { Parts: parts.slice(0, 1) } };
      expect(await errorName(s3.send(new CompleteMultipartUploadCommand(onlyFirst)))).toBe('NoSuchUpload');
      const wrongEtag = { Bucket, Key, UploadId, MultipartUpload: { Parts: [parts[0]!, { ...parts[1]!, ETag: `"${md5('other')}"` }] } };
      expect(await errorName(s3.send(new CompleteMultipartUploadCommand(wrongEtag)))).toBe('NoSuchUpload');
      const otherKey = { Bucket, Key: `${Key}/other`, UploadId, MultipartUpload: { Parts: parts } };
      expect(await errorName(s3.send(new CompleteMultipartUploadCommand(otherKey)))).toBe('NoSuchUpload');
      // The record of a completion is kept for a while, not for ever: one completed long ago is forgotten.
      const recordKey = `${PARTS_PREFIX}${Bucket}/${Key}`;
      const { body } = await server.storage.get(recordKey);
      const record = JSON.parse(Buffer.concat(await body.toArray()).toString('utf8')) as { completion: { at: number } };
      record.completion.at = 0;
      await server.storage.put(recordKey, JSON.stringify(record));
      expect(await errorName(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } })))).toBe('NoSuchUpload');
    });

    it('answers NoSuchUpload once the completed object was overwritten', async () => {
      const Key = 'retry/overwritten';
      const { UploadId, parts } = await twoPartUpload(Key);
      const input = { Bucket, Key, UploadId, MultipartUpload: { Parts: parts } };
      await s3.send(new CompleteMultipartUploadCommand(input));
      await s3.send(new PutObjectCommand({ Bucket, Key, Body: 'replaced' }));
      expect(await errorName(s3.send(new CompleteMultipartUploadCommand(input)))).toBe('NoSuchUpload');
      expect(await (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString()).toBe('replaced');
    });
  });

  describe('a part number uploaded twice at once', () => {
    it('keeps the upload that finished last, and Complete with its ETag succeeds', async () => {
      const Key = 'race/part';
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      const slow = Buffer.alloc(TEST_MIN_PART_SIZE, 7);
      const fast = Buffer.alloc(TEST_MIN_PART_SIZE, 9);
      // The first upload sends half its bytes, then waits until the second upload has been stored.
      let releaseSlow!: () => void;
      const secondStored = new Promise<void>((resolve) => (releaseSlow = resolve));
      async function* slowBody() {
        yield slow.subarray(0, slow.length / 2);
        await secondStored;
        yield slow.subarray(slow.length / 2);
      }
      const before = partUploadsStarted;
      const first = s3.send(
        new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: Readable.from(slowBody()), ContentLength: slow.length }),
      );
      // The second upload starts once the first is streaming into storage (bounded wait: 100 × 20 ms).
      for (let i = 0; i < 100 && partUploadsStarted === before; i++) await new Promise((r) => setTimeout(r, 20));
      expect(partUploadsStarted).toBe(before + 1);
      const second = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: fast }));
      expect(second.ETag).toBe(`"${md5(fast)}"`);
      releaseSlow();
      const last = await first;
      expect(last.ETag).toBe(`"${md5(slow)}"`);

      const listed = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
      expect(listed.Parts?.map((p) => [p.PartNumber, p.ETag])).toEqual([[1, last.ETag]]);
      const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: last.ETag }] } }));
      expect(done.ETag).toBe(`"${createHash('md5').update(Buffer.from(md5(slow), 'hex')).digest('hex')}-1"`);
      const got = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToByteArray());
      expect(md5(got)).toBe(md5(slow));
    });
  });
});
