/** Metadata and header values that HTTP cannot carry verbatim round-trip through RFC 2047 encoded-words. */
import { describe, expect, it } from 'vitest';
import { decodeListedKey, decodeMetadataValue, encodeHeaderValue, encodeMetadataValue, encodeTagging } from '../src/metadata-codec.ts';

describe('metadata values', () => {
  const values = ['plain', 'with inner  spaces', '', ' leading', 'trailing ', 'ünïcødé', '日本語', '🙂', 'tab\there', 'line\nbreak', '=?UTF-8?B?Zm9v?=', '=?utf-8?q?x?='];
  it.each(values)('%j round-trips', (v) => {
    const wire = encodeMetadataValue(v);
    expect(wire).toMatch(/^[\x20-\x7e]*$/);
    expect(decodeMetadataValue(wire)).toBe(v);
  });

  it('leaves printable ASCII alone, so other S3 clients see it unchanged', () => {
    expect(encodeMetadataValue('a b=c;d')).toBe('a b=c;d');
    expect(encodeHeaderValue('attachment; filename="a.txt"')).toBe('attachment; filename="a.txt"');
  });

  it('decodes the Q form other SDKs may write', () => {
    expect(decodeMetadataValue('=?UTF-8?Q?caf=C3=A9_au_lait?=')).toBe('café au lait');
  });

  it('encodes non-ASCII standard header values (Node would send Latin-1 while SigV4 signs UTF-8)', () => {
    const v = 'attachment; filename="résumé.txt"';
    expect(decodeMetadataValue(encodeHeaderValue(v))).toBe(v);
    expect(encodeHeaderValue(v)).toMatch(/^=\?UTF-8\?B\?/);
  });
});

describe('tags and listed keys', () => {
  it('tagging is URL-encoded with %20 for spaces', () => {
    expect(encodeTagging({ 'a b': 'c&d', e: '=' })).toBe('a%20b=c%26d&e=%3D');
    expect(encodeTagging({})).toBeUndefined();
  });

  it('listed keys are form-decoded only when the server echoed encoding-type=url', () => {
    expect(decodeListedKey('a+b%2Bc%01', true)).toBe('a b+c\x01');
    expect(decodeListedKey('a+b', false)).toBe('a+b');
  });
});
