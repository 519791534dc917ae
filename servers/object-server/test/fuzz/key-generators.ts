/**
 * Object keys as S3 defines them (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html):
 * any UTF-8 sequence of 1..1024 bytes. {@link validKey} favours what breaks naive stores and encoders —
 * `/` runs and leading or trailing slashes, `.` and `..` segments, the characters URLs, XML and shells treat
 * specially, control characters, every plane of Unicode, the file adapter's reserved `.strata*` names,
 * segments longer than a file name may be — within 1024 bytes and without NUL (the storage contract's one
 * exclusion). {@link invalidKeyTarget} gives request-target forms of keys S3 refuses.
 */
import fc from 'fast-check';
import { MAX_DOTDOT_SEGMENTS } from './fuzz-server.ts';

/** S3's key limit in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

const character = fc.oneof(
  { arbitrary: fc.constantFrom(...'abcXYZ0189-_.'), weight: 10 },
  { arbitrary: fc.constantFrom('/', '/', '.', ' ', '+', '%', '&', '?', '#', '=', ';', ':', '@', '~', '\\', '*', "'", '"', '<', '>', '!', '$', ',', '[', ']', '{', '}', '^', '`', '|'), weight: 6 },
  { arbitrary: fc.constantFrom('\t', '\n', '\r', '\x01', '\x1f', '\x7f', '\u0085', '\u00a0'), weight: 1 },
  { arbitrary: fc.constantFrom('é', 'ß', 'Ω', '日本', '🙂', '\uffff', '\ufeff', 'e\u0301', '\u202e', '\ud800\udc00', '\u{10ffff}'), weight: 2 },
);

const segment = fc.oneof(
  { arbitrary: fc.array(character, { minLength: 1, maxLength: 12 }).map((c) => c.join('')), weight: 10 },
  { arbitrary: fc.constantFrom('', '.', '..', '...', '.strata', '.strata-self', '.strata-empty', '.strata-dot', '.strata-dotdot', '.strata-esc', '.strata-long-0', '.strata-name', '.strata-staging', '.strata-uploads', '.strata-lock'), weight: 3 },
  { arbitrary: fc.tuple(fc.integer({ min: 200, max: 600 }), fc.constantFrom('a', 'é', '日')).map(([n, c]) => c.repeat(Math.ceil(n / Buffer.byteLength(c)))), weight: 1 },
);

/**
 * Deep keys: hundreds of segments that a store mapping keys to paths must escape into longer names (`a` + 300
 * slashes + `b`, `./` × 500), past PATH_MAX once escaped. `..` is not repeated here: a store that let it climb
 * would write outside any sandbox a test can watch.
 */
const deepKey = fc
  .tuple(fc.constantFrom('', '.', '.strata', 'd', 'é', '...'), fc.integer({ min: 100, max: 1000 }), fc.constantFrom('', 'a', 'end/'))
  .map(([seg, count, tail]) => withinKeyLimit(`a/${`${seg}/`.repeat(count)}${tail}`));

/** `key` cut to at most {@link MAX_KEY_BYTES} UTF-8 bytes, on a character boundary. */
function withinKeyLimit(key: string): string {
  let out = key.slice(0, MAX_KEY_BYTES);
  while (Buffer.byteLength(out, 'utf8') > MAX_KEY_BYTES) out = out.slice(0, -1);
  return out;
}

/** Valid S3 keys (see the module comment). */
export const validKey: fc.Arbitrary<string> = fc
  .oneof({ arbitrary: fc.array(segment, { minLength: 1, maxLength: 8 }).map((segments) => segments.join('/')), weight: 8 }, { arbitrary: deepKey, weight: 1 })
  .filter((key) => key.length > 0 && Buffer.byteLength(key, 'utf8') <= MAX_KEY_BYTES && key.split('/').filter((s) => s === '..').length <= MAX_DOTDOT_SEGMENTS);

/** Request-target paths (after the bucket) of keys S3 refuses: too long, NUL, escapes that are not UTF-8. */
export const invalidKeyTarget: fc.Arbitrary<{ path: string; why: string }> = fc.oneof(
  fc.integer({ min: MAX_KEY_BYTES + 1, max: 2100 }).map((n) => ({ path: 'k'.repeat(n), why: 'longer than 1024 bytes' })),
  fc.integer({ min: 350, max: 700 }).map((n) => ({ path: '%E6%97%A5'.repeat(n), why: 'longer than 1024 bytes (multi-byte)' })),
  fc.constantFrom('%00', 'a%00b', 'dir/%00'.padEnd(10, 'x')).map((path) => ({ path, why: 'contains NUL' })),
  fc.constantFrom('%FF', 'a%C0%AF', '%ED%A0%80', '%F4%90%80%80', 'bad%', 'bad%zz', '%E6%97').map((path) => ({ path, why: 'not UTF-8 or not an escape' })),
);
