/**
 * Bounded memory for large streamed objects (docs/architecture.md, "Put": memory stays bounded for streams): a
 * `largeObjectBytes` (256 MiB by default) object streamed in from a generator and hashed on the way back must
 * keep the heap + ArrayBuffers growth under 64 MiB. A storage that is not durable keeps its objects in this
 * process's memory by nature, so for it the object's own size is allowed on top (one copy, not two).
 */
import { expect } from 'vitest';
import type { DeclareCase, GroupContext } from '../context.ts';
import { expectedDigest, generateStream, hashStream } from '../data.ts';
import { collectGarbage, measureGrowth } from '../memory-probe.ts';

const MiB = 1 << 20;

/** Declares the large-object cases. */
export function largeCases(it: DeclareCase, ctx: GroupContext): void {
  it('streams a large object in and out with bounded memory, bytes intact', async () => {
    const size = ctx.options.largeObjectBytes;
    const key = `${ctx.prefix('large')}obj`;
    const allowance = 64 * MiB + (ctx.caps.durable ? 0 : size);
    const want = await expectedDigest(size, 77);
    collectGarbage();
    const put = await measureGrowth(() => ctx.storage.put(key, generateStream(size, 77, { chunkSize: MiB })));
    expect(put.result.size).toBe(size);
    expect(put.result.etag).toBe(want.md5);
    expect(put.growth.heap, `put grew heap+arrayBuffers by ${(put.growth.heap / MiB).toFixed(1)} MiB`).toBeLessThan(allowance);
    const get = await measureGrowth(async () => hashStream((await ctx.storage.get(key)).body));
    expect(get.result).toEqual(want);
    expect(get.growth.heap, `get grew heap+arrayBuffers by ${(get.growth.heap / MiB).toFixed(1)} MiB`).toBeLessThan(64 * MiB);
    await ctx.storage.delete(key);
  }, 300_000);

  it('a large ranged read returns exactly the range', async () => {
    const size = Math.min(ctx.options.largeObjectBytes, 16 * MiB);
    const key = `${ctx.prefix('large-range')}obj`;
    await ctx.storage.put(key, generateStream(size, 78));
    const got = await ctx.storage.get(key, { range: { suffix: 1 } });
    const d = await hashStream(got.body);
    expect(d.size).toBe(1);
    expect(got.range).toEqual({ start: size - 1, end: size - 1 });
    await ctx.storage.delete(key);
  }, 120_000);
}
