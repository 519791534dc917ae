/**
 * Multipart assembly, written once for every adapter: checked against checksums computed independently from
 * the bytes (AWS S3 User Guide, "Checking object integrity": a COMPOSITE checksum is the checksum of the parts'
 * binary checksums with `-N`; a FULL_OBJECT CRC is the CRC of the whole object), and through the memory
 * adapter's native multipart, which uses it.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { assembleCompletedParts, createChecksum, uploadChecksumAlgorithms } from '@strata/storage/adapter';
import type { PartInfo } from '@strata/storage/adapter';
import { createMemoryStorage } from '../src/index.ts';

const bytes = [Buffer.alloc(5 * 1024 * 1024, 'a'), Buffer.from('the last part')];
const md5 = (b: Buffer) => createHash('md5').update(b).digest();
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();
const crc32Of = (b: Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(b));
  return out;
};

function storedParts(): PartInfo[] {
  return bytes.map((b, i) => ({
    partNumber: i + 1,
    size: b.length,
    etag: md5(b).toString('hex'),
    lastModified: new Date(),
    checksums: { sha256: sha256(b).toString('base64'), crc32: crc32Of(b).toString('base64') },
  }));
}
const requested = () => storedParts().map(({ partNumber, etag }) => ({ partNumber, etag }));

describe('assembleCompletedParts', () => {
  it('computes the -N ETag, the size and COMPOSITE checksums from the parts', () => {
    const out = assembleCompletedParts(requested(), storedParts(), { minPartSize: 5 * 1024 * 1024, algorithms: ['sha256'] });
    expect(out.etag).toBe(`${createHash('md5').update(Buffer.concat(bytes.map(md5))).digest('hex')}-2`);
    expect(out.size).toBe(bytes[0]!.length + bytes[1]!.length);
    expect(out.checksums).toEqual({ sha256: `${sha256(Buffer.concat(bytes.map(sha256))).toString('base64')}-2` });
    expect(out.checksumType).toBe('COMPOSITE');
  });

  it('combines FULL_OBJECT CRCs into the CRC of the whole object', () => {
    const out = assembleCompletedParts(requested(), storedParts(), { minPartSize: 1, algorithms: ['crc32'], checksumType: 'FULL_OBJECT' });
    expect(out.checksums).toEqual({ crc32: crc32Of(Buffer.concat(bytes)).toString('base64') });
    expect(out.checksumType).toBe('FULL_OBJECT');
  });

  it('reports no checksum type for an upload without algorithms', () => {
    const out = assembleCompletedParts(requested(), storedParts(), { minPartSize: 1, algorithms: [] });
    expect(out.checksums).toEqual({});
    expect(out.checksumType).toBeUndefined();
  });

  it('refuses a part checksum that differs from the request (InvalidPart) and a wrong object checksum (BadDigest)', () => {
    const wrongPart = requested().map((p, i) => (i === 1 ? { ...p, checksums: { crc32: 'AAAAAA==' } } : p));
    expect(() => assembleCompletedParts(wrongPart, storedParts(), { minPartSize: 1, algorithms: [], key: 'k' })).toThrow(
      expect.objectContaining({ code: 'InvalidArgument', reason: 'InvalidPart', key: 'k' }),
    );
    expect(() =>
      assembleCompletedParts(requested(), storedParts(), { minPartSize: 1, algorithms: ['crc32'], checksumType: 'FULL_OBJECT', expectedChecksums: { crc32: 'AAAAAA==' } }),
    ).toThrow(expect.objectContaining({ code: 'InvalidArgument', reason: 'BadDigest' }));
  });

  it('validates the part list with the shared rules (EntityTooSmall, InvalidPartOrder)', () => {
    expect(() => assembleCompletedParts(requested(), storedParts(), { minPartSize: 6 * 1024 * 1024, algorithms: [] })).toThrow(
      expect.objectContaining({ reason: 'EntityTooSmall' }),
    );
    expect(() => assembleCompletedParts(requested().reverse(), storedParts(), { minPartSize: 1, algorithms: [] })).toThrow(
      expect.objectContaining({ reason: 'InvalidPartOrder' }),
    );
  });
});

describe('uploadChecksumAlgorithms', () => {
  it('deduplicates, and refuses FULL_OBJECT for a non-CRC algorithm', () => {
    expect(uploadChecksumAlgorithms({ checksumAlgorithms: ['crc32', 'crc32'], checksumType: 'FULL_OBJECT' })).toEqual(['crc32']);
    expect(() => uploadChecksumAlgorithms({ checksumAlgorithms: ['sha256'], checksumType: 'FULL_OBJECT' }, 'k')).toThrow(
      expect.objectContaining({ code: 'InvalidArgument', op: 'startMultipart', key: 'k' }),
    );
  });
});

describe('the memory adapter completes through the shared assembly', () => {
  it('stores the FULL_OBJECT CRC of the whole object', async () => {
    const storage = createMemoryStorage();
    const upload = await storage.startMultipart('k', { checksumAlgorithms: ['crc32'], checksumType: 'FULL_OBJECT' });
    const parts = [];
    for (const [i, b] of bytes.entries()) parts.push(await storage.uploadPart('k', upload.uploadId, i + 1, b));
    const info = await storage.completeMultipart('k', upload.uploadId, parts.map(({ partNumber, etag }) => ({ partNumber, etag })));
    const whole = createChecksum('crc32');
    whole.update(Buffer.concat(bytes));
    expect(info).toMatchObject({ checksums: { crc32: whole.digest().toString('base64') }, checksumType: 'FULL_OBJECT', partCount: 2, size: 5 * 1024 * 1024 + 13 });
  });
});
