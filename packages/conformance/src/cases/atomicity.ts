/**
 * Atomic puts (docs/architecture.md, "Put"): a reader sees the old object or the new one, never a mix; an object is
 * invisible until its body has been read whole; a body that errors, is aborted or is short leaves the old
 * object (or nothing) in place and throws.
 */
import { expect } from 'vitest';
import type { DeclareCase, GroupContext } from '../context.ts';
import { expectMissing, expectStorageError } from '../context.ts';
import { expectedDigest, generateStream, hashStream } from '../data.ts';
import { getBytes, listKeys, tick } from '../helpers.ts';

const MiB = 1 << 20;

/** Declares the atomicity cases. */
export function atomicityCases(it: DeclareCase, ctx: GroupContext): void {
  it('readers during a slow 4 MiB overwrite see the old or the new bytes whole, never a mix', async () => {
    const key = `${ctx.prefix('atomic')}obj`;
    const size = 4 * MiB;
    const [oldD, newD] = await Promise.all([expectedDigest(size, 101), expectedDigest(size, 202)]);
    await ctx.storage.put(key, generateStream(size, 101));
    let writing = true;
    const put = ctx.storage.put(key, generateStream(size, 202, { chunkSize: 256 * 1024, delayMs: 8 })).finally(() => (writing = false));
    const seen = { old: 0, new: 0 };
    const reader = async () => {
      while (writing) {
        // Yield a macrotask: an in-memory get can complete on microtasks alone and would starve the writer.
        await tick();
        const got = await ctx.storage.get(key);
        const d = await hashStream(got.body);
        expect([oldD.md5, newD.md5], 'a whole version').toContain(d.md5);
        expect(got.info.etag, 'info and bytes of the same version').toBe(d.md5);
        seen[d.md5 === oldD.md5 ? 'old' : 'new']++;
      }
    };
    await Promise.all([put, reader(), reader()]);
    expect(seen.old, 'readers ran during the write').toBeGreaterThan(0);
    expect((await hashStream((await ctx.storage.get(key)).body)).md5).toBe(newD.md5);
  }, 60_000);

  it('a new key is invisible (head, get, list) until its slow body is complete', async () => {
    const p = ctx.prefix('invisible');
    const key = `${p}obj`;
    let produced = 0;
    const put = ctx.storage.put(key, generateStream(MiB, 5, { chunkSize: 64 * 1024, delayMs: 2, onChunk: (n) => (produced = n) }));
    while (produced < MiB / 2) await new Promise((r) => setTimeout(r, 2));
    await expectMissing(ctx.storage, key);
    await expectStorageError(ctx.storage.get(key), { code: 'NotFound' });
    expect(await listKeys(ctx.storage, { prefix: p })).toEqual([]);
    await put;
    expect((await ctx.storage.head(key)).size).toBe(MiB);
  }, 30_000);

  it('a body that errors mid-way fails the put and leaves the old object', async () => {
    const key = `${ctx.prefix('err-body')}obj`;
    await ctx.storage.put(key, 'the old object');
    const put = ctx.storage.put(key, generateStream(2 * MiB, 3, { failWith: new Error('source broke'), failAfter: MiB }));
    await expect(put).rejects.toThrow();
    expect((await getBytes(ctx.storage, key)).toString()).toBe('the old object');
  });

  it('a body that errors mid-way on a new key leaves no object', async () => {
    const p = ctx.prefix('err-new');
    await expect(ctx.storage.put(`${p}obj`, generateStream(2 * MiB, 3, { failWith: new Error('source broke'), failAfter: MiB }))).rejects.toThrow();
    await expectMissing(ctx.storage, `${p}obj`);
    expect(await listKeys(ctx.storage, { prefix: p })).toEqual([]);
  });

  it('a put aborted mid-stream throws Aborted and leaves the old object', async () => {
    const key = `${ctx.prefix('abort-put')}obj`;
    await ctx.storage.put(key, 'old');
    const ac = new AbortController();
    const body = generateStream(4 * MiB, 4, { delayMs: 1, onChunk: (n) => n >= MiB && ac.abort() });
    await expectStorageError(ctx.storage.put(key, body, { signal: ac.signal }), { code: 'Aborted', op: 'put' });
    expect((await getBytes(ctx.storage, key)).toString()).toBe('old');
  });

  it('a put aborted mid-stream on a new key leaves no object', async () => {
    const p = ctx.prefix('abort-new');
    const ac = new AbortController();
    const body = generateStream(4 * MiB, 4, { delayMs: 1, onChunk: (n) => n >= MiB && ac.abort(new Error('stop')) });
    await expectStorageError(ctx.storage.put(`${p}obj`, body, { signal: ac.signal }), { code: 'Aborted' });
    await expectMissing(ctx.storage, `${p}obj`);
    expect(await listKeys(ctx.storage, { prefix: p })).toEqual([]);
  });

  it('a body shorter or longer than contentLength fails (IncompleteBody) and stores nothing', async () => {
    const key = `${ctx.prefix('length')}obj`;
    await expectStorageError(ctx.storage.put(key, 'short', { contentLength: 10 }), { code: 'InvalidArgument', reason: 'IncompleteBody' });
    await expectMissing(ctx.storage, key);
    await expectStorageError(ctx.storage.put(key, 'much too long', { contentLength: 3 }), { code: 'InvalidArgument', reason: 'IncompleteBody' });
    await expectMissing(ctx.storage, key);
    expect((await ctx.storage.put(key, 'exact', { contentLength: 5 })).size).toBe(5);
  });

  it('concurrent unconditional puts leave exactly one whole version', async () => {
    const key = `${ctx.prefix('last-writer')}obj`;
    const bodies = Array.from({ length: 6 }, (_, i) => `version ${i} `.repeat(1000));
    await Promise.all(bodies.map((b) => ctx.storage.put(key, generateStreamOf(b))));
    const final = (await getBytes(ctx.storage, key)).toString();
    expect(bodies).toContain(final);
  });
}

function generateStreamOf(text: string): AsyncIterable<string> {
  return (async function* () {
    for (let i = 0; i < text.length; i += 1000) {
      await new Promise((r) => setImmediate(r));
      yield text.slice(i, i + 1000);
    }
  })();
}
