/**
 * Key rules of the contract: any UTF-8 string of 1..2048 bytes without NUL (and without lone UTF-16
 * surrogates, which have no UTF-8 form). Checked by the front wrapper before any I/O.
 */
import { StorageError } from './errors.ts';

/** The longest key in UTF-8 bytes (S3 allows 1024; the contract allows twice that). */
export const MAX_KEY_BYTES = 2048;

/** Returns a reason why `key` is not a valid storage key, or `undefined` when it is valid. */
export function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return 'a key must be a string';
  if (key.length === 0) return 'a key must not be empty';
  if (key.includes('\0')) return 'a key must not contain NUL';
  if (!key.isWellFormed()) return 'a key must not contain lone UTF-16 surrogates';
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) return `a key must be at most ${MAX_KEY_BYTES} UTF-8 bytes (got ${bytes})`;
  return undefined;
}

/** True when `key` is a valid storage key. */
export function isValidKey(key: unknown): key is string {
  return keyProblem(key) === undefined;
}

/** Throws `InvalidKey` (with `op` and the key) unless `key` is valid. */
export function assertValidKey(key: unknown, op?: string): asserts key is string {
  const problem = keyProblem(key);
  if (problem !== undefined) {
    // The length is checked last, so a key that fails only on it is one that is too long (S3's KeyTooLongError).
    const tooLong = typeof key === 'string' && key.length > 0 && Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES && problem.startsWith('a key must be at most');
    throw new StorageError('InvalidKey', `Invalid key: ${problem}`, {
      op,
      key: typeof key === 'string' ? key : undefined,
      reason: tooLong ? 'KeyTooLong' : undefined,
    });
  }
}

/**
 * Compares two strings by their UTF-8 bytes — the order of S3 listings. JavaScript's `<` compares UTF-16 code
 * units, which puts U+FFFF after U+10000; UTF-8 order puts it before. Comparing code points gives UTF-8 order.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Both in the BMP outside surrogates, or both surrogates: code-unit order equals code-point order.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x - y;
    // A surrogate (astral code point, >= U+10000) sorts after any BMP code point.
    return xs ? 1 : -1;
  }
  return a.length - b.length;
}
