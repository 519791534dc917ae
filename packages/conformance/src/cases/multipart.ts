/**
 * Multipart uploads (AWS CreateMultipartUpload / UploadPart / CompleteMultipartUpload / AbortMultipartUpload /
 * ListParts / ListMultipartUploads): parts in any order and re-uploadable, a completed subset, the
 * md5-of-md5s ETag, every part but the last at least `capabilities.minPartSize`, and an object that appears
 * atomically on completion.
 */
import { expect } from 'vitest';
import type { CompletedPart, PartInfo } from '@strata/storage';
import type { DeclareCase, GroupContext } from '../context.ts';
import { expectMissing, expectStorageError } from '../context.ts';
import { generateBytes, md5Hex, multipartEtagOf } from '../data.ts';
import { getBytes, listKeys } from '../helpers.ts';

/** Declares the multipart cases. */
export function multipartCases(it: DeclareCase, ctx: GroupContext): void {
  const cache = new Map<number, Buffer>();
  /** A full-size part (exactly minPartSize bytes) with distinct content per seed. */
  const part = (seed: number) => {
    let b = cache.get(seed);
    if (!b) cache.set(seed, (b = generateBytes(ctx.caps.minPartSize, seed)));
    return b;
  };
  const done = (parts: PartInfo[]): CompletedPart[] => parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag }));

  it('assembles parts uploaded out of order, with the md5-of-md5s-N ETag', async () => {
    const key = `${ctx.prefix('mp')}obj`;
    const up = await ctx.storage.startMultipart(key);
    expect(up).toMatchObject({ key });
    expect(up.uploadId).toBeTypeOf('string');
    const tail = Buffer.from('the tail');
    const p3 = await ctx.storage.uploadPart(key, up.uploadId, 3, tail);
    const p1 = await ctx.storage.uploadPart(key, up.uploadId, 1, part(1));
    const p2 = await ctx.storage.uploadPart(key, up.uploadId, 2, part(2));
    expect(p1.etag).toBe(md5Hex(part(1)));
    expect(p3).toMatchObject({ partNumber: 3, size: tail.length, etag: md5Hex(tail) });
    const info = await ctx.storage.completeMultipart(key, up.uploadId, done([p1, p2, p3]));
    const whole = Buffer.concat([part(1), part(2), tail]);
    expect(info.etag).toBe(multipartEtagOf([part(1), part(2), tail]));
    expect(info.size).toBe(whole.length);
    expect(info.partCount).toBe(3);
    const head = await ctx.storage.head(key);
    expect(head.etag).toBe(info.etag);
    expect(md5Hex(await getBytes(ctx.storage, key))).toBe(md5Hex(whole));
  }, 30_000);

  it('a part uploaded twice: the last upload wins', async () => {
    const key = `${ctx.prefix('mp-twice')}obj`;
    const up = await ctx.storage.startMultipart(key);
    await ctx.storage.uploadPart(key, up.uploadId, 1, 'first version');
    const again = await ctx.storage.uploadPart(key, up.uploadId, 1, 'second version');
    const { parts } = await ctx.storage.listParts(key, up.uploadId);
    expect(parts).toHaveLength(1);
    expect(parts[0]?.etag).toBe(md5Hex('second version'));
    await ctx.storage.completeMultipart(key, up.uploadId, done([again]));
    expect((await getBytes(ctx.storage, key)).toString()).toBe('second version');
  });

  // Two uploads of one part number in flight at once (a client retrying a part it thinks was lost): the
  // upload that finished last is the part, whatever the order they started in, so Complete with its ETag
  // succeeds (AWS UploadPart: a part uploaded again under the same number overwrites the earlier one).
  it('a part uploaded twice at once: the upload that finished last is the part', async () => {
    const key = `${ctx.prefix('mp-race')}obj`;
    const up = await ctx.storage.startMultipart(key);
    const slow = part(21);
    let slowStarted!: () => void;
    const started = new Promise<void>((resolve) => (slowStarted = resolve));
    let releaseSlow!: () => void;
    const released = new Promise<void>((resolve) => (releaseSlow = resolve));
    async function* slowBody(): AsyncGenerator<Uint8Array> {
      yield slow.subarray(0, slow.length >> 1);
      // Resumed when the adapter asks for more: it has taken the first half, so this upload is in flight.
      slowStarted();
      await released;
      yield slow.subarray(slow.length >> 1);
    }
    const first = ctx.storage.uploadPart(key, up.uploadId, 1, slowBody(), { contentLength: slow.length });
    await started;
    const second = await ctx.storage.uploadPart(key, up.uploadId, 1, part(22));
    expect(second.etag).toBe(md5Hex(part(22)));
    releaseSlow();
    const last = await first;
    expect(last.etag).toBe(md5Hex(slow));
    expect((await ctx.storage.listParts(key, up.uploadId)).parts.map((p) => p.etag)).toEqual([last.etag]);
    await expectStorageError(ctx.storage.completeMultipart(key, up.uploadId, done([second])), { code: 'InvalidArgument', reason: 'InvalidPart' });
    const info = await ctx.storage.completeMultipart(key, up.uploadId, done([last]));
    expect(info.etag).toBe(multipartEtagOf([slow]));
    expect(md5Hex(await getBytes(ctx.storage, key))).toBe(md5Hex(slow));
  }, 30_000);

  it('completing with the stale ETag of a replaced part fails with InvalidPart', async () => {
    const key = `${ctx.prefix('mp-stale')}obj`;
    const up = await ctx.storage.startMultipart(key);
    const first = await ctx.storage.uploadPart(key, up.uploadId, 1, 'first');
    await ctx.storage.uploadPart(key, up.uploadId, 1, 'second');
    await expectStorageError(ctx.storage.completeMultipart(key, up.uploadId, done([first])), { code: 'InvalidArgument', reason: 'InvalidPart' });
    await ctx.storage.abortMultipart(key, up.uploadId);
  });

  it('completes with a subset of the uploaded parts', async () => {
    const key = `${ctx.prefix('mp-subset')}obj`;
    const up = await ctx.storage.startMultipart(key);
    const p1 = await ctx.storage.uploadPart(key, up.uploadId, 1, part(1));
    await ctx.storage.uploadPart(key, up.uploadId, 2, part(2));
    const p3 = await ctx.storage.uploadPart(key, up.uploadId, 3, 'end');
    const info = await ctx.storage.completeMultipart(key, up.uploadId, done([p1, p3]));
    expect(info.etag).toBe(multipartEtagOf([part(1), Buffer.from('end')]));
    expect(md5Hex(await getBytes(ctx.storage, key))).toBe(md5Hex(Buffer.concat([part(1), Buffer.from('end')])));
  }, 30_000);

  it('accepts quoted part ETags in the complete list', async () => {
    const key = `${ctx.prefix('mp-quoted')}obj`;
    const up = await ctx.storage.startMultipart(key);
    const p1 = await ctx.storage.uploadPart(key, up.uploadId, 1, 'only');
    const info = await ctx.storage.completeMultipart(key, up.uploadId, [{ partNumber: 1, etag: `"${p1.etag}"` }]);
    expect(info.etag).toBe(multipartEtagOf([Buffer.from('only')]));
  });

  it('the object is invisible until complete, and the upload gone after', async () => {
    const p = ctx.prefix('mp-invisible');
    const key = `${p}obj`;
    const up = await ctx.storage.startMultipart(key);
    const p1 = await ctx.storage.uploadPart(key, up.uploadId, 1, 'data');
    await expectMissing(ctx.storage, key);
    expect(await listKeys(ctx.storage, { prefix: p })).toEqual([]);
    await ctx.storage.completeMultipart(key, up.uploadId, done([p1]));
    expect(await listKeys(ctx.storage, { prefix: p })).toEqual([key]);
    await expectStorageError(ctx.storage.listParts(key, up.uploadId), { code: 'NotFound', reason: 'NoSuchUpload' });
    expect((await ctx.storage.listMultipartUploads({ prefix: p })).uploads).toEqual([]);
  });

  it('an existing object stays readable during an upload and is replaced on complete', async () => {
    const key = `${ctx.prefix('mp-replace')}obj`;
    await ctx.storage.put(key, 'old object');
    const up = await ctx.storage.startMultipart(key);
    const p1 = await ctx.storage.uploadPart(key, up.uploadId, 1, 'new object');
    expect((await getBytes(ctx.storage, key)).toString()).toBe('old object');
    await ctx.storage.completeMultipart(key, up.uploadId, done([p1]));
    expect((await getBytes(ctx.storage, key)).toString()).toBe('new object');
  });

  it('applies metadata and tags given at start to the completed object', async () => {
    const key = `${ctx.prefix('mp-meta')}obj`;
    const tags = ctx.caps.tags ? { t: 'v' } : undefined;
    const up = await ctx.storage.startMultipart(key, { contentType: 'video/mp4', cacheControl: 'no-store', userMetadata: { a: '\u00e9' }, tags });
    const p1 = await ctx.storage.uploadPart(key, up.uploadId, 1, 'x');
    await ctx.storage.completeMultipart(key, up.uploadId, done([p1]));
    expect(await ctx.storage.head(key)).toMatchObject({ contentType: 'video/mp4', cacheControl: 'no-store', userMetadata: { a: '\u00e9' }, tags: tags ?? {} });
  });

  it('rejects a too-small non-final part (EntityTooSmall) and keeps the upload', async () => {
    const key = `${ctx.prefix('mp-small')}obj`;
    const up = await ctx.storage.startMultipart(key);
    const small = await ctx.storage.uploadPart(key, up.uploadId, 1, generateBytes(ctx.caps.minPartSize - 1, 3));
    const last = await ctx.storage.uploadPart(key, up.uploadId, 2, 'last');
    await expectStorageError(ctx.storage.completeMultipart(key, up.uploadId, done([small, last])), {
      code: 'InvalidArgument',
      reason: 'EntityTooSmall',
      op: 'completeMultipart',
    });
    await expectMissing(ctx.storage, key);
    expect((await ctx.storage.listParts(key, up.uploadId)).parts).toHaveLength(2);
    await ctx.storage.abortMultipart(key, up.uploadId);
  }, 30_000);

  it('a final part may be small, even empty', async () => {
    const key = `${ctx.prefix('mp-empty-last')}obj`;
    const up = await ctx.storage.startMultipart(key);
    const p1 = await ctx.storage.uploadPart(key, up.uploadId, 1, part(4));
    const p2 = await ctx.storage.uploadPart(key, up.uploadId, 2, '');
    const info = await ctx.storage.completeMultipart(key, up.uploadId, done([p1, p2]));
    expect(info.size).toBe(part(4).length);
    expect(info.etag).toBe(multipartEtagOf([part(4), Buffer.alloc(0)]));
  }, 30_000);

  it('a single empty part makes a zero-byte object', async () => {
    const key = `${ctx.prefix('mp-zero')}obj`;
    const up = await ctx.storage.startMultipart(key);
    const p1 = await ctx.storage.uploadPart(key, up.uploadId, 1, '');
    const info = await ctx.storage.completeMultipart(key, up.uploadId, done([p1]));
    expect(info.size).toBe(0);
    expect((await getBytes(ctx.storage, key)).length).toBe(0);
  });

  it('rejects an unknown part or a wrong ETag with InvalidPart', async () => {
    const key = `${ctx.prefix('mp-invalid')}obj`;
    const up = await ctx.storage.startMultipart(key);
    const p1 = await ctx.storage.uploadPart(key, up.uploadId, 1, 'x');
    const bad = { code: 'InvalidArgument' as const, reason: 'InvalidPart' as const };
    await expectStorageError(ctx.storage.completeMultipart(key, up.uploadId, [{ partNumber: 1, etag: md5Hex('y') }]), bad);
    await expectStorageError(ctx.storage.completeMultipart(key, up.uploadId, [...done([p1]), { partNumber: 2, etag: p1.etag }]), bad);
    await expectStorageError(ctx.storage.completeMultipart(key, up.uploadId, []), { code: 'InvalidArgument' });
    await expectMissing(ctx.storage, key);
    await ctx.storage.abortMultipart(key, up.uploadId);
  });

  it('rejects an unordered or repeated part list with InvalidPartOrder', async () => {
    const key = `${ctx.prefix('mp-order')}obj`;
    const up = await ctx.storage.startMultipart(key);
    const p1 = await ctx.storage.uploadPart(key, up.uploadId, 1, part(1));
    const p2 = await ctx.storage.uploadPart(key, up.uploadId, 2, 'b');
    const order = { code: 'InvalidArgument' as const, reason: 'InvalidPartOrder' as const };
    await expectStorageError(ctx.storage.completeMultipart(key, up.uploadId, done([p2, p1])), order);
    await expectStorageError(ctx.storage.completeMultipart(key, up.uploadId, done([p1, p1])), order);
    await ctx.storage.abortMultipart(key, up.uploadId);
  }, 30_000);

  it('abort frees the upload: later calls throw NotFound (NoSuchUpload), no object', async () => {
    const key = `${ctx.prefix('mp-abort')}obj`;
    const up = await ctx.storage.startMultipart(key);
    const p1 = await ctx.storage.uploadPart(key, up.uploadId, 1, 'x');
    await ctx.storage.abortMultipart(key, up.uploadId);
    const gone = { code: 'NotFound' as const, reason: 'NoSuchUpload' as const };
    await expectStorageError(ctx.storage.listParts(key, up.uploadId), gone);
    await expectStorageError(ctx.storage.uploadPart(key, up.uploadId, 2, 'y'), gone);
    await expectStorageError(ctx.storage.completeMultipart(key, up.uploadId, done([p1])), gone);
    await expectStorageError(ctx.storage.abortMultipart(key, up.uploadId), gone);
    await expectMissing(ctx.storage, key);
  });

  it('an upload id is bound to its key', async () => {
    const p = ctx.prefix('mp-bound');
    const up = await ctx.storage.startMultipart(`${p}a`);
    await expectStorageError(ctx.storage.uploadPart(`${p}b`, up.uploadId, 1, 'x'), { code: 'NotFound', reason: 'NoSuchUpload' });
    await ctx.storage.abortMultipart(`${p}a`, up.uploadId);
  });

  it('two uploads to one key are independent', async () => {
    const key = `${ctx.prefix('mp-two')}obj`;
    const a = await ctx.storage.startMultipart(key);
    const b = await ctx.storage.startMultipart(key);
    expect(a.uploadId).not.toBe(b.uploadId);
    const pa = await ctx.storage.uploadPart(key, a.uploadId, 1, 'from a');
    const pb = await ctx.storage.uploadPart(key, b.uploadId, 1, 'from b');
    await ctx.storage.completeMultipart(key, b.uploadId, done([pb]));
    expect((await ctx.storage.listParts(key, a.uploadId)).parts.map((x) => x.etag)).toEqual([pa.etag]);
    await ctx.storage.completeMultipart(key, a.uploadId, done([pa]));
    expect((await getBytes(ctx.storage, key)).toString()).toBe('from a');
  });

  it('lists parts in ascending order with sizes and ETags, paged by partNumberMarker', async () => {
    const key = `${ctx.prefix('mp-parts')}obj`;
    const up = await ctx.storage.startMultipart(key);
    for (const n of [5, 2, 9, 1, 7]) await ctx.storage.uploadPart(key, up.uploadId, n, `part ${n}`);
    const all = await ctx.storage.listParts(key, up.uploadId);
    expect(all.parts.map((x) => x.partNumber)).toEqual([1, 2, 5, 7, 9]);
    expect(all.nextPartNumberMarker).toBeUndefined();
    for (const x of all.parts) {
      expect(x).toMatchObject({ size: `part ${x.partNumber}`.length, etag: md5Hex(`part ${x.partNumber}`) });
      expect(x.lastModified).toBeInstanceOf(Date);
    }
    const seen: number[] = [];
    let marker: number | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await ctx.storage.listParts(key, up.uploadId, { limit: 2, partNumberMarker: marker });
      expect(page.parts.length).toBeLessThanOrEqual(2);
      seen.push(...page.parts.map((x) => x.partNumber));
      marker = page.nextPartNumberMarker;
      if (marker === undefined) break;
    }
    expect(seen).toEqual([1, 2, 5, 7, 9]);
    expect((await ctx.storage.listParts(key, up.uploadId, { partNumberMarker: 5 })).parts.map((x) => x.partNumber)).toEqual([7, 9]);
    await ctx.storage.abortMultipart(key, up.uploadId);
  });

  it('lists in-progress uploads by key with prefix, delimiter and markers', async () => {
    const p = ctx.prefix('mp-uploads');
    const keys = [`${p}b`, `${p}a`, `${p}dir/x`, `${p}dir/y`, `${p}c`];
    const ups = [];
    for (const k of keys) ups.push(await ctx.storage.startMultipart(k));
    const second = await ctx.storage.startMultipart(`${p}a`);
    const all = await ctx.storage.listMultipartUploads({ prefix: p });
    expect(all.uploads.map((u) => u.key)).toEqual([`${p}a`, `${p}a`, `${p}b`, `${p}c`, `${p}dir/x`, `${p}dir/y`]);
    expect(all.uploads.filter((u) => u.key === `${p}a`).map((u) => u.uploadId)).toContain(second.uploadId);
    for (const u of all.uploads) expect(u.initiated).toBeInstanceOf(Date);
    const grouped = await ctx.storage.listMultipartUploads({ prefix: p, delimiter: '/' });
    expect(grouped.prefixes).toEqual([`${p}dir/`]);
    expect(grouped.uploads.map((u) => u.key)).toEqual([`${p}a`, `${p}a`, `${p}b`, `${p}c`]);
    const afterB = await ctx.storage.listMultipartUploads({ prefix: p, keyMarker: `${p}b` });
    expect(afterB.uploads.map((u) => u.key)).toEqual([`${p}c`, `${p}dir/x`, `${p}dir/y`]);
    // Paging by limit walks every upload exactly once, following nextKeyMarker/nextUploadIdMarker.
    const paged: string[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = await ctx.storage.listMultipartUploads({ prefix: p, limit: 2, keyMarker, uploadIdMarker });
      expect(page.uploads.length + page.prefixes.length).toBeLessThanOrEqual(2);
      paged.push(...page.uploads.map((u) => u.uploadId));
      if (page.nextKeyMarker === undefined) break;
      keyMarker = page.nextKeyMarker;
      uploadIdMarker = page.nextUploadIdMarker;
    }
    expect([...paged].sort()).toEqual(all.uploads.map((u) => u.uploadId).sort());
    expect(new Set(paged).size).toBe(paged.length);
    for (const u of [...ups, second]) await ctx.storage.abortMultipart(u.key, u.uploadId);
    expect((await ctx.storage.listMultipartUploads({ prefix: p })).uploads).toEqual([]);
  });

  it('the multipart ETag holds for many small parts when minPartSize allows, else for one part', async () => {
    const key = `${ctx.prefix('mp-many')}obj`;
    const up = await ctx.storage.startMultipart(key);
    const n = ctx.caps.minPartSize <= 1024 ? 12 : 1;
    const bodies = Array.from({ length: n }, (_, i) => generateBytes(Math.max(ctx.caps.minPartSize, 1), 50 + i));
    const parts = await Promise.all(bodies.map((b, i) => ctx.storage.uploadPart(key, up.uploadId, i + 1, b)));
    const info = await ctx.storage.completeMultipart(key, up.uploadId, done(parts));
    expect(info.etag).toBe(multipartEtagOf(bodies));
    expect((await ctx.storage.list({ prefix: key })).items[0]?.etag).toBe(info.etag);
  }, 30_000);

  it('ranges read across part boundaries of a multipart object', async () => {
    const key = `${ctx.prefix('mp-range')}obj`;
    const up = await ctx.storage.startMultipart(key);
    const p1 = await ctx.storage.uploadPart(key, up.uploadId, 1, part(1));
    const p2 = await ctx.storage.uploadPart(key, up.uploadId, 2, 'ABCDEFGH');
    await ctx.storage.completeMultipart(key, up.uploadId, done([p1, p2]));
    const m = part(1).length;
    const got = await ctx.storage.get(key, { range: { start: m - 3, end: m + 2 } });
    const chunks: Buffer[] = [];
    for await (const c of got.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(Buffer.concat([part(1).subarray(m - 3), Buffer.from('ABC')]))).toBe(true);
  }, 30_000);
}
