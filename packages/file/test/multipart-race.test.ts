/**
 * A part uploaded again while its upload completes: complete checks the ETags it was given against the part
 * files, then copies their bytes. The bytes copied must be the ones whose ETags were checked — the part files
 * stay open from the check to the copy — so the object's bytes always match its ETag: either complete sees
 * the new part (and refuses the old ETag with InvalidPart) or it assembles the old bytes, never a mix.
 * A 24 MiB first part keeps complete busy copying while the small second part is replaced by rename.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasErrorCode, type Storage } from '@strata/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFileStorage } from '../src/index.ts';

describe('complete while a part is uploaded again', () => {
  let root: string;
  let storage: Storage;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-mp-race-'));
    storage = await openFileStorage({ root, fsync: 'never', minPartSize: 1 });
  });
  afterAll(async () => {
    await (storage as { close?: () => Promise<void> }).close?.();
    await rm(root, { recursive: true, force: true });
  });

  it('assembles the bytes whose ETags it checked, never the replacement', async () => {
    const first = Buffer.alloc(24 << 20, 1);
    const oldSecond = Buffer.alloc(1024, 2);
    const newSecond = Buffer.alloc(1024, 3);
    let assembled = 0;
    for (let attempt = 0; attempt < 6 && assembled < 2; attempt++) {
      const key = `race-${attempt}`;
      const { uploadId } = await storage.startMultipart(key);
      const p1 = await storage.uploadPart(key, uploadId, 1, first);
      const p2 = await storage.uploadPart(key, uploadId, 2, oldSecond);
      const completing = storage.completeMultipart(key, uploadId, [
        { partNumber: 1, etag: p1.etag },
        { partNumber: 2, etag: p2.etag },
      ]);
      const reuploading = storage.uploadPart(key, uploadId, 2, newSecond).catch((e: unknown) => e);
      try {
        const info = await completing;
        assembled++;
        const { body } = await storage.get(key);
        const chunks: Buffer[] = [];
        for await (const chunk of body) chunks.push(chunk as Buffer);
        const bytes = Buffer.concat(chunks);
        expect(bytes.subarray(first.length).equals(oldSecond)).toBe(true);
        const md5 = (b: Buffer) => createHash('md5').update(b).digest();
        expect(info.etag).toBe(`${createHash('md5').update(Buffer.concat([md5(first), md5(oldSecond)])).digest('hex')}-2`);
      } catch (e) {
        if (e instanceof Error && e.name === 'AssertionError') throw e;
        // The replacement landed before the check: the old ETag is refused, nothing is assembled.
        expect(hasErrorCode(e, 'InvalidArgument') || hasErrorCode(e, 'NotFound')).toBe(true);
      }
      await reuploading;
    }
    expect(assembled).toBeGreaterThan(0);
  }, 60_000);
});
