/**
 * Byte ranges as S3 resolves them (RFC 9110 §14.1.2; AWS GetObject "Range"): `start-end` clipped to the
 * object, `start-` to the end, suffix `-n` (the whole object when n exceeds it), a start at or beyond the end
 * of a non-empty object is `InvalidRange`, and a range on an empty object returns it whole (S3 answers 200).
 */
import { expect } from 'vitest';
import type { ByteRange } from '@strata/storage';
import type { DeclareCase, GroupContext } from '../context.ts';
import { expectStorageError } from '../context.ts';
import { generateBytes } from '../data.ts';
import { bodyOf } from '../helpers.ts';

const SIZE = 1000;
const data = generateBytes(SIZE, 11);

const OK: { name: string; range: ByteRange; start: number; end: number }[] = [
  { name: 'start-end', range: { start: 10, end: 19 }, start: 10, end: 19 },
  { name: 'first byte', range: { start: 0, end: 0 }, start: 0, end: 0 },
  { name: 'last byte', range: { start: SIZE - 1, end: SIZE - 1 }, start: SIZE - 1, end: SIZE - 1 },
  { name: 'start- (to the end)', range: { start: 990 }, start: 990, end: SIZE - 1 },
  { name: 'suffix -n', range: { suffix: 10 }, start: SIZE - 10, end: SIZE - 1 },
  { name: 'suffix longer than the object (whole object)', range: { suffix: SIZE + 500 }, start: 0, end: SIZE - 1 },
  { name: 'end beyond size (clipped)', range: { start: 900, end: SIZE + 5000 }, start: 900, end: SIZE - 1 },
  { name: 'whole object as 0-', range: { start: 0 }, start: 0, end: SIZE - 1 },
];

/** Declares the range cases. */
export function rangeCases(it: DeclareCase, ctx: GroupContext): void {
  let key = '';
  const object = async () => {
    if (!key) {
      key = `${ctx.prefix('range')}obj`;
      await ctx.storage.put(key, data);
    }
    return key;
  };

  for (const c of OK) {
    it(`returns the range ${c.name}`, async () => {
      const got = await ctx.storage.get(await object(), { range: c.range });
      expect(got.range).toEqual({ start: c.start, end: c.end });
      expect(got.info.size, 'info.size is the whole object').toBe(SIZE);
      expect((await bodyOf(got)).equals(data.subarray(c.start, c.end + 1))).toBe(true);
    });
  }

  for (const range of [{ start: SIZE }, { start: SIZE + 1, end: SIZE + 10 }, { start: 5000 }] as ByteRange[]) {
    it(`throws InvalidRange for ${JSON.stringify(range)} on a ${SIZE}-byte object`, async () => {
      await expectStorageError(ctx.storage.get(await object(), { range }), { code: 'InvalidRange', op: 'get' });
    });
  }

  it('rejects a malformed range (end before start, negative) with InvalidArgument', async () => {
    const k = await object();
    await expectStorageError(ctx.storage.get(k, { range: { start: 10, end: 5 } }), { code: 'InvalidArgument' });
    await expectStorageError(ctx.storage.get(k, { range: { start: -1 } }), { code: 'InvalidArgument' });
  });

  for (const range of [{ start: 0 }, { start: 0, end: 10 }, { suffix: 5 }] as ByteRange[]) {
    it(`returns an empty object whole for range ${JSON.stringify(range)}`, async () => {
      const k = `${ctx.prefix('range-empty')}obj`;
      await ctx.storage.put(k, '');
      const got = await ctx.storage.get(k, { range });
      expect(got.range).toBeUndefined();
      expect((await bodyOf(got)).length).toBe(0);
      expect(got.info.size).toBe(0);
    });
  }

  it('evaluates conditions before the range (If-Match wrong → PreconditionFailed)', async () => {
    await expectStorageError(ctx.storage.get(await object(), { range: { start: 0, end: 1 }, ifMatch: 'ffffffffffffffffffffffffffffffff' }), {
      code: 'PreconditionFailed',
    });
  });

  it('throws NotFound (not InvalidRange) for a range on a missing key', async () => {
    await expectStorageError(ctx.storage.get(`${ctx.prefix('range-missing')}x`, { range: { start: 5 } }), { code: 'NotFound' });
  });

  it('reads every 1-byte range of a small object correctly', async () => {
    const k = `${ctx.prefix('range-each')}obj`;
    const small = generateBytes(17, 3);
    await ctx.storage.put(k, small);
    for (let i = 0; i < small.length; i++) {
      const got = await ctx.storage.get(k, { range: { start: i, end: i } });
      expect((await bodyOf(got))[0], `byte ${i}`).toBe(small[i]);
    }
  });
}
