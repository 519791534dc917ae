/**
 * QueryParams reads a query string as URLSearchParams does (the WHATWG `application/x-www-form-urlencoded`
 * parser, https://url.spec.whatwg.org/#urlencoded-parsing), while decoding values only on request.
 */
import { describe, expect, it } from 'vitest';
import { QueryParams } from '../src/query-params.ts';

const CASES = [
  '',
  'uploads',
  'uploads=',
  'list-type=2&prefix=a%2Fb&delimiter=%2F',
  'prefix=a+b&start-after=c%20d',
  'response-content-disposition=attachment%3B%20filename%3D%22%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf%22',
  'a=1&a=2&b',
  '&&a=1&&',
  '=x&=y',
  'a=b=c',
  'bad=%zz&worse=%E0%A4%A&utf=%FF',
  'na%6De=v&%2B=plus&sp+ace=1',
  'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=key%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=abc',
];

describe('QueryParams', () => {
  it.each(CASES)('reads %j as URLSearchParams does', (raw) => {
    const ours = new QueryParams(raw);
    const theirs = new URLSearchParams(raw);
    expect([...ours.keys()]).toEqual([...theirs.keys()]);
    expect(ours.size).toBe([...theirs.keys()].length);
    for (const name of new Set([...theirs.keys(), 'missing', 'a', 'uploads'])) {
      expect(ours.get(name)).toBe(theirs.get(name));
      expect(ours.has(name)).toBe(theirs.has(name));
    }
    for (let i = 0; i < ours.size; i++) expect(ours.nameAt(i)).toBe([...theirs.keys()][i]);
  });
});
