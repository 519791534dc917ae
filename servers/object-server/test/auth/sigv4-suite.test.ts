/**
 * The canonical-request building blocks against AWS's published Signature Version 4 test suite
 * (aws-sig-v4-test-suite: credentials AKIDEXAMPLE, region us-east-1, service "service", 20150830T123600Z).
 * Only the cases S3 shares are used: S3 does not normalize paths, so the `normalize-path` cases do not apply.
 */
import { describe, expect, it } from 'vitest';
import { canonicalHeaders, canonicalQuery, canonicalRequest, canonicalUriCandidates, lowerCaseHeaders, parseRawQuery, splitRawUrl } from '../../src/auth/canonical.ts';
import { credentialScope, deriveSigningKey, hmacHex, requestStringToSign } from '../../src/auth/signing.ts';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const DATE = '20150830T123600Z';
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const HOST = 'example.amazonaws.com';
const UNRESERVED = '-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

interface SuiteCase {
  name: string;
  method: string;
  target: string;
  headers?: Record<string, string | string[]>;
  payloadHash?: string;
  canonicalUri: string;
  canonicalQuery: string;
  signature: string;
}

const CASES: SuiteCase[] = [
  { name: 'get-vanilla', method: 'GET', target: '/', canonicalUri: '/', canonicalQuery: '', signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
  { name: 'get-vanilla-empty-query-key', method: 'GET', target: '/?Param1=value1', canonicalUri: '/', canonicalQuery: 'Param1=value1', signature: 'a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb' },
  { name: 'get-vanilla-query-order-key-case', method: 'GET', target: '/?Param2=value2&Param1=value1', canonicalUri: '/', canonicalQuery: 'Param1=value1&Param2=value2', signature: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500' },
  { name: 'get-vanilla-query-order-key', method: 'GET', target: '/?Param1=value2&Param1=Value1', canonicalUri: '/', canonicalQuery: 'Param1=Value1&Param1=value2', signature: 'eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1' },
  { name: 'get-vanilla-query-order-value', method: 'GET', target: '/?Param1=value2&Param1=value1', canonicalUri: '/', canonicalQuery: 'Param1=value1&Param1=value2', signature: '5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694' },
  { name: 'get-vanilla-query-order-encoded', method: 'GET', target: '/?Param-3=Value3&Param=Value2&%E1%88%B4=Value1', canonicalUri: '/', canonicalQuery: '%E1%88%B4=Value1&Param=Value2&Param-3=Value3', signature: '371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac' },
  { name: 'get-vanilla-query-unreserved', method: 'GET', target: `/?${UNRESERVED}=${UNRESERVED}`, canonicalUri: '/', canonicalQuery: `${UNRESERVED}=${UNRESERVED}`, signature: '9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197' },
  { name: 'get-vanilla-utf8-query', method: 'GET', target: '/?ሴ=bar', canonicalUri: '/', canonicalQuery: '%E1%88%B4=bar', signature: '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04' },
  { name: 'get-unreserved', method: 'GET', target: `/${UNRESERVED}`, canonicalUri: `/${UNRESERVED}`, canonicalQuery: '', signature: '07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f' },
  { name: 'get-utf8', method: 'GET', target: '/ሴ', canonicalUri: '/%E1%88%B4', canonicalQuery: '', signature: '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85' },
  { name: 'get-space', method: 'GET', target: '/example space/', canonicalUri: '/example%20space/', canonicalQuery: '', signature: '652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741' },
  { name: 'get-special-character', method: 'GET', target: '/example/$delete', canonicalUri: '/example/%24delete', canonicalQuery: '', signature: 'a853c9b21b528b19643d00910d35b83a10c366a10833ceefb45edd6c80e40f27' },
  { name: 'get-header-key-duplicate', method: 'GET', target: '/', headers: { 'my-header1': ['value2', 'value2', 'value1'] }, canonicalUri: '/', canonicalQuery: '', signature: 'c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea' },
  { name: 'get-header-value-multiline', method: 'GET', target: '/', headers: { 'my-header1': 'value1\n  value2\n     value3' }, canonicalUri: '/', canonicalQuery: '', signature: 'cfd34249e4b1c8d6b91ef74165d41a32e5fab3306300901bb65a51a73575eefd' },
  { name: 'get-header-value-order', method: 'GET', target: '/', headers: { 'my-header1': ['value4', 'value1', 'value3', 'value2'] }, canonicalUri: '/', canonicalQuery: '', signature: '08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01' },
  { name: 'get-header-value-trim', method: 'GET', target: '/', headers: { 'my-header1': ' value1', 'my-header2': ' "a   b   c"' }, canonicalUri: '/', canonicalQuery: '', signature: 'acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736' },
  { name: 'post-vanilla', method: 'POST', target: '/', canonicalUri: '/', canonicalQuery: '', signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b' },
  { name: 'post-vanilla-query', method: 'POST', target: '/?Param1=value1', canonicalUri: '/', canonicalQuery: 'Param1=value1', signature: '28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11' },
  { name: 'post-header-key-sort', method: 'POST', target: '/', headers: { 'My-Header1': 'value1' }, canonicalUri: '/', canonicalQuery: '', signature: 'c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c' },
  { name: 'post-header-value-case', method: 'POST', target: '/', headers: { 'My-Header1': 'VALUE1' }, canonicalUri: '/', canonicalQuery: '', signature: 'cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d' },
  {
    name: 'post-x-www-form-urlencoded',
    method: 'POST',
    target: '/',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    payloadHash: '9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e',
    canonicalUri: '/',
    canonicalQuery: '',
    signature: 'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
  },
];

describe('aws-sig-v4-test-suite (cases S3 shares)', () => {
  const key = deriveSigningKey(SECRET, DATE.slice(0, 8), 'us-east-1', 'service');
  const scope = credentialScope(DATE.slice(0, 8), 'us-east-1', 'service');
  for (const c of CASES) {
    it(c.name, () => {
      const headers = lowerCaseHeaders({ host: HOST, 'x-amz-date': DATE, ...c.headers });
      const signed = [...headers.keys()].sort();
      const { rawPath, rawQuery } = splitRawUrl(c.target);
      const uri = canonicalUriCandidates(rawPath)[0]!;
      const query = canonicalQuery(parseRawQuery(rawQuery));
      expect(uri).toBe(c.canonicalUri);
      expect(query).toBe(c.canonicalQuery);
      const canonical = canonicalRequest({
        method: c.method,
        uri,
        query,
        headers: canonicalHeaders(headers, signed),
        signedHeaders: signed,
        payloadHash: c.payloadHash ?? EMPTY,
      });
      expect(hmacHex(key, requestStringToSign(DATE, scope, canonical))).toBe(c.signature);
    });
  }

  it('does not normalize S3 paths: dot segments and double slashes are signed as they are', () => {
    expect(canonicalUriCandidates('/example/..')).toEqual(['/example/..']);
    expect(canonicalUriCandidates('//example//')).toEqual(['//example//']);
    expect(canonicalUriCandidates('/a%2Fb')).toEqual(['/a%2Fb']);
    expect(canonicalUriCandidates('/a%2fb')).toEqual(['/a%2Fb', '/a%2fb']);
    expect(canonicalUriCandidates('/bad%zz')).toEqual(['/bad%zz']);
    expect(canonicalUriCandidates('')).toEqual(['/']);
  });
});
