import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checksumBase64,
  combineFullObjectChecksum,
  compositeChecksum,
  createMemoryAdapter,
  createMemoryStorage,
  multipartEtag,
  readText,
} from '../src/index.ts';
import { rejectsWith } from './helpers.ts';

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');

describe('memory adapter: multipart', () => {
  const part = (c: string, n: number) => Buffer.alloc(n, c);

  it('assembles parts uploaded out of order, re-uploaded, completed as a subset', async () => {
    const s = createMemoryStorage({ minPartSize: 10 });
    expect(s.capabilities).toMatchObject({ multipart: 'native', minPartSize: 10, durable: false });
    const u = await s.startMultipart('big', { contentType: 'application/octet-stream', userMetadata: { x: 'y' } });
    const p3 = await s.uploadPart('big', u.uploadId, 3, part('c', 5));
    await s.uploadPart('big', u.uploadId, 1, part('z', 10));
    const p1 = await s.uploadPart('big', u.uploadId, 1, part('a', 10));
    await s.uploadPart('big', u.uploadId, 2, part('b', 10));
    expect(p1.etag).toBe(md5(part('a', 10)));
    const listed = await s.listParts('big', u.uploadId);
    expect(listed.parts.map((p) => [p.partNumber, p.etag])).toEqual([[1, p1.etag], [2, md5(part('b', 10))], [3, p3.etag]]);
    const info = await s.completeMultipart('big', u.uploadId, [{ partNumber: 1, etag: `"${p1.etag}"` }, { partNumber: 3, etag: p3.etag }]);
    expect(info).toMatchObject({ size: 15, etag: multipartEtag([p1.etag, p3.etag]), partCount: 2, contentType: 'application/octet-stream', userMetadata: { x: 'y' } });
    expect(info.etag).toMatch(/-2$/);
    expect(await readText(await s.get('big'))).toBe('a'.repeat(10) + 'c'.repeat(5));
    await rejectsWith(s.listParts('big', u.uploadId), 'NotFound', 'NoSuchUpload');
  });

  it('rejects bad complete requests with S3 reasons', async () => {
    const s = createMemoryStorage({ minPartSize: 10 });
    const u = await s.startMultipart('k');
    const a = await s.uploadPart('k', u.uploadId, 1, part('a', 5));
    const b = await s.uploadPart('k', u.uploadId, 2, part('b', 5));
    await rejectsWith(s.completeMultipart('k', u.uploadId, [{ partNumber: 1, etag: a.etag }, { partNumber: 2, etag: b.etag }]), 'InvalidArgument', 'EntityTooSmall');
    await rejectsWith(s.completeMultipart('k', u.uploadId, [{ partNumber: 2, etag: b.etag }, { partNumber: 1, etag: a.etag }]), 'InvalidArgument', 'InvalidPartOrder');
    await rejectsWith(s.completeMultipart('k', u.uploadId, [{ partNumber: 1, etag: b.etag }]), 'InvalidArgument', 'InvalidPart');
    await rejectsWith(s.completeMultipart('k', u.uploadId, [{ partNumber: 4, etag: a.etag }]), 'InvalidArgument', 'InvalidPart');
    await rejectsWith(s.completeMultipart('k', u.uploadId, []), 'InvalidArgument', 'InvalidPart');
    await rejectsWith(s.uploadPart('k', u.uploadId, 0, 'x'), 'InvalidArgument');
    await rejectsWith(s.uploadPart('k', u.uploadId, 10_001, 'x'), 'InvalidArgument');
    await rejectsWith(s.uploadPart('other', u.uploadId, 1, 'x'), 'NotFound', 'NoSuchUpload');
    await rejectsWith(s.uploadPart('k', 'nope', 1, 'x'), 'NotFound', 'NoSuchUpload');
    await rejectsWith(s.head('k'), 'NotFound');
  });

  it('abort frees the upload', async () => {
    const s = createMemoryStorage({ minPartSize: 1 });
    const u = await s.startMultipart('k');
    await s.uploadPart('k', u.uploadId, 1, 'x');
    await s.abortMultipart('k', u.uploadId);
    await rejectsWith(s.abortMultipart('k', u.uploadId), 'NotFound', 'NoSuchUpload');
    await rejectsWith(s.completeMultipart('k', u.uploadId, [{ partNumber: 1, etag: md5('x') }]), 'NotFound', 'NoSuchUpload');
    expect((await s.listMultipartUploads()).uploads).toEqual([]);
  });

  it('complete honours create-only conditions given at start or complete', async () => {
    const s = createMemoryStorage({ minPartSize: 1 });
    await s.put('k', 'existing');
    const u = await s.startMultipart('k', { ifNoneMatch: '*' });
    const p = await s.uploadPart('k', u.uploadId, 1, 'x');
    await rejectsWith(s.completeMultipart('k', u.uploadId, [{ partNumber: 1, etag: p.etag }]), 'AlreadyExists');
    const u2 = await s.startMultipart('k');
    const p2 = await s.uploadPart('k', u2.uploadId, 1, 'y');
    await rejectsWith(s.completeMultipart('k', u2.uploadId, [{ partNumber: 1, etag: p2.etag }], { ifMatch: 'nope' }), 'PreconditionFailed');
    expect(await readText(await s.get('k'))).toBe('existing');
  });

  it('stores composite checksums of part checksums by default', async () => {
    const s = createMemoryStorage({ minPartSize: 1 });
    const u = await s.startMultipart('k', { checksumAlgorithms: ['sha256', 'crc32c'] });
    const p1 = await s.uploadPart('k', u.uploadId, 1, 'hello ');
    const p2 = await s.uploadPart('k', u.uploadId, 2, 'world');
    expect(p1.checksums).toEqual({ sha256: checksumBase64('sha256', 'hello '), crc32c: checksumBase64('crc32c', 'hello ') });
    const info = await s.completeMultipart('k', u.uploadId, [{ partNumber: 1, etag: p1.etag, checksums: { crc32c: p1.checksums!.crc32c } }, { partNumber: 2, etag: p2.etag }]);
    expect(info.checksumType).toBe('COMPOSITE');
    expect(info.checksums?.sha256).toBe(compositeChecksum('sha256', [p1.checksums!.sha256!, p2.checksums!.sha256!]));
    expect((await s.head('k')).checksums?.crc32c).toMatch(/-2$/);
  });

  it('stores a full-object CRC when asked, equal to the CRC of the whole object', async () => {
    const s = createMemoryStorage({ minPartSize: 1 });
    await rejectsWith(s.startMultipart('k', { checksumAlgorithms: ['sha1'], checksumType: 'FULL_OBJECT' }), 'InvalidArgument');
    const u = await s.startMultipart('k', { checksumAlgorithms: ['crc64nvme'], checksumType: 'FULL_OBJECT' });
    const p1 = await s.uploadPart('k', u.uploadId, 1, 'hello ');
    const p2 = await s.uploadPart('k', u.uploadId, 2, 'world');
    const whole = checksumBase64('crc64nvme', 'hello world');
    await rejectsWith(
      s.completeMultipart('k', u.uploadId, [{ partNumber: 1, etag: p1.etag }, { partNumber: 2, etag: p2.etag }], { expectedChecksums: { crc64nvme: checksumBase64('crc64nvme', 'x') } }),
      'InvalidArgument',
      'BadDigest',
    );
    const info = await s.completeMultipart('k', u.uploadId, [{ partNumber: 1, etag: p1.etag }, { partNumber: 2, etag: p2.etag }], { expectedChecksums: { crc64nvme: whole } });
    expect(info).toMatchObject({ checksumType: 'FULL_OBJECT', checksums: { crc64nvme: whole } });
    expect(combineFullObjectChecksum('crc64nvme', [{ checksum: p1.checksums!.crc64nvme!, size: 6 }, { checksum: p2.checksums!.crc64nvme!, size: 5 }])).toBe(whole);
  });

  it('rejects a part whose given checksum differs from the stored one (InvalidPart)', async () => {
    const s = createMemoryStorage({ minPartSize: 1 });
    const u = await s.startMultipart('k', { checksumAlgorithms: ['crc32'] });
    const p = await s.uploadPart('k', u.uploadId, 1, 'x');
    await rejectsWith(s.completeMultipart('k', u.uploadId, [{ partNumber: 1, etag: p.etag, checksums: { crc32: checksumBase64('crc32', 'y') } }]), 'InvalidArgument', 'InvalidPart');
  });

  it('lists parts in pages', async () => {
    const s = createMemoryStorage({ minPartSize: 1 });
    const u = await s.startMultipart('k');
    for (const n of [5, 1, 3, 2, 4]) await s.uploadPart('k', u.uploadId, n, String(n));
    const page1 = await s.listParts('k', u.uploadId, { limit: 2 });
    expect(page1.parts.map((p) => p.partNumber)).toEqual([1, 2]);
    expect(page1.nextPartNumberMarker).toBe(2);
    const page2 = await s.listParts('k', u.uploadId, { limit: 2, partNumberMarker: 2 });
    expect(page2.parts.map((p) => p.partNumber)).toEqual([3, 4]);
    const page3 = await s.listParts('k', u.uploadId, { limit: 2, partNumberMarker: 4 });
    expect(page3.parts.map((p) => p.partNumber)).toEqual([5]);
    expect(page3.nextPartNumberMarker).toBeUndefined();
  });

  it('lists uploads by key (UTF-8 order) then initiation, with prefix, delimiter and markers', async () => {
    const s = createMemoryStorage();
    const a1 = await s.startMultipart('a');
    const b = await s.startMultipart('\u{10000}');
    const a2 = await s.startMultipart('a');
    const c = await s.startMultipart('\uFFFF');
    await s.startMultipart('d/1');
    await s.startMultipart('d/2');
    const all = await s.listMultipartUploads();
    expect(all.uploads.map((u) => u.uploadId)).toEqual([a1.uploadId, a2.uploadId, expect.any(String), expect.any(String), c.uploadId, b.uploadId]);
    const grouped = await s.listMultipartUploads({ delimiter: '/' });
    expect(grouped.prefixes).toEqual(['d/']);
    expect(grouped.uploads.map((u) => u.key)).toEqual(['a', 'a', '\uFFFF', '\u{10000}']);
    const first = await s.listMultipartUploads({ limit: 1 });
    expect(first).toMatchObject({ nextKeyMarker: 'a', nextUploadIdMarker: a1.uploadId });
    const next = await s.listMultipartUploads({ limit: 1, keyMarker: 'a', uploadIdMarker: a1.uploadId });
    expect(next.uploads.map((u) => u.uploadId)).toEqual([a2.uploadId]);
    const afterA = await s.listMultipartUploads({ keyMarker: 'a', delimiter: '/' });
    expect(afterA.uploads.map((u) => u.key)).toEqual(['\uFFFF', '\u{10000}']);
    expect(afterA.prefixes).toEqual(['d/']);
    const afterD = await s.listMultipartUploads({ keyMarker: 'd/', delimiter: '/' });
    expect(afterD.prefixes).toEqual([]);
    expect((await s.listMultipartUploads({ prefix: 'd/' })).uploads.map((u) => u.key)).toEqual(['d/1', 'd/2']);
  });

  it('the adapter validates its options at once', () => {
    expect(() => createMemoryAdapter({ minPartSize: -1 })).toThrow(/minPartSize/);
  });
});
