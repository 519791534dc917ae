/**
 * Errors (docs/architecture.md, "Errors"): one `StorageError` family with a closed set of codes; every thrown error
 * is branded (`isStorageError`), says whether a retry may help, and carries the operation and key.
 */
import { expect } from 'vitest';
import { STORAGE_ERROR_CODES, isStorageError } from '@strata/storage';
import type { Storage } from '@strata/storage';
import type { DeclareCase, GroupContext } from '../context.ts';
import { expectStorageError, requireCapability } from '../context.ts';

type Failing = [op: string, call: (s: Storage, key: string) => Promise<unknown>, code: string];

const FAILING: Failing[] = [
  ['get', (s, k) => s.get(k), 'NotFound'],
  ['head', (s, k) => s.head(k), 'NotFound'],
  ['copy', (s, k) => s.copy(k, `${k}-dst`), 'NotFound'],
  ['setTags', (s, k) => s.setTags(k, { a: 'b' }), 'NotFound'],
  ['uploadPart', (s, k) => s.uploadPart(k, 'no-such-upload', 1, 'x'), 'NotFound'],
  ['listParts', (s, k) => s.listParts(k, 'no-such-upload'), 'NotFound'],
  ['abortMultipart', (s, k) => s.abortMultipart(k, 'no-such-upload'), 'NotFound'],
  ['completeMultipart', (s, k) => s.completeMultipart(k, 'no-such-upload', [{ partNumber: 1, etag: 'x' }]), 'NotFound'],
];

/** Declares the error-shape cases. */
export function errorCases(it: DeclareCase, ctx: GroupContext, factory: () => Promise<Storage> | Storage): void {
  for (const [op, call, code] of FAILING) {
    it(`${op} of a missing key throws a branded ${code} with op, key and retryable=false`, async (t) => {
      if (op === 'setTags') requireCapability(t, ctx.caps.tags, 'tags');
      const key = `${ctx.prefix('err')}missing`;
      let error: unknown;
      await call(ctx.storage, key).catch((e: unknown) => (error = e));
      expect(isStorageError(error), String(error)).toBe(true);
      if (!isStorageError(error)) return;
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(Object.keys(STORAGE_ERROR_CODES)).toContain(error.code);
      expect(error.op).toBe(op);
      expect(error.key).toBe(key);
      expect(error.retryable).toBe(false);
      expect(error.message.length).toBeGreaterThan(0);
      if (op.includes('Part') || op.endsWith('Multipart')) expect(error.reason).toBe('NoSuchUpload');
    });
  }

  it('a closed storage throws Unavailable', async () => {
    const s = await factory();
    await ctx.options.cleanup?.(s);
    await s.close();
    await expectStorageError(s.head('after-close'), { code: 'Unavailable' });
    await expectStorageError(s.put('after-close', 'x'), { code: 'Unavailable' });
  });

  it('every error code in the registry declares retryable and a description', () => {
    for (const [code, entry] of Object.entries(STORAGE_ERROR_CODES)) {
      expect(typeof entry.retryable, code).toBe('boolean');
      expect(entry.description.length, code).toBeGreaterThan(0);
    }
    return Promise.resolve();
  });

  it('option errors are InvalidArgument with the op (bad part number)', async () => {
    const key = `${ctx.prefix('err-arg')}k`;
    const upload = await ctx.storage.startMultipart(key);
    for (const n of [0, 10_001, 1.5]) {
      await expectStorageError(ctx.storage.uploadPart(key, upload.uploadId, n, 'x'), { code: 'InvalidArgument', op: 'uploadPart' });
    }
    await ctx.storage.abortMultipart(key, upload.uploadId);
  });
}
