/**
 * The key ↔ path mapping (key-mapping.ts): ordinary keys are plain paths where a person would look, the
 * escaped ones round-trip, `a/b` lives beside `a/b/c` in either order, listings come back in strict UTF-8 byte
 * order although escaped names sort differently on disk, and deletes remove empty directories.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareKeys, readText } from '@strata/storage';
import type { Storage } from '@strata/storage';
import { decodeName, encodeSegment, keyToPath, openFileStorage } from '../src/index.ts';

let root: string;
let storage: Storage;
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'strata-file-layout-'));
  storage = await openFileStorage({ root, fsync: 'never', minPartSize: 1 });
});
afterEach(async () => {
  await storage.close();
  rmSync(root, { recursive: true, force: true });
});

const ODD_SEGMENTS = ['', '.', '..', '.strata', '.strata-self', '.strata-esc', '.strata-long-x', 'é', ' ', '%2F', 'a'.repeat(255), 'b'.repeat(256), '😀'.repeat(70)];

describe('segment escaping', () => {
  it('keeps ordinary names and round-trips every odd one within NAME_MAX', () => {
    for (const s of ['data.json', '.hidden', 'with space', 'ü', '+%']) expect(encodeSegment(s)).toBe(s);
    for (const s of ODD_SEGMENTS) {
      const name = encodeSegment(s);
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
      expect(name).not.toMatch(/^\.{1,2}$|^$|\//);
      const d = decodeName(name);
      if (d.kind === 'segment') expect(d.segment).toBe(s);
      else expect(d.kind).toBe('long');
    }
  });

  it('never decodes the adapter’s own names as keys', () => {
    for (const n of ['.strata-self', '.strata-name', '.strata-staging', '.strata-uploads', '.strata-lock', '.strata-tmp']) {
      expect(decodeName(n).kind).toBe('reserved');
    }
  });
});

describe('on-disk layout', () => {
  it('stores ordinary keys as plain paths a person finds', async () => {
    await storage.put('logs/2024/01/app.json', '{"a":1}');
    await storage.put('top.txt', 'x');
    const file = join(root, 'logs/2024/01/app.json');
    expect(existsSync(file)).toBe(true);
    expect(existsSync(join(root, 'top.txt'))).toBe(true);
    // The file holds the object's bytes, exactly (its metadata is in an extended attribute).
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}');
    expect(keyToPath('logs/2024/01/app.json').rel).toBe('logs/2024/01/app.json');
  });

  it('keeps an object beside its own directory, whichever comes first, and reads both back', async () => {
    await storage.put('a/b', 'object a/b'); // file first: converted into a/b/.strata-self below
    await storage.put('a/b/c', 'object a/b/c');
    await storage.put('x/y/z', 'object x/y/z'); // directory first
    await storage.put('x/y', 'object x/y');
    expect(existsSync(join(root, 'a/b/.strata-self'))).toBe(true);
    expect(existsSync(join(root, 'x/y/.strata-self'))).toBe(true);
    for (const k of ['a/b', 'a/b/c', 'x/y', 'x/y/z']) expect(await readText(await storage.get(k))).toBe(`object ${k}`);
    expect((await storage.list()).items.map((i) => i.key)).toEqual(['a/b', 'a/b/c', 'x/y', 'x/y/z']);
  });

  it('round-trips odd keys and lists them in UTF-8 byte order', async () => {
    const keys = [
      'dir/', 'dir//x', '/lead', '.', '..', 'a/./b', 'a/../b', '.strata-self', '.strata-staging/x', 'x'.repeat(300),
      `${'y'.repeat(300)}/z`, 'a/b!', 'a/b0', 'a/b', 'a/b/c', '\u{ffff}', '\u{10000}', 'é', 'e\u0301', 'sp ace', 'p%2Fq',
    ];
    for (const k of keys) await storage.put(k, `v:${k}`);
    const listed = (await storage.list()).items.map((i) => i.key);
    expect(listed).toEqual([...keys].sort(compareKeys));
    for (const k of keys) expect(await readText(await storage.get(k))).toBe(`v:${k}`);
    // Nothing escaped into the root's parent, and the root holds only names of ours or plain segments.
    expect(readdirSync(join(root, '..')).filter((n) => n === '.strata-self')).toEqual([]);
  });

  it('lists with prefix, delimiter and startAfter through escaped directories', async () => {
    for (const k of ['p/a', 'p//b', 'p/./c', 'p/a/d', 'p/b', 'q']) await storage.put(k, k);
    const r = await storage.list({ prefix: 'p/', delimiter: '/' });
    expect(r.prefixes).toEqual(['p/./', 'p//', 'p/a/']); // '.' (0x2E) sorts before '/' (0x2F)
    expect(r.items.map((i) => i.key)).toEqual(['p/a', 'p/b']);
    expect((await storage.list({ prefix: 'p/', startAfter: 'p/a' })).items.map((i) => i.key)).toEqual(['p/a/d', 'p/b']);
    expect((await storage.list({ prefix: 'p/a' })).items.map((i) => i.key)).toEqual(['p/a', 'p/a/d']);
  });

  it('removes directories emptied by deletes, up to the root', async () => {
    await storage.put('d1/d2/d3/obj', 'x');
    await storage.put('d1/keep', 'y');
    await storage.delete('d1/d2/d3/obj');
    expect(existsSync(join(root, 'd1/d2'))).toBe(false);
    expect(existsSync(join(root, 'd1/keep'))).toBe(true);
    await storage.delete('d1/keep');
    expect(existsSync(join(root, 'd1'))).toBe(false);
    await storage.put('s/t', 'x');
    await storage.put('s', 'self');
    await storage.delete('s/t');
    expect(await readText(await storage.get('s'))).toBe('self');
    await storage.delete('s');
    expect(existsSync(join(root, 's'))).toBe(false);
  });

  it('never lists staging, lock or upload files', async () => {
    await storage.put('k', 'v');
    await storage.startMultipart('m');
    // The lock's probe socket (`.strata-lock.<nonce>.sock`) is reserved like the lock itself.
    expect(readdirSync(root).sort()).toEqual(['.strata-lock', expect.stringMatching(/^\.strata-lock\.[0-9a-f]{12}\.sock$/), '.strata-staging', '.strata-uploads', 'k']);
    expect((await storage.list()).items.map((i) => i.key)).toEqual(['k']);
  });
});
