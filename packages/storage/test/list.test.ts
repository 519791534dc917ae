import { describe, expect, it } from 'vitest';
import { compareKeys, createMemoryAdapter, createMemoryStorage, createStorage, decodeCursor, encodeCursor, listPage } from '../src/index.ts';
import type { ListOptions, Storage } from '../src/index.ts';
import { countingAdapter, plainAdapter, rejectsWith } from './helpers.ts';

const KEYS = [
  'a', 'a/b', 'a/b/c', 'a/b/d', 'a/c', 'a-b', 'a0', 'b/', 'b//x', 'b/x', 'dir/', 'dir/file', '\uFFFF', '\u{10000}', '\u{1F600}/x',
  'é', 'e\u0301', 'z', 'z/1/2', 'z/1/3', 'z/2', ' ', '%2F', 'k\n', 'k\r', 'x'.repeat(300),
];

async function fill(s: Storage, keys = KEYS): Promise<void> {
  for (const k of keys) await s.put(k, k);
}

async function allPages(s: Storage, options: ListOptions): Promise<{ entries: string[]; pages: number }> {
  const entries: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await s.list({ ...options, cursor });
    pages++;
    if (options.limit !== undefined) expect(page.items.length + page.prefixes.length).toBeLessThanOrEqual(options.limit);
    const merged = [...page.items.map((i) => i.key), ...page.prefixes].sort(compareKeys);
    entries.push(...merged);
    cursor = page.cursor;
    expect(pages).toBeLessThan(200);
  } while (cursor !== undefined);
  return { entries, pages };
}

const utf8Sorted = (keys: string[]) => [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

describe.each([
  ['memory (native scan)', () => createMemoryStorage()],
  ['scan-only plain adapter', () => createStorage(plainAdapter())],
])('listing over %s', (_name, make) => {
  it('lists every key in UTF-8 byte order (U+FFFF before U+10000)', async () => {
    const s = make();
    await fill(s);
    const page = await s.list();
    expect(page.items.map((i) => i.key)).toEqual(utf8Sorted(KEYS));
    expect(page.items.findIndex((i) => i.key === '\uFFFF')).toBeLessThan(page.items.findIndex((i) => i.key === '\u{10000}'));
    expect(page.cursor).toBeUndefined();
    expect(page.items[0]).toMatchObject({ key: ' ', size: 1, etag: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('groups common prefixes with a delimiter, under a prefix', async () => {
    const s = make();
    await fill(s);
    const top = await s.list({ delimiter: '/' });
    expect(top.prefixes).toEqual(['\u{1F600}/', 'a/', 'b/', 'dir/', 'z/'].sort(compareKeys));
    expect(top.items.map((i) => i.key)).not.toContain('a/b');
    const a = await s.list({ prefix: 'a/', delimiter: '/' });
    expect(a.items.map((i) => i.key)).toEqual(['a/b', 'a/c']);
    expect(a.prefixes).toEqual(['a/b/']);
    const b = await s.list({ prefix: 'b/', delimiter: '/' });
    expect(b.items.map((i) => i.key)).toEqual(['b/', 'b/x']);
    expect(b.prefixes).toEqual(['b//']);
    const multi = await s.list({ delimiter: '/1/' , prefix: 'z' });
    expect(multi.prefixes).toEqual(['z/1/']);
    expect(multi.items.map((i) => i.key)).toEqual(['z', 'z/2']);
  });

  it('startAfter is exclusive and compares UTF-8 bytes, for keys and common prefixes', async () => {
    const s = make();
    await fill(s);
    const after = await s.list({ startAfter: '\uFFFF' });
    expect(after.items.map((i) => i.key)).toEqual(utf8Sorted(KEYS).filter((k) => compareKeys(k, '\uFFFF') > 0));
    expect(after.items[0]!.key).toBe('\u{10000}');
    const inside = await s.list({ delimiter: '/', startAfter: 'a/b' });
    expect(inside.prefixes).not.toContain('a/');
    expect(inside.items.map((i) => i.key)).toContain('a0');
    expect(inside.items.map((i) => i.key)).not.toContain('a-b');
    const atPrefix = await s.list({ delimiter: '/', startAfter: 'b/' });
    expect(atPrefix.prefixes[0]).toBe('dir/');
  });

  it('pages of every size concatenate to the one-page listing', async () => {
    const s = make();
    await fill(s);
    for (const options of [{}, { delimiter: '/' }, { prefix: 'a' }, { prefix: 'a', delimiter: '/' }, { delimiter: '/', startAfter: 'a/b' }, { prefix: 'z/', delimiter: '/' }] as ListOptions[]) {
      const one = await allPages(s, options);
      expect(one.pages).toBe(1);
      for (let limit = 1; limit <= one.entries.length + 1; limit++) {
        const paged = await allPages(s, { ...options, limit });
        expect(paged.entries, `${JSON.stringify(options)} limit ${limit}`).toEqual(one.entries);
        expect(paged.pages).toBe(Math.max(1, Math.ceil(one.entries.length / limit)));
      }
    }
  });

  it('a cursor resumes even after keys change between pages', async () => {
    const s = make();
    await fill(s, ['a', 'b', 'c', 'd']);
    const p1 = await s.list({ limit: 2 });
    expect(p1.items.map((i) => i.key)).toEqual(['a', 'b']);
    await s.delete('b');
    await s.put('bb', 'x');
    await s.put('0', 'x');
    const p2 = await s.list({ limit: 2, cursor: p1.cursor });
    expect(p2.items.map((i) => i.key)).toEqual(['bb', 'c']);
  });

  it('refuses a cursor of another listing or garbage (InvalidCursor)', async () => {
    const s = make();
    await fill(s, ['a/1', 'a/2', 'b']);
    const p = await s.list({ limit: 1, prefix: 'a/' });
    await rejectsWith(s.list({ cursor: p.cursor, prefix: 'b' }), 'InvalidArgument', 'InvalidCursor');
    await rejectsWith(s.list({ cursor: p.cursor, prefix: 'a/', delimiter: '/' }), 'InvalidArgument', 'InvalidCursor');
    await rejectsWith(s.list({ cursor: 'not-a-cursor' }), 'InvalidArgument', 'InvalidCursor');
    await rejectsWith(s.list({ cursor: Buffer.from('{"v":2}').toString('base64url') }), 'InvalidArgument', 'InvalidCursor');
  });

  it('validates limits', async () => {
    const s = make();
    for (const limit of [0, -1, 1.5, 1001]) await rejectsWith(s.list({ limit }), 'InvalidArgument');
    await s.list({ limit: 1000 });
  });
});

describe('list pager internals', () => {
  it('cursors round-trip and carry a fingerprint', () => {
    const c = encodeCursor({ after: 'k\u{10000}', skip: true }, 'p', '/');
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c, 'p', '/')).toEqual({ after: 'k\u{10000}', skip: true });
    expect(() => decodeCursor(c, 'p', undefined)).toThrow(/another prefix/);
  });

  it('skips a common prefix with skipDescendants instead of reading the keys beneath it', async () => {
    const inner = createMemoryAdapter();
    const s = createStorage(inner);
    for (let i = 0; i < 50; i++) await s.put(`big/${String(i).padStart(3, '0')}`, 'x');
    await s.put('z', 'x');
    let yielded = 0;
    const scan: Parameters<typeof listPage>[0] = (o) =>
      (async function* () {
        for await (const item of inner.scan!(o)) {
          yielded++;
          yield item;
        }
      })();
    const page = await listPage(scan, { delimiter: '/' });
    expect(page.prefixes).toEqual(['big/']);
    expect(page.items.map((i) => i.key)).toEqual(['z']);
    expect(yielded).toBe(2);
  });

  it('uses a native list when the adapter has one and hides nothing else', async () => {
    const { adapter, calls } = countingAdapter(plainAdapter({ listOnly: true }));
    const s = createStorage(adapter);
    await fill(s, ['a', 'b', 'c']);
    const page = await s.list({ limit: 2 });
    expect(page.items.map((i) => i.key)).toEqual(['a', 'b']);
    expect(calls.list).toBe(1);
  });
});
