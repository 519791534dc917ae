/**
 * exists and move, which the front wrapper composes for every adapter: exists is head answering `false` for
 * `NotFound`; move is copy then delete (AWS S3 User Guide, "Copying, moving, and renaming objects"), which
 * must never lose data — a refused or failed move leaves the source in place, a condition on the destination
 * holds as for copy, and the source goes only once the copy is committed.
 */
import { expect } from 'vitest';
import type { DeclareCase, GroupContext } from '../context.ts';
import { expectMissing, expectStorageError } from '../context.ts';
import { getBytes, listKeys } from '../helpers.ts';

const META = { contentType: 'text/csv', cacheControl: 'no-cache', userMetadata: { origin: 'caf\u00e9' } };

/** Declares the exists and move cases. */
export function existsMoveCases(it: DeclareCase, ctx: GroupContext): void {
  it('exists is true for an object and false for a missing or deleted key', async () => {
    const p = ctx.prefix('exists');
    await ctx.storage.put(`${p}k`, 'x');
    await ctx.storage.put(`${p}empty`, '');
    expect(await ctx.storage.exists(`${p}k`)).toBe(true);
    expect(await ctx.storage.exists(`${p}empty`), 'a zero-byte object exists').toBe(true);
    expect(await ctx.storage.exists(`${p}missing`)).toBe(false);
    await ctx.storage.delete(`${p}k`);
    expect(await ctx.storage.exists(`${p}k`)).toBe(false);
  });

  it('exists knows no folders: a/b is absent beside a/b/c, and a/b/ only as a marker', async () => {
    const p = ctx.prefix('exists-nest');
    await ctx.storage.put(`${p}a/b/c`, 'x');
    expect(await ctx.storage.exists(`${p}a/b`)).toBe(false);
    expect(await ctx.storage.exists(`${p}a/b/`)).toBe(false);
    expect(await ctx.storage.exists(`${p}a`)).toBe(false);
    await ctx.storage.put(`${p}a/b/`, '');
    expect(await ctx.storage.exists(`${p}a/b/`)).toBe(true);
    expect(await ctx.storage.exists(`${p}a/b`)).toBe(false);
  });

  it('exists throws InvalidKey for an invalid key, and Aborted for a fired signal (never false)', async () => {
    await expectStorageError(ctx.storage.exists(''), { code: 'InvalidKey', op: 'exists' });
    const key = `${ctx.prefix('exists-abort')}k`;
    await expectStorageError(ctx.storage.exists(key, { signal: AbortSignal.abort() }), { code: 'Aborted', op: 'exists' });
  });

  it('move copies bytes, metadata and tags to the destination and removes the source', async () => {
    const p = ctx.prefix('move');
    const tags: Record<string, string> = ctx.caps.tags ? { t: '1' } : {};
    const src = await ctx.storage.put(`${p}src`, 'payload', { ...META, tags });
    const info = await ctx.storage.move(`${p}src`, `${p}dst`);
    expect(info).toMatchObject({ key: `${p}dst`, size: 7, etag: src.etag });
    expect(await ctx.storage.head(`${p}dst`)).toMatchObject({ ...META, etag: src.etag, tags });
    expect((await getBytes(ctx.storage, `${p}dst`)).toString()).toBe('payload');
    await expectMissing(ctx.storage, `${p}src`);
    expect(await listKeys(ctx.storage, { prefix: p })).toEqual([`${p}dst`]);
  });

  it('move with metadataDirective "replace" writes the new metadata', async () => {
    const p = ctx.prefix('move-r');
    await ctx.storage.put(`${p}src`, 'payload', META);
    await ctx.storage.move(`${p}src`, `${p}dst`, { metadataDirective: 'replace', contentType: 'application/json', userMetadata: { fresh: 'yes' } });
    const head = await ctx.storage.head(`${p}dst`);
    expect(head.contentType).toBe('application/json');
    expect(head.userMetadata).toEqual({ fresh: 'yes' });
    expect(head.cacheControl).toBeUndefined();
    await expectMissing(ctx.storage, `${p}src`);
  });

  it('move overwrites an existing destination when no condition is given', async () => {
    const p = ctx.prefix('move-over');
    await ctx.storage.put(`${p}src`, 'new');
    await ctx.storage.put(`${p}dst`, 'old');
    await ctx.storage.move(`${p}src`, `${p}dst`);
    expect((await getBytes(ctx.storage, `${p}dst`)).toString()).toBe('new');
    await expectMissing(ctx.storage, `${p}src`);
  });

  it('move with ifNoneMatch "*" onto an existing destination throws AlreadyExists and changes nothing', async () => {
    const p = ctx.prefix('move-create-only');
    await ctx.storage.put(`${p}src`, 'new');
    await ctx.storage.put(`${p}dst`, 'old');
    if (!ctx.caps.conditionalPut) {
      await expectStorageError(ctx.storage.move(`${p}src`, `${p}dst`, { ifNoneMatch: '*' }), { code: 'Unsupported', op: 'move' });
    } else {
      await expectStorageError(ctx.storage.move(`${p}src`, `${p}dst`, { ifNoneMatch: '*' }), { code: 'AlreadyExists', op: 'move', key: `${p}dst` });
    }
    expect((await getBytes(ctx.storage, `${p}dst`)).toString(), 'destination untouched').toBe('old');
    expect((await getBytes(ctx.storage, `${p}src`)).toString(), 'source kept').toBe('new');
    if (ctx.caps.conditionalPut) {
      await ctx.storage.move(`${p}src`, `${p}fresh`, { ifNoneMatch: '*' });
      expect((await getBytes(ctx.storage, `${p}fresh`)).toString()).toBe('new');
      await expectMissing(ctx.storage, `${p}src`);
    }
  });

  it('move with ifMatch on the destination: a stale ETag throws PreconditionFailed and keeps the source', async (t) => {
    if (!ctx.caps.conditionalPut) t.skip('capability conditionalPut not declared');
    const p = ctx.prefix('move-cas');
    await ctx.storage.put(`${p}src`, 'new');
    const dst = await ctx.storage.put(`${p}dst`, 'old');
    const stale = (await ctx.storage.put(`${p}other`, 'other')).etag;
    await expectStorageError(ctx.storage.move(`${p}src`, `${p}dst`, { ifMatch: stale }), { code: 'PreconditionFailed', op: 'move' });
    expect((await getBytes(ctx.storage, `${p}src`)).toString()).toBe('new');
    await ctx.storage.move(`${p}src`, `${p}dst`, { ifMatch: dst.etag });
    expect((await getBytes(ctx.storage, `${p}dst`)).toString()).toBe('new');
    await expectMissing(ctx.storage, `${p}src`);
  });

  it('move evaluates source conditions: an unmet one throws PreconditionFailed and changes nothing', async () => {
    const p = ctx.prefix('move-src-cond');
    const src = await ctx.storage.put(`${p}src`, 'payload');
    const other = (await ctx.storage.put(`${p}other`, 'other')).etag;
    await expectStorageError(ctx.storage.move(`${p}src`, `${p}d`, { source: { ifMatch: other } }), { code: 'PreconditionFailed', op: 'move' });
    await expectStorageError(ctx.storage.move(`${p}src`, `${p}d`, { source: { ifNoneMatch: src.etag } }), { code: 'PreconditionFailed', op: 'move' });
    await expectMissing(ctx.storage, `${p}d`);
    await ctx.storage.move(`${p}src`, `${p}d`, { source: { ifMatch: src.etag } });
    expect((await getBytes(ctx.storage, `${p}d`)).toString()).toBe('payload');
  });

  it('move of a missing source throws NotFound (op move) and creates nothing', async () => {
    const p = ctx.prefix('move-missing');
    await expectStorageError(ctx.storage.move(`${p}nope`, `${p}dst`), { code: 'NotFound', op: 'move', key: `${p}nope` });
    await expectMissing(ctx.storage, `${p}dst`);
  });

  it('move onto the same key throws InvalidArgument and keeps the object', async () => {
    const key = `${ctx.prefix('move-self')}k`;
    await ctx.storage.put(key, 'only copy');
    await expectStorageError(ctx.storage.move(key, key), { code: 'InvalidArgument', op: 'move' });
    expect((await getBytes(ctx.storage, key)).toString()).toBe('only copy');
  });

  it('move refuses invalid keys and a fired signal before any change', async () => {
    const key = `${ctx.prefix('move-refuse')}k`;
    await ctx.storage.put(key, 'kept');
    await expectStorageError(ctx.storage.move(key, ''), { code: 'InvalidKey', op: 'move' });
    await expectStorageError(ctx.storage.move('', key), { code: 'InvalidKey', op: 'move' });
    await expectStorageError(ctx.storage.move(key, `${key}-2`, { signal: AbortSignal.abort() }), { code: 'Aborted', op: 'move' });
    expect((await getBytes(ctx.storage, key)).toString()).toBe('kept');
    await expectMissing(ctx.storage, `${key}-2`);
  });

  it('move between nested and awkward keys: a/b into a/b/c and back, unicode and spaces', async () => {
    const p = ctx.prefix('move-keys');
    await ctx.storage.put(`${p}a/b`, 'one');
    await ctx.storage.move(`${p}a/b`, `${p}a/b/c`);
    expect(await listKeys(ctx.storage, { prefix: p })).toEqual([`${p}a/b/c`]);
    await ctx.storage.move(`${p}a/b/c`, `${p}a/b`);
    expect(await listKeys(ctx.storage, { prefix: p })).toEqual([`${p}a/b`]);
    await ctx.storage.move(`${p}a/b`, `${p}caf\u00e9 %2F/\u{1f600}+x`);
    expect(await listKeys(ctx.storage, { prefix: p })).toEqual([`${p}caf\u00e9 %2F/\u{1f600}+x`]);
    expect((await getBytes(ctx.storage, `${p}caf\u00e9 %2F/\u{1f600}+x`)).toString()).toBe('one');
  });

  it('move of a multipart object keeps its bytes', async () => {
    const p = ctx.prefix('move-mp');
    const upload = await ctx.storage.startMultipart(`${p}src`);
    const part = await ctx.storage.uploadPart(`${p}src`, upload.uploadId, 1, 'one part, also the last');
    await ctx.storage.completeMultipart(`${p}src`, upload.uploadId, [{ partNumber: 1, etag: part.etag }]);
    await ctx.storage.move(`${p}src`, `${p}dst`);
    expect((await getBytes(ctx.storage, `${p}dst`)).toString()).toBe('one part, also the last');
    await expectMissing(ctx.storage, `${p}src`);
  });
}
