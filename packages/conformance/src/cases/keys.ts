/**
 * Keys (docs/architecture.md, "Keys"): every valid key round-trips exactly through put/get/head/list/delete, the
 * whole corpus lists back in UTF-8 byte order, and invalid keys fail with `InvalidKey` before any I/O.
 * This group stores keys at the root (no test prefix) so leading `/`, `.` and `..` are tested where they are
 * most dangerous; it therefore needs the factory's storage to start empty.
 *
 * An adapter may declare a smaller key limit (`capabilities.maxKeyBytes`; S3 takes 1024 bytes, AWS "Object key
 * naming guidelines"): corpus keys above it sit out the round-trip and corpus-wide cases, and one case checks
 * that they fail with `InvalidKey` before any I/O while a key of exactly the limit round-trips.
 */
import { expect } from 'vitest';
import { MAX_KEY_BYTES } from '@strata/storage';
import type { Storage } from '@strata/storage';
import type { DeclareCase, GroupContext } from '../context.ts';
import { expectMissing, expectStorageError, requireCapability } from '../context.ts';
import { generateStream, md5Hex } from '../data.ts';
import { getBytes, listAllPages, listKeys, putAll } from '../helpers.ts';
import { INVALID_KEYS, KEY_CORPUS, keyOfBytes, sortUtf8 } from '../key-corpus.ts';

const bodyFor = (key: string) => `body of ${JSON.stringify(key)}`;
const bytesOf = (key: string) => Buffer.byteLength(key, 'utf8');

/** Declares the key cases. */
export function keyCases(it: DeclareCase, ctx: GroupContext): void {
  const title = (name: string) => `round-trips key: ${name}`;
  // The storage's declared key limit, read once it exists (capabilities are known only inside a case).
  const maxKeyBytes = () => Math.min(ctx.caps.maxKeyBytes ?? MAX_KEY_BYTES, MAX_KEY_BYTES);
  const fits = (key: string) => bytesOf(key) <= maxKeyBytes();
  // Keys whose own case is skipped (e.g. 2048-byte keys under a prefix layer) or that exceed the declared
  // limit sit out the corpus-wide cases too.
  const corpus = () => KEY_CORPUS.filter((k) => !ctx.isSkipped(title(k.name)) && fits(k.key)).map((k) => k.key);
  for (const { name, key } of KEY_CORPUS) {
    it(title(name), async (t) => {
      requireCapability(t, fits(key), `maxKeyBytes ≥ ${bytesOf(key)}`);
      const s = ctx.storage;
      const put = await s.put(key, bodyFor(key));
      expect(put.key).toBe(key);
      expect(put.etag).toBe(md5Hex(bodyFor(key)));
      const got = await s.get(key);
      expect(got.info.key).toBe(key);
      expect((await getBytes(s, key)).toString()).toBe(bodyFor(key));
      got.body.destroy();
      expect((await s.head(key)).key).toBe(key);
      const listed = await s.list({ prefix: key });
      expect(listed.items.map((i) => i.key)).toContain(key);
      expect(listed.items[0]?.key, 'the key itself sorts first under its own prefix').toBe(key);
      await s.delete(key);
      await expectMissing(s, key);
    });
  }

  it('lists the whole corpus back exactly, in UTF-8 byte order', async () => {
    const s = ctx.storage;
    const keys = corpus();
    await putAll(s, keys, bodyFor);
    expect(await listKeys(s, {})).toEqual(sortUtf8(keys));
    expect(await listKeys(s, { limit: 7 }), 'paged').toEqual(sortUtf8(keys));
  });

  it('refuses keys over the declared maxKeyBytes with InvalidKey before any I/O; a key of exactly the limit round-trips', async (t) => {
    const max = maxKeyBytes();
    requireCapability(t, max < MAX_KEY_BYTES, 'maxKeyBytes below the contract limit');
    const s = ctx.storage;
    // The corpus keys the storage cannot hold, plus one ASCII key a byte over the limit.
    const over = [...KEY_CORPUS.map((k) => k.key).filter((k) => !fits(k)), keyOfBytes(max + 1, 'over/')];
    for (const key of over) {
      let read = false;
      const body = generateStream(16, 1, { onChunk: () => (read = true) });
      await expectStorageError(s.put(key, body), { code: 'InvalidKey', op: 'put' });
      expect(read, `the put body of a ${bytesOf(key)}-byte key was not read`).toBe(false);
      body.destroy();
      await expectStorageError(s.get(key), { code: 'InvalidKey', op: 'get' });
      await expectStorageError(s.head(key), { code: 'InvalidKey', op: 'head' });
      await expectStorageError(s.copy('valid-source', key), { code: 'InvalidKey', op: 'copy' });
      await expectStorageError(s.startMultipart(key), { code: 'InvalidKey', op: 'startMultipart' });
    }
    const atLimit = keyOfBytes(max, 'limit/');
    await s.put(atLimit, bodyFor(atLimit));
    expect((await getBytes(s, atLimit)).toString()).toBe(bodyFor(atLimit));
    await s.delete(atLimit);
    await expectMissing(s, atLimit);
  });

  it('keeps look-alike keys distinct (NFC/NFD, case, a/b vs a/b/)', async () => {
    const s = ctx.storage;
    const pairs = ['caf\u00e9', 'cafe\u0301', 'Case', 'case', 'a/b', 'a/b/c'];
    await putAll(s, pairs, bodyFor);
    for (const k of pairs) expect((await getBytes(s, k)).toString()).toBe(bodyFor(k));
  });

  it('lists the corpus with delimiter "/" as top-level keys and common prefixes', async () => {
    const s = ctx.storage;
    const keys = corpus();
    await putAll(s, keys, bodyFor);
    const expectedKeys = sortUtf8(keys.filter((k) => !k.includes('/')));
    const expectedPrefixes = sortUtf8(new Set(keys.filter((k) => k.includes('/')).map((k) => k.slice(0, k.indexOf('/') + 1))));
    const { entries } = await listAllPages(s, { delimiter: '/', limit: 5 });
    expect(entries.filter((e) => e.startsWith('key:')).map((e) => e.slice(4))).toEqual(expectedKeys);
    expect(entries.filter((e) => e.startsWith('prefix:')).map((e) => e.slice(7))).toEqual(expectedPrefixes);
  });

  it('deletes every corpus key in a scrambled order and lists nothing after', async () => {
    const s = ctx.storage;
    const keys = corpus();
    await putAll(s, keys, bodyFor);
    // Parents before children and back: a directory-backed adapter must not lose `a/b/c` when `a/b` goes.
    const order = [...keys].sort((a, b) => md5Hex(a).localeCompare(md5Hex(b)));
    for (const k of order) {
      await s.delete(k);
      await expectMissing(s, k);
    }
    const page = await s.list({});
    expect(page.items).toEqual([]);
    expect(page.prefixes).toEqual([]);
  });

  for (const { name, key } of INVALID_KEYS) {
    it(`rejects invalid key before any I/O: ${name}`, async () => {
      const s = ctx.storage;
      let read = false;
      const body = generateStream(16, 1, { onChunk: () => (read = true) });
      const ops: [string, (st: Storage) => Promise<unknown>][] = [
        ['put', (st) => st.put(key, body)],
        ['get', (st) => st.get(key)],
        ['head', (st) => st.head(key)],
        ['delete', (st) => st.delete(key)],
        ['copy', (st) => st.copy(key, 'valid-destination')],
        ['copy', (st) => st.copy('valid-source', key)],
        ['setTags', (st) => st.setTags(key, { a: 'b' })],
        ['startMultipart', (st) => st.startMultipart(key)],
        ['uploadPart', (st) => st.uploadPart(key, 'no-such-upload', 1, 'x')],
        ['completeMultipart', (st) => st.completeMultipart(key, 'no-such-upload', [{ partNumber: 1, etag: 'x' }])],
        ['abortMultipart', (st) => st.abortMultipart(key, 'no-such-upload')],
        ['listParts', (st) => st.listParts(key, 'no-such-upload')],
      ];
      for (const [op, call] of ops) {
        const err = await expectStorageError(call(s), { code: 'InvalidKey' });
        expect(err.op, `op of ${op}`).toBe(op);
      }
      expect(read, 'the put body was not read').toBe(false);
      body.destroy();
      // deleteMany reports the bad key per key (or rejects the call) but never touches the valid one's neighbours.
      await s.put('valid-neighbour', 'x');
      let results: Awaited<ReturnType<Storage['deleteMany']>> | undefined;
      try {
        results = await s.deleteMany([key]);
      } catch (e) {
        await expectStorageError(Promise.reject(e), { code: 'InvalidKey' });
      }
      if (results) {
        expect(results).toHaveLength(1);
        const r = results[0];
        expect(r?.ok).toBe(false);
        if (r && !r.ok) await expectStorageError(Promise.reject(r.error), { code: 'InvalidKey' });
      }
      expect((await getBytes(s, 'valid-neighbour')).toString()).toBe('x');
      await s.delete('valid-neighbour');
    });
  }
}
