/**
 * Awkward keys every adapter must round-trip exactly (put, get, head, list) and list back in UTF-8 byte order
 * (docs/architecture.md, "Keys"). Each entry says why it is awkward, so a failure names the
 * medium's weak spot: path separators (`a/b` beside `a/b/c`, `..`), URL escaping (`%2F`, `+`, `?`), filesystem
 * reserved names (`CON`, `nul`, `a:b`), normalisation (NFC vs NFD) and UTF-16 vs UTF-8 ordering.
 */

/** One key of the corpus with the reason it is in it. */
export interface CorpusKey {
  /** A short, unique, printable name for test titles. */
  name: string;
  key: string;
}

const nfc = 'caf\u00e9';
const nfd = 'cafe\u0301';

/** A key of exactly `bytes` UTF-8 bytes made of printable ASCII, under `head`. */
export function keyOfBytes(bytes: number, head = 'long/'): string {
  const filler = 'abcdefghij'.repeat(Math.ceil(bytes / 10) + 1);
  return (head + filler).slice(0, bytes);
}

/** The corpus of valid awkward keys (≥ 40). All distinct; some are prefixes of others on purpose. */
export const KEY_CORPUS: readonly CorpusKey[] = Object.freeze([
  { name: 'plain', key: 'plain.txt' },
  { name: 'a/b beside a/b/c (file)', key: 'a/b' },
  { name: 'a/b/c under a/b', key: 'a/b/c' },
  { name: 'a/bc sibling', key: 'a/bc' },
  { name: 'dir/ marker', key: 'dir/' },
  { name: 'file in dir/', key: 'dir/file' },
  { name: 'dot', key: '.' },
  { name: 'dotdot', key: '..' },
  { name: 'dotdot segment', key: 'x/../y' },
  { name: 'dot segment', key: 'x/./y' },
  { name: 'double slash', key: '//' },
  { name: 'empty segment', key: 'e//f' },
  { name: 'leading slash', key: '/lead' },
  { name: 'trailing slash', key: 'trail/' },
  { name: 'space', key: 'with space' },
  { name: 'trailing space', key: 'trailing ' },
  { name: 'plus', key: 'a+b' },
  { name: 'encoded slash %2F', key: 'a%2Fb' },
  { name: 'percent', key: '100%' },
  { name: 'percent-escape lookalike %41', key: '%41' },
  { name: 'question mark', key: 'q?x=1' },
  { name: 'hash', key: 'h#frag' },
  { name: 'ampersand and equals', key: 'a&b=c' },
  { name: 'backslash', key: 'back\\slash' },
  { name: 'tilde', key: '~user' },
  { name: 'CR LF', key: 'line\r\nbreak' },
  { name: 'TAB', key: 'tab\tkey' },
  { name: 'control \\x01', key: 'ctl\u0001' },
  { name: 'control \\x1f and DEL', key: 'ctl\u001f\u007f' },
  { name: 'NFC café', key: nfc },
  { name: 'NFD café', key: nfd },
  { name: 'emoji', key: 'emoji-\u{1f600}' },
  { name: 'astral CJK ext B', key: '\u{20000}' },
  { name: 'U+FFFF', key: 'k\uffff' },
  { name: 'U+10000', key: 'k\u{10000}' },
  { name: 'U+E000 private use', key: 'k\ue000' },
  { name: 'U+FEFF BOM', key: '\ufeffbom' },
  { name: '.strata', key: '.strata' },
  { name: 'CON', key: 'CON' },
  { name: 'nul', key: 'nul' },
  { name: 'colon', key: 'a:b' },
  { name: 'star', key: '*' },
  { name: 'pipe', key: '|' },
  { name: 'double quote', key: '"q"' },
  { name: 'angle brackets', key: '<>' },
  { name: 'hyphen-leading', key: '-rf' },
  { name: '300-byte segment', key: `seg/${'s'.repeat(300)}/end` },
  { name: '1024-byte key', key: keyOfBytes(1024, 'k1024/') },
  { name: '2048-byte key', key: keyOfBytes(2048, 'k2048/') },
  { name: '2048 bytes of 2-byte chars', key: '\u00e9'.repeat(1024) },
  { name: 'case: Upper', key: 'Case' },
  { name: 'case: lower', key: 'case' },
  // Hostile to media that map keys to paths: escaped, these are longer than PATH_MAX (4096 bytes) or deeper
  // than any tree should be, and a medium that creates directories as it goes must neither fail half-way nor
  // leave the tree unusable.
  { name: "'a' + 300 slashes + 'b'", key: `a${'/'.repeat(300)}b` },
  { name: "'./' x 512", key: './'.repeat(512) },
  { name: "'../' x 300", key: '../'.repeat(300) },
  { name: '2048 slashes', key: '/'.repeat(2048) },
  { name: "'.strata/' x 256", key: '.strata/'.repeat(256) },
  { name: '1024 one-byte segments', key: `${'d/'.repeat(1023)}d` },
]);

/** Invalid keys: each must fail with `InvalidKey` before any I/O. */
export const INVALID_KEYS: readonly CorpusKey[] = Object.freeze([
  { name: 'empty', key: '' },
  { name: '2049 bytes', key: keyOfBytes(2049, 'k2049/') },
  { name: '2049 bytes (1024 two-byte chars + 1)', key: '\u00e9'.repeat(1024) + 'x' },
  { name: 'NUL', key: 'a\u0000b' },
  { name: 'lone high surrogate', key: 'a\ud800' },
  { name: 'lone low surrogate', key: '\udc00b' },
]);

/** Compares two strings by their UTF-8 bytes (computed independently of `@strata/storage`'s `compareKeys`). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A copy of `keys` sorted in UTF-8 byte order, the order every listing must use. */
export function sortUtf8(keys: Iterable<string>): string[] {
  return [...keys].sort(compareUtf8);
}
