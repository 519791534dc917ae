/**
 * Conditional writes (docs/architecture.md, "Put"; AWS PutObject conditional writes): create-only `ifNoneMatch: '*'`
 * and compare-and-swap `ifMatch`, evaluated atomically with the commit against concurrent writers — checked
 * by racing writers whose bodies arrive slowly, so a check-then-write implementation loses.
 * Without `capabilities.conditionalPut` the conditions must throw `Unsupported`, never be ignored.
 */
import { expect } from 'vitest';
import { isStorageError } from '@strata/storage';
import type { DeclareCase, GroupContext } from '../context.ts';
import { expectStorageError, requireCapability } from '../context.ts';
import { md5Hex } from '../data.ts';
import { getBytes, slowChunks } from '../helpers.ts';

/** Declares the conditional put cases. */
export function conditionalPutCases(it: DeclareCase, ctx: GroupContext): void {
  it('without conditionalPut, conditions throw Unsupported (else: see the conditional cases)', async () => {
    const key = `${ctx.prefix('cp-caps')}k`;
    if (ctx.caps.conditionalPut) {
      expect((await ctx.storage.put(key, 'a', { ifNoneMatch: '*' })).etag).toBe(md5Hex('a'));
      return;
    }
    await expectStorageError(ctx.storage.put(key, 'a', { ifNoneMatch: '*' }), { code: 'Unsupported' });
    await expectStorageError(ctx.storage.put(key, 'a', { ifMatch: md5Hex('a') }), { code: 'Unsupported' });
    await ctx.storage.put(key, 'a');
    await expectStorageError(ctx.storage.copy(key, `${key}2`, { ifNoneMatch: '*' }), { code: 'Unsupported' });
  });
  conditionalCases(it, ctx);
}

function conditionalCases(it: DeclareCase, ctx: GroupContext): void {

  it('create-only put succeeds on a missing key', async (t) => {
    requireCapability(t, ctx.caps.conditionalPut, 'conditionalPut');
    const key = `${ctx.prefix('cp')}k`;
    expect((await ctx.storage.put(key, 'new', { ifNoneMatch: '*' })).etag).toBe(md5Hex('new'));
  });

  it('create-only put on an existing key throws AlreadyExists and keeps the object', async (t) => {
    requireCapability(t, ctx.caps.conditionalPut, 'conditionalPut');
    const key = `${ctx.prefix('cp')}k`;
    await ctx.storage.put(key, 'old');
    await expectStorageError(ctx.storage.put(key, 'new', { ifNoneMatch: '*' }), { code: 'AlreadyExists', op: 'put', key });
    expect((await getBytes(ctx.storage, key)).toString()).toBe('old');
  });

  it('create-only put on an existing zero-byte object throws AlreadyExists', async (t) => {
    requireCapability(t, ctx.caps.conditionalPut, 'conditionalPut');
    const key = `${ctx.prefix('cp')}k`;
    await ctx.storage.put(key, '');
    await expectStorageError(ctx.storage.put(key, 'x', { ifNoneMatch: '*' }), { code: 'AlreadyExists' });
  });

  it('create-only put succeeds again after the key was deleted', async (t) => {
    requireCapability(t, ctx.caps.conditionalPut, 'conditionalPut');
    const key = `${ctx.prefix('cp')}k`;
    await ctx.storage.put(key, 'a', { ifNoneMatch: '*' });
    await ctx.storage.delete(key);
    await ctx.storage.put(key, 'b', { ifNoneMatch: '*' });
    expect((await getBytes(ctx.storage, key)).toString()).toBe('b');
  });

  it('ifMatch with the current ETag (bare or quoted) replaces the object', async (t) => {
    requireCapability(t, ctx.caps.conditionalPut, 'conditionalPut');
    const key = `${ctx.prefix('cp')}k`;
    const a = await ctx.storage.put(key, 'v1');
    const b = await ctx.storage.put(key, 'v2', { ifMatch: a.etag });
    await ctx.storage.put(key, 'v3', { ifMatch: `"${b.etag}"` });
    expect((await getBytes(ctx.storage, key)).toString()).toBe('v3');
  });

  it('ifMatch with a stale ETag throws PreconditionFailed and keeps the object', async (t) => {
    requireCapability(t, ctx.caps.conditionalPut, 'conditionalPut');
    const key = `${ctx.prefix('cp')}k`;
    const a = await ctx.storage.put(key, 'v1');
    await ctx.storage.put(key, 'v2');
    await expectStorageError(ctx.storage.put(key, 'v3', { ifMatch: a.etag }), { code: 'PreconditionFailed', op: 'put', key });
    expect((await getBytes(ctx.storage, key)).toString()).toBe('v2');
  });

  it('ifMatch on a missing key throws PreconditionFailed and creates nothing', async (t) => {
    requireCapability(t, ctx.caps.conditionalPut, 'conditionalPut');
    const key = `${ctx.prefix('cp')}k`;
    await expectStorageError(ctx.storage.put(key, 'v', { ifMatch: md5Hex('v') }), { code: 'PreconditionFailed' });
    await expectStorageError(ctx.storage.head(key), { code: 'NotFound' });
  });

  it('a failed condition does not consume a slow body into a stored object', async (t) => {
    requireCapability(t, ctx.caps.conditionalPut, 'conditionalPut');
    const key = `${ctx.prefix('cp')}k`;
    await ctx.storage.put(key, 'keep');
    await expectStorageError(ctx.storage.put(key, slowChunks(['a', 'b', 'c']), { ifNoneMatch: '*' }), { code: 'AlreadyExists' });
    expect((await getBytes(ctx.storage, key)).toString()).toBe('keep');
  });

  it('8 concurrent create-only puts with slow bodies: exactly one wins', async (t) => {
    requireCapability(t, ctx.caps.conditionalPut, 'conditionalPut');
    const key = `${ctx.prefix('race')}k`;
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => ctx.storage.put(key, slowChunks([`writer ${i} `, 'part two ', 'part three']), { ifNoneMatch: '*' })),
    );
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(winners, 'winners').toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(isStorageError(r.reason) && ['AlreadyExists', 'PreconditionFailed'].includes(r.reason.code), String(r.reason)).toBe(true);
      }
    }
    expect((await getBytes(ctx.storage, key)).toString()).toBe(`writer ${winners[0]} part two part three`);
  });

  it('create-only race on a fresh key after delete: exactly one wins each round', async (t) => {
    requireCapability(t, ctx.caps.conditionalPut, 'conditionalPut');
    const key = `${ctx.prefix('race2')}k`;
    for (let round = 0; round < 5; round++) {
      const results = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => ctx.storage.put(key, slowChunks([`${round}:${i}`]), { ifNoneMatch: '*' })));
      expect(results.filter((r) => r.status === 'fulfilled'), `round ${round}`).toHaveLength(1);
      await ctx.storage.delete(key);
    }
  });

  it('4 writers × 10 compare-and-swap increments lose no update', async (t) => {
    requireCapability(t, ctx.caps.conditionalPut, 'conditionalPut');
    const key = `${ctx.prefix('cas')}counter`;
    await ctx.storage.put(key, JSON.stringify({ n: 0 }));
    let conflicts = 0;
    const writer = async () => {
      for (let done = 0, attempts = 0; done < 10; attempts++) {
        if (attempts > 2000) throw new Error('CAS loop did not converge');
        const got = await ctx.storage.get(key);
        const n = (JSON.parse((await getBytesOf(got.body)).toString()) as { n: number }).n;
        try {
          await ctx.storage.put(key, slowChunks([JSON.stringify({ n: n + 1 })]), { ifMatch: got.info.etag });
          done++;
        } catch (e) {
          if (!isStorageError(e) || e.code !== 'PreconditionFailed') throw e;
          conflicts++;
        }
      }
    };
    await Promise.all([writer(), writer(), writer(), writer()]);
    expect(JSON.parse((await getBytes(ctx.storage, key)).toString())).toEqual({ n: 40 });
    expect(conflicts, 'the writers did race').toBeGreaterThanOrEqual(0);
  }, 30_000);

  it('copy honours ifNoneMatch and ifMatch on the destination', async (t) => {
    requireCapability(t, ctx.caps.conditionalPut, 'conditionalPut');
    const p = ctx.prefix('cp-copy');
    await ctx.storage.put(`${p}src`, 'src');
    const dst = await ctx.storage.put(`${p}dst`, 'dst');
    await expectStorageError(ctx.storage.copy(`${p}src`, `${p}dst`, { ifNoneMatch: '*' }), { code: 'AlreadyExists' });
    await expectStorageError(ctx.storage.copy(`${p}src`, `${p}dst`, { ifMatch: md5Hex('other') }), { code: 'PreconditionFailed' });
    expect((await getBytes(ctx.storage, `${p}dst`)).toString()).toBe('dst');
    await ctx.storage.copy(`${p}src`, `${p}dst`, { ifMatch: dst.etag });
    expect((await getBytes(ctx.storage, `${p}dst`)).toString()).toBe('src');
  });

  it('setTags honours ifMatch', async (t) => {
    requireCapability(t, ctx.caps.conditionalPut && ctx.caps.tags, 'conditionalPut+tags');
    const key = `${ctx.prefix('cp-tags')}k`;
    const info = await ctx.storage.put(key, 'x');
    await expectStorageError(ctx.storage.setTags(key, { a: '1' }, { ifMatch: md5Hex('y') }), { code: 'PreconditionFailed' });
    expect((await ctx.storage.setTags(key, { a: '1' }, { ifMatch: info.etag })).tags).toEqual({ a: '1' });
  });
}

function getBytesOf(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  return (async () => {
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(Buffer.from(c));
    return Buffer.concat(chunks);
  })();
}
