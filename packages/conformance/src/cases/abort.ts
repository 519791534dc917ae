/**
 * AbortSignal (docs/architecture.md, "AbortSignal": every operation takes one): a signal that has already fired makes
 * every operation throw `Aborted` before any I/O — nothing is read, written or deleted.
 */
import { expect } from 'vitest';
import type { Storage } from '@strata/storage';
import type { DeclareCase, GroupContext } from '../context.ts';
import { expectStorageError } from '../context.ts';
import { generateStream } from '../data.ts';
import { getBytes } from '../helpers.ts';

type Call = (s: Storage, key: string, signal: AbortSignal, uploadId: string) => Promise<unknown>;

const OPS: [string, Call][] = [
  ['get', (s, k, signal) => s.get(k, { signal })],
  ['head', (s, k, signal) => s.head(k, { signal })],
  ['delete', (s, k, signal) => s.delete(k, { signal })],
  ['deleteMany', (s, k, signal) => s.deleteMany([k], { signal })],
  ['list', (s, k, signal) => s.list({ prefix: k, signal })],
  ['copy', (s, k, signal) => s.copy(k, `${k}-copy`, { signal })],
  ['setTags', (s, k, signal) => s.setTags(k, { a: 'b' }, { signal })],
  ['startMultipart', (s, k, signal) => s.startMultipart(`${k}-mp`, { signal })],
  ['uploadPart', (s, k, signal, id) => s.uploadPart(`${k}-mp`, id, 1, 'part', { signal })],
  ['completeMultipart', (s, k, signal, id) => s.completeMultipart(`${k}-mp`, id, [{ partNumber: 1, etag: 'x' }], { signal })],
  ['abortMultipart', (s, k, signal, id) => s.abortMultipart(`${k}-mp`, id, { signal })],
  ['listParts', (s, k, signal, id) => s.listParts(`${k}-mp`, id, { signal })],
  ['listMultipartUploads', (s, k, signal) => s.listMultipartUploads({ prefix: k, signal })],
];

/** Declares the pre-aborted-signal cases. */
export function abortCases(it: DeclareCase, ctx: GroupContext): void {
  it('put with a pre-aborted signal throws Aborted without reading the body', async () => {
    const key = `${ctx.prefix('pre-abort')}put`;
    let read = false;
    const body = generateStream(1024, 1, { onChunk: () => (read = true) });
    await expectStorageError(ctx.storage.put(key, body, { signal: AbortSignal.abort() }), { code: 'Aborted', op: 'put' });
    expect(read).toBe(false);
    body.destroy();
    await expectStorageError(ctx.storage.head(key), { code: 'NotFound' });
  });

  for (const [op, call] of OPS) {
    it(`${op} with a pre-aborted signal throws Aborted and changes nothing`, async () => {
      const key = `${ctx.prefix('pre-abort')}obj`;
      await ctx.storage.put(key, 'kept');
      const upload = await ctx.storage.startMultipart(`${key}-mp`);
      await expectStorageError(call(ctx.storage, key, AbortSignal.abort(), upload.uploadId), { code: 'Aborted', op });
      expect((await getBytes(ctx.storage, key)).toString()).toBe('kept');
      expect((await ctx.storage.head(key)).tags).toEqual({});
      await expectStorageError(ctx.storage.head(`${key}-copy`), { code: 'NotFound' });
      expect((await ctx.storage.listParts(`${key}-mp`, upload.uploadId)).parts).toEqual([]);
      await ctx.storage.abortMultipart(`${key}-mp`, upload.uploadId);
    });
  }
}
