/**
 * `capabilities.maxKeyBytes`: an adapter with a smaller key limit than the contract's 2048 bytes (S3 and the
 * object server: 1024, AWS "Object key naming guidelines") gets longer keys refused by the front wrapper with
 * `InvalidKey` before any I/O, on every keyed operation; a key of exactly the limit goes through.
 */
import { describe, expect, it } from 'vitest';
import { MAX_KEY_BYTES, createStorage, isStorageError } from '../src/index.ts';
import { countingAdapter, plainAdapter, rejectsWith } from './helpers.ts';

describe('capabilities.maxKeyBytes', () => {
  const limited = (maxKeyBytes = 10) => countingAdapter(plainAdapter({ capabilities: { maxKeyBytes } }));

  it('refuses a longer key with InvalidKey before any adapter call, for every keyed operation', async () => {
    const { adapter, total } = limited();
    const s = createStorage(adapter);
    expect(s.capabilities.maxKeyBytes).toBe(10);
    // 11 ASCII bytes, and 6 characters of 2 bytes (12 bytes, fewer characters than the limit).
    for (const key of ['k'.repeat(11), '\u00e9'.repeat(6)]) {
      const calls: [string, () => Promise<unknown>][] = [
        ['put', () => s.put(key, 'x')],
        ['get', () => s.get(key)],
        ['head', () => s.head(key)],
        ['delete', () => s.delete(key)],
        ['copy', () => s.copy(key, 'ok')],
        ['copy', () => s.copy('ok', key)],
        ['setTags', () => s.setTags(key, { a: 'b' })],
        ['startMultipart', () => s.startMultipart(key)],
        ['uploadPart', () => s.uploadPart(key, 'u', 1, 'x')],
        ['completeMultipart', () => s.completeMultipart(key, 'u', [{ partNumber: 1, etag: 'x' }])],
        ['abortMultipart', () => s.abortMultipart(key, 'u')],
        ['listParts', () => s.listParts(key, 'u')],
      ];
      for (const [op, call] of calls) {
        const err = await rejectsWith(call(), 'InvalidKey');
        expect(err.op, op).toBe(op);
        expect(err.key, op).toBe(key);
      }
      const [r] = await s.deleteMany([key]);
      expect(r?.ok === false && isStorageError(r.error) && r.error.code).toBe('InvalidKey');
    }
    expect(total()).toBe(0);
  });

  it('lets a key of exactly the limit through', async () => {
    const s = createStorage(limited().adapter);
    await s.put('k'.repeat(10), 'x');
    await s.put('\u00e9'.repeat(5), 'y');
    expect((await s.list()).items.map((i) => i.key).sort()).toEqual(['k'.repeat(10), '\u00e9'.repeat(5)]);
  });

  it('changes nothing when the limit is at or above the contract’s', async () => {
    for (const max of [MAX_KEY_BYTES, 4096]) {
      const s = createStorage(limited(max).adapter);
      await s.put('k'.repeat(MAX_KEY_BYTES), 'x');
      await rejectsWith(s.put('k'.repeat(MAX_KEY_BYTES + 1), 'x'), 'InvalidKey');
    }
  });

  it('an adapter declaring a limit that is not a positive integer is refused at createStorage', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      let err: unknown;
      try {
        createStorage(plainAdapter({ capabilities: { maxKeyBytes: bad } }));
      } catch (e) {
        err = e;
      }
      expect(err, String(bad)).toBeInstanceOf(TypeError);
      expect(isStorageError(err)).toBe(false);
    }
  });
});
