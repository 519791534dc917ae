import { describe, expect, it } from 'vitest';
import { MAX_KEY_BYTES, assertValidKey, compareKeys, isValidKey, keyProblem } from '../src/index.ts';

const utf8Compare = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('key rules', () => {
  it('accepts awkward but valid keys', () => {
    for (const k of ['a', '/', '//', '..', 'dir/', ' ', 'a\nb', '\u{1F600}', '%2F', 'é'.repeat(1024), 'x'.repeat(MAX_KEY_BYTES)]) {
      expect(keyProblem(k), JSON.stringify(k.slice(0, 10))).toBeUndefined();
    }
  });

  it('rejects empty, NUL, lone surrogates, non-strings and keys over 2048 UTF-8 bytes', () => {
    expect(keyProblem('')).toMatch(/empty/);
    expect(keyProblem('a\0')).toMatch(/NUL/);
    expect(keyProblem('\uDC00')).toMatch(/surrogate/);
    expect(keyProblem(5)).toMatch(/string/);
    expect(keyProblem('x'.repeat(MAX_KEY_BYTES + 1))).toMatch(/2048/);
    // 1025 two-byte characters: 1025 UTF-16 units but 2050 bytes.
    expect(keyProblem('é'.repeat(1025))).toMatch(/2050/);
    expect(isValidKey('ok')).toBe(true);
  });

  it('assertValidKey throws InvalidKey with op and key', () => {
    expect(() => assertValidKey('', 'put')).toThrow(expect.objectContaining({ code: 'InvalidKey', op: 'put', key: '' }));
  });
});

describe('compareKeys', () => {
  it('orders U+FFFF before U+10000 (UTF-8), unlike JavaScript string comparison', () => {
    expect('\uFFFF' > '\u{10000}').toBe(true);
    expect(compareKeys('\uFFFF', '\u{10000}')).toBeLessThan(0);
    expect(compareKeys('\u{10000}', '\uFFFF')).toBeGreaterThan(0);
    expect(compareKeys('\uE000', '\u{1F600}')).toBeLessThan(0);
  });

  it('agrees in sign with a byte comparison of the UTF-8 encodings on random strings', () => {
    const alphabet = ['a', 'b', '/', '\u007F', '\u0080', 'é', '\u07FF', '\u0800', '\uD7FF', '\uE000', '\uFFFF', '\u{10000}', '\u{1F600}', '\u{10FFFF}'];
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const word = () => Array.from({ length: 1 + rand(4) }, () => alphabet[rand(alphabet.length)]).join('');
    for (let i = 0; i < 3000; i++) {
      const a = word();
      const b = rand(4) === 0 ? a + word() : word();
      expect(Math.sign(compareKeys(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(Math.sign(utf8Compare(a, b)));
    }
  });

  it('puts a prefix before its extensions and equal strings at 0', () => {
    expect(compareKeys('a', 'a/')).toBeLessThan(0);
    expect(compareKeys('a/b', 'a/b')).toBe(0);
  });
});
